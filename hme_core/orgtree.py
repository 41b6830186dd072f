"""The organisation tree of one year: levels, paths and the ancestor closure used for rollups.

A unit's result includes everyone in its subtree, including respondents coded directly
to a non-leaf unit. `closure()` pairs every unit with itself and each of its ancestors, so a
rollup is one join and one sum. The tree is assumed valid (`inputs.orgtrees` checks cycles, roots).
"""

from __future__ import annotations

import pandas as pd


def closure(org: pd.DataFrame) -> pd.DataFrame:
    """All (ancestor, unit, distance) pairs, including (unit, unit, 0).

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


def levels(org: pd.DataFrame) -> pd.Series:
    """Depth of each unit, root = 1 (region 1, administration 2, area 3, unit 4)."""
    c = closure(org)
    return (c.groupby("unit")["distance"].max() + 1).rename("level")


def root(org: pd.DataFrame) -> str:
    return str(org.loc[org["parent"].isna(), "unit"].iloc[0])


def ancestors(org: pd.DataFrame, unit: str) -> list[str]:
    """The unit's ancestors from its parent up to the root."""
    parent = org.set_index("unit")["parent"]
    out: list[str] = []
    current = parent.get(unit)
    while isinstance(current, str):
        out.append(current)
        current = parent.get(current)
    return out


def path_names(org: pd.DataFrame, unit: str) -> list[str]:
    """Names from the root down to the unit itself (for report covers)."""
    names = org.set_index("unit")["name"]
    return [str(names[u]) for u in [*reversed(ancestors(org, unit)), unit]]


def children(org: pd.DataFrame, unit: str) -> list[str]:
    return org.loc[org["parent"] == unit, "unit"].tolist()


def tree_order(org: pd.DataFrame) -> list[str]:
    """Units depth-first from the root, siblings by unit code: the order of tables and indexes."""
    kids: dict[str, list[str]] = {}
    for unit, parent in zip(org["unit"], org["parent"], strict=True):
        if isinstance(parent, str):
            kids.setdefault(parent, []).append(unit)
    out: list[str] = []
    stack = [root(org)]
    while stack:
        unit = stack.pop()
        out.append(unit)
        stack.extend(sorted(kids.get(unit, []), reverse=True))
    return out
