"""The organisation tree of one year: levels, paths, subtree sums and the ancestor closure.

A unit's result includes everyone in its subtree, including respondents coded directly
to a non-leaf unit. Everything here costs time linear in the number of units, whatever the
depth (a chain of 5,000 levels included): subtree sums (`rollup`) are added bottom-up one
level at a time, never over the (unit, ancestor) pairs, whose number grows with units x depth;
`closure()` lists those pairs for callers that need them at a few levels. `Tree` indexes the
tree once for per-unit questions (ancestors, children, path names) asked in a loop. The tree
is assumed valid (`inputs.orgtrees` checks cycles, roots).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def closure(org: pd.DataFrame) -> pd.DataFrame:
    """All (ancestor, unit, distance) pairs, including (unit, unit, 0): units x depth rows.

    >>> org = pd.DataFrame({"unit": ["R", "A", "a1"], "name": ["R", "A", "a1"],
    ...                     "parent": [None, "R", "A"]})
    >>> sorted(map(tuple, closure(org)[["ancestor", "unit"]].values))
    [('A', 'A'), ('A', 'a1'), ('R', 'A'), ('R', 'R'), ('R', 'a1'), ('a1', 'a1')]
    """
    parent = org.set_index("unit")["parent"]
    pairs = []
    current = pd.DataFrame({"ancestor": org["unit"].to_numpy(), "unit": org["unit"].to_numpy()})
    distance = 0
    while len(current):
        pairs.append(current.assign(distance=distance))
        up = current.assign(ancestor=current["ancestor"].map(parent))
        current = up[up["ancestor"].notna()]
        distance += 1
        if distance > len(org):  # a cycle slipped through validation
            raise ValueError("org tree has a cycle")
    return pd.concat(pairs, ignore_index=True)


def parent_positions(org: pd.DataFrame) -> np.ndarray:
    """Row position of each unit's parent in `org`, -1 for the root."""
    units = pd.Index(org["unit"].astype(str).to_numpy())
    parents = org["parent"].astype("string").fillna("").astype(str).to_numpy()
    pos = units.get_indexer(parents)
    return np.where(org["parent"].notna().to_numpy(), pos, -1)


def depths(org: pd.DataFrame) -> np.ndarray:
    """Depth of each unit of `org` (row order), root = 0: one pass per level, from the root.

    >>> org = pd.DataFrame({"unit": ["a1", "R", "A"], "parent": ["A", None, "R"]})
    >>> depths(org).tolist()
    [2, 0, 1]
    """
    parent = parent_positions(org)
    depth = np.full(len(parent), -1, np.int64)
    kids = np.argsort(parent, kind="stable")  # children grouped by parent position
    first = np.searchsorted(parent[kids], np.arange(-1, len(parent) + 1))
    frontier, level = np.flatnonzero(parent < 0), 0
    while len(frontier):
        depth[frontier] = level
        starts, ends = first[frontier + 1], first[frontier + 2]
        count = ends - starts
        if not count.sum():
            break
        offset = np.cumsum(count) - count  # where each parent's children start in `frontier`
        take = np.repeat(starts - offset, count)
        frontier = kids[np.arange(count.sum()) + take]
        level += 1
        if level > len(parent):  # a cycle slipped through validation
            raise ValueError("org tree has a cycle")
    return depth


def levels(org: pd.DataFrame) -> pd.Series:
    """Level of each unit, root = 1 (region 1, administration 2, area 3, unit 4), by unit.

    >>> org = pd.DataFrame({"unit": ["R", "A", "a1"], "parent": [None, "R", "A"]})
    >>> levels(org).to_dict()
    {'A': 2, 'R': 1, 'a1': 3}
    """
    level = pd.Series(depths(org) + 1, index=pd.Index(org["unit"].to_numpy(), name="unit"),
                      name="level")
    return level.sort_index()


def rollup(org: pd.DataFrame, unit_pos: np.ndarray, group: np.ndarray,
           values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Subtree sums: each row's `values` added into its unit and every ancestor, per group.

    `unit_pos`: row position in `org` of each row's unit; `group`: a nonnegative integer per
    row (sums are kept apart per group). Returns (unit position, group, sums) for every
    (unit, group) with a row in its subtree, unsorted. Bottom-up, one level at a time: a
    unit's sum is its own rows plus its children's sums, so the work is linear in rows and
    units, not in units x depth.

    >>> org = pd.DataFrame({"unit": ["R", "A", "B"], "parent": [None, "R", "R"]})
    >>> u, g, s = rollup(org, np.array([1, 2, 1]), np.zeros(3, int), np.array([[1.], [2.], [4.]]))
    >>> sorted(zip(u.tolist(), s[:, 0].tolist()))
    [(0, 7.0), (1, 5.0), (2, 2.0)]
    """
    parent, depth = parent_positions(org), depths(org)
    values = np.asarray(values, float).reshape(len(unit_pos), -1)
    groups = int(group.max()) + 1 if len(group) else 1
    key = unit_pos.astype(np.int64) * groups + group
    row_depth = depth[unit_pos]
    order = np.argsort(-row_depth, kind="stable")  # deepest rows first, in row order
    key, values, row_depth = key[order], values[order], row_depth[order]
    bounds = np.searchsorted(-row_depth, np.arange(-int(depth.max(initial=0)), 1))
    out_keys, out_values = [], []
    carry_keys = np.empty(0, np.int64)
    carry_values = np.empty((0, values.shape[1]))
    for lo, hi in zip(bounds, np.append(bounds[1:], len(key)), strict=True):
        keys = np.concatenate([key[lo:hi], carry_keys])
        vals = np.concatenate([values[lo:hi], carry_values])
        if not len(keys):
            continue
        sort = np.argsort(keys, kind="stable")
        keys, vals = keys[sort], vals[sort]
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        keys, vals = keys[starts], np.add.reduceat(vals, starts, axis=0)
        out_keys.append(keys)
        out_values.append(vals)
        up = parent[keys // groups]
        carry_keys = up[up >= 0] * groups + keys[up >= 0] % groups
        carry_values = vals[up >= 0]
    keys = np.concatenate(out_keys) if out_keys else np.empty(0, np.int64)
    sums = np.concatenate(out_values) if out_values else np.empty((0, values.shape[1]))
    return keys // groups, keys % groups, sums


def root(org: pd.DataFrame) -> str:
    return str(org.loc[org["parent"].isna(), "unit"].iloc[0])


class Tree:
    """A year's tree indexed once: ancestors, children and path names of any unit in time
    proportional to the answer (use it where units are visited in a loop)."""

    def __init__(self, org: pd.DataFrame):
        units = org["unit"].astype(str).tolist()
        parents = [p if isinstance(p, str) else None
                   for p in org["parent"].astype(object).where(org["parent"].notna(), None)]
        self.parent = dict(zip(units, parents, strict=True))
        self.name = dict(zip(units, org["name"].astype(str).tolist(), strict=True)) \
            if "name" in org else {u: u for u in units}
        self.kids: dict[str, list[str]] = {}
        for unit, parent in zip(units, parents, strict=True):
            if parent is not None:
                self.kids.setdefault(parent, []).append(unit)

    def ancestors(self, unit: str) -> list[str]:
        """The unit's ancestors from its parent up to the root."""
        out: list[str] = []
        current = self.parent.get(unit)
        while current is not None:
            out.append(current)
            current = self.parent.get(current)
        return out

    def children(self, unit: str) -> list[str]:
        """The unit's children in the order of the org tree."""
        return list(self.kids.get(unit, []))

    def path_names(self, unit: str) -> list[str]:
        """Names from the root down to the unit itself (for report covers)."""
        return [self.name[u] for u in [*reversed(self.ancestors(unit)), unit]]


def ancestors(org: pd.DataFrame, unit: str) -> list[str]:
    """The unit's ancestors from its parent up to the root (one unit; in a loop use `Tree`)."""
    return Tree(org).ancestors(unit)


def path_names(org: pd.DataFrame, unit: str) -> list[str]:
    """Names from the root down to the unit itself (for report covers)."""
    return Tree(org).path_names(unit)


def children(org: pd.DataFrame, unit: str) -> list[str]:
    return org.loc[org["parent"] == unit, "unit"].tolist()


def tree_order(org: pd.DataFrame) -> list[str]:
    """Units depth-first from the root, siblings by unit code: the order of tables and indexes."""
    kids: dict[str, list[str]] = {}
    # columns as lists first: iterating Arrow-backed strings element by element is slow
    for unit, parent in zip(org["unit"].tolist(), org["parent"].tolist(), strict=True):
        if isinstance(parent, str):
            kids.setdefault(parent, []).append(unit)
    out: list[str] = []
    stack = [root(org)]
    while stack:
        unit = stack.pop()
        out.append(unit)
        stack.extend(sorted(kids.get(unit, []), reverse=True))
    return out


def renamed_candidates(before: pd.DataFrame, after: pd.DataFrame) -> list[tuple[str, str]]:
    """(old path, new path), names below the root joined by " / ", of units that may have been
    renamed between two years' trees: under one parent (the same code in both), exactly one
    unit is gone and exactly one is new. A unit known by its generated path code gets a new
    code when renamed; `hme rename-unit OLD NEW` keeps the old one (inputs/orgtrees.py).

    >>> a = pd.DataFrame({"unit": ["R", "x", "y"], "parent": [None, "R", "R"],
    ...                   "name": ["Region", "IT-avdelningen", "Kost"]})
    >>> b = pd.DataFrame({"unit": ["R", "z", "y"], "parent": [None, "R", "R"],
    ...                   "name": ["Region", "IT-enheten", "Kost"]})
    >>> renamed_candidates(a, b)
    [('IT-avdelningen', 'IT-enheten')]
    """
    old_tree, new_tree = Tree(before), Tree(after)
    gone = set(before["unit"]) - set(after["unit"])
    new = set(after["unit"]) - set(before["unit"])
    by_parent: dict[str, tuple[list[str], list[str]]] = {}
    for unit in sorted(gone):
        parent = old_tree.parent.get(unit)
        if isinstance(parent, str) and parent not in gone:
            by_parent.setdefault(parent, ([], []))[0].append(unit)
    for unit in sorted(new):
        parent = new_tree.parent.get(unit)
        if isinstance(parent, str) and parent in by_parent:
            by_parent[parent][1].append(unit)
    return [(" / ".join(old_tree.path_names(o[0])[1:]), " / ".join(new_tree.path_names(n[0])[1:]))
            for o, n in by_parent.values() if len(o) == 1 and len(n) == 1]
