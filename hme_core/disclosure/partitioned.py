"""Complementary suppression of large problems: the exact programme on windows of the tree.

The exact integer programme (`optimum.optimal_suppression`) re-solves the whole problem after
each lazy cut, so its time grows much faster than the cells. Problems it does not solve in
time (and, measured by `compare_with_optimum`, small trees cut into windows) are decided as
tau-argus' HiTaS decides hierarchical tables (Hundepool et al., *Statistical Disclosure
Control*, Wiley 2012, 4.4; docs/sources.md, "Statistical disclosure control"), by exact
solves of sub-problems, here as a large-neighbourhood search on a safe start:

1. start: the heuristic (`secondary.suppress`: cheapest cell per relation, local search);
2. windows: the org tree is cut into connected parts of at most `part_limit` candidate cells
   (every layer of their units); then a window around each cut (the cut unit, its parent, its
   siblings and children), so no seam is decided from one side only; then, for each unit with
   at least `units_from` answers whose total is hidden as a complement, its neighbourhood
   (parent, siblings, children, grandparent) with that total published.
   Each window is solved exactly with every cell outside it as it stands: the relations
   holding a window cell, hidden cells outside fixed hidden, published ones published. The
   current state is a solution of each window's programme (a derivation in part of the
   relations is one in all of them), so a window never costs more; its solution is taken
   when it costs less (the unit windows: when it costs no more and publishes the unit, or
   when, published anyway, the windows around it then make the whole cost no more);
3. the audit on the whole lattice (`secondary.derivable_cells`) after each window taken: a
   derivation through relations of two windows is repaired greedily (`secondary.repair`),
   and the window is undone when that costs more. The result is as safe as every other
   decision. The passes repeat (at most `rounds` times) while they lower the cost.
Pure functions on numpy/scipy; no I/O.
"""

from __future__ import annotations

import numpy as np

from hme_core.disclosure.optimum import NotConverged, optimal_suppression, tie_broken_cost
from hme_core.disclosure.secondary import (
    DIRECT,
    TOTAL,
    Lattice,
    cell_cost,
    derivable_cells,
    repair,
    suppress,
)

EXACT_LIMIT = 5_000  # publishable cells with answers: above, the exact programme on windows
EXACT_SMALL = 400  # candidate cells: up to this, the whole programme with every lazy cut
EXACT_ROUNDS = 1  # above, rounds of lazy cuts: past them, the last solution is repaired
PART_LIMIT = 400  # candidate cells per window: each exact solve stays well under a second
UNIT_WINDOW = 60  # candidate cells around a unit of production's large problems
WINDOWS_LIMIT = 1_500  # candidate cells: up to this, production's windows cover the tree
COMPARE_PART_LIMIT = 12  # candidate cells per window when measured on small trees


def unit_tree(lattice: Lattice) -> tuple[np.ndarray, np.ndarray]:
    """(unit of each cell, parent of each unit; -1 at the root), units numbered as the total
    layer's subtree cells come (`build_lattice`), parents read from the tree relations."""
    cells = lattice.cells
    first = ((cells["variable"] == TOTAL) & (cells["kind"] != DIRECT)).to_numpy()
    units = cells.loc[first, "unit"].to_numpy()
    pos = {u: i for i, u in enumerate(units)}
    unit_of = cells["unit"].map(pos).to_numpy(np.int64)
    parent = np.full(len(units), -1)
    rel = lattice.relations.tocoo()
    at = first[rel.col]
    total = np.full(lattice.relations.shape[0], -1)
    top = at & (rel.data > 0)
    total[rel.row[top]] = unit_of[rel.col[top]]
    part = at & (rel.data < 0) & (total[rel.row] >= 0)
    parent[unit_of[rel.col[part]]] = total[rel.row[part]]
    return unit_of, parent


def partition(parent: np.ndarray, weight: np.ndarray, limit: int) -> np.ndarray:
    """Part (its top unit) of each unit: connected parts of at most `limit` weight where the
    tree allows, cut bottom-up, the heaviest child first (a unit with its children alone may
    weigh more)."""
    k = len(parent)
    children: list[list[int]] = [[] for _ in range(k)]
    for u, p in enumerate(parent):
        if p >= 0:
            children[p].append(u)
    order = _top_down(parent, children)
    acc = np.asarray(weight, float).copy()
    cut = parent < 0
    for u in order[::-1]:
        kids = sorted(children[u], key=lambda c: -acc[c])
        total = acc[u] + sum(acc[c] for c in kids)
        for c in kids:
            if total <= limit:
                break
            cut[c] = True
            total -= acc[c]
        acc[u] = total
    top = np.arange(k)
    for u in order:
        if not cut[u]:
            top[u] = top[parent[u]]
    return top


def _top_down(parent: np.ndarray, children: list[list[int]]) -> list[int]:
    order = [int(u) for u in np.flatnonzero(parent < 0)]
    i = 0
    while i < len(order):
        order.extend(children[order[i]])
        i += 1
    return order


def cheapest_suppression(lattice: Lattice, n: np.ndarray, primary: np.ndarray,
                         frozen: np.ndarray | None = None,
                         cost: np.ndarray | None = None,
                         keep: np.ndarray | None = None) -> np.ndarray:
    """The production decision: the exact optimum (`optimal_suppression`) at `cell_cost`
    when the problem has at most `EXACT_LIMIT` candidate cells and HiGHS solves it in time:
    above `EXACT_SMALL` cells with at most `EXACT_ROUNDS` lazy cuts (a region's breakdowns
    can need hundreds, each a re-solve of the whole programme), the last solution then
    completed greedily (`secondary.repair`: it protects every relation already, a derivation
    through several relations is left). Where HiGHS finds no solution in time, the exact
    programme window by window (`partitioned_suppression`, from the heuristic
    `secondary.suppress`) up to `WINDOWS_LIMIT` candidate cells; above 5,000, the heuristic
    alone (the windows of a region's tree of 17,000 units take ~1 s per decision, and a year
    makes dozens). All guarantee that no hidden cell is derivable; `tools/bench.py` measures
    the windows and the heuristic against the optimum.
    `keep`: cells never chosen as complements (their value is known anyway)."""
    n = np.asarray(n, float)
    rank = cell_cost(n, frozen, cost)
    candidates = int((lattice.cells["publishable"].to_numpy() & (n > 0)).sum())
    if candidates <= EXACT_LIMIT:
        rounds = 200 if candidates <= EXACT_SMALL else EXACT_ROUNDS
        try:
            return optimal_suppression(lattice, n, primary, cost=rank, keep=keep,
                                       max_rounds=rounds)
        except NotConverged as exc:  # a derivation through several relations left: repaired
            publishable = lattice.cells["publishable"].to_numpy()
            usable = publishable & (n > 0)
            if keep is not None:
                usable &= ~np.asarray(keep, bool)
            fixed = repair(lattice, n, exc.hidden, ~publishable & np.asarray(primary, bool),
                           rank, usable)
            if fixed is not None:
                return fixed
        except RuntimeError:  # no solution in time: the heuristic decides
            pass
    if candidates > WINDOWS_LIMIT:  # a region's tree: ~1 s per decision, and it makes dozens
        return suppress(lattice, n, primary, frozen=frozen, cost=cost, keep=keep)
    return partitioned_suppression(lattice, n, primary, frozen=frozen, cost=cost, keep=keep,
                                   part_limit=UNIT_WINDOW, rounds=1)


def partitioned_suppression(lattice: Lattice, n: np.ndarray, primary: np.ndarray,
                            frozen: np.ndarray | None = None, cost: np.ndarray | None = None,
                            keep: np.ndarray | None = None, part_limit: int = PART_LIMIT,
                            units_from: int = 10, start: np.ndarray | None = None,
                            rounds: int = 3, parts: bool = True
                            ) -> np.ndarray:
    """Hidden mask over cells, as `secondary.suppress` takes its arguments, improved window by
    window by the exact programme (module docstring). Guarantee: no hidden cell derivable."""
    n = np.asarray(n, float)
    primary = np.asarray(primary, bool)
    rank = cell_cost(n, frozen, cost)
    publishable = lattice.cells["publishable"].to_numpy()
    secret = ~publishable & primary
    fixed = publishable & primary & (n > 0)
    usable = publishable & (n > 0)
    if keep is not None:
        usable &= ~np.asarray(keep, bool)
    hidden = (suppress(lattice, n, primary, frozen=frozen, cost=cost, keep=keep)
              if start is None else np.asarray(start, bool).copy())
    unit_of, parent = unit_tree(lattice)
    candidate = usable & ~fixed
    weight = np.bincount(unit_of[candidate], minlength=len(parent))
    top = partition(parent, weight, part_limit)
    children: list[list[int]] = [[] for _ in range(len(parent))]
    for u, p in enumerate(parent):
        if p >= 0:
            children[p].append(u)
    by_unit = np.argsort(unit_of, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(unit_of, minlength=len(parent)))]
    members = lattice.members
    relations_of = lattice.cell_relations

    def cells_of(units) -> np.ndarray:
        return np.concatenate([by_unit[bounds[u]:bounds[u + 1]] for u in units])

    def solve(units, publish: int = -1, kick: bool = False) -> bool:
        """Re-decide the window of `units` exactly; True when taken."""
        nonlocal hidden
        var = cells_of(units)
        var = var[candidate[var]]
        if not len(var):
            return False
        rels = np.unique(relations_of[var].indices)
        local = np.unique(np.r_[var, members[rels].indices])
        inside = np.isin(local, var)
        sub = Lattice(lattice.cells.iloc[local].reset_index(drop=True),
                      lattice.relations[rels][:, local].tocsr(), lattice.order[local])
        was = hidden[local]
        loc_primary = primary[local] | (was & ~inside)
        loc_keep = (~was & ~inside) | (publishable[local] & ~usable[local])
        if publish >= 0:
            loc_keep = loc_keep | (local == publish)
        try:
            got = optimal_suppression(sub, n[local], loc_primary, cost=rank[local],
                                      keep=loc_keep, time_limit=5.0)
        except RuntimeError:
            return False
        old, new = rank[local][was & inside].sum(), rank[local][got & inside].sum()
        take = new < old - 1e-9 or (publish >= 0 and hidden[publish] and (kick or new <= old + 1e-9))
        if not take:
            return False
        before = hidden
        hidden = hidden.copy()
        hidden[local[inside]] = got[inside]
        known = (publishable & ~hidden) | (n <= 0)
        if derivable_cells(lattice, n, known, (hidden | secret) & ~known).any():
            hidden = repair(lattice, n, hidden, secret, rank, usable)  # a seam's derivation
            worse = rank[hidden].sum() > rank[before].sum() - 1e-9 * (publish < 0)
            if hidden is None or (worse and not kick):
                hidden = before
                return False
        return True

    def around(u: int, limit: float) -> list[int]:
        """Units near `u` (breadth first over parent and children) up to `limit` weight."""
        window, seen, total = [], {u}, 0.0
        queue = [u]
        while queue and total <= limit:
            v = queue.pop(0)
            window.append(v)
            total += weight[v]
            for w in ([parent[v]] if parent[v] >= 0 else []) + children[v]:
                if w not in seen:
                    seen.add(w)
                    queue.append(w)
        return window

    unit_cell = np.flatnonzero(first_cells(lattice))
    for _ in range(rounds):
        cost_before = rank[hidden].sum()
        if parts:
            for t in np.unique(top):
                solve(np.flatnonzero(top == t))
            for c in np.flatnonzero((top == np.arange(len(top))) & (parent >= 0)):
                solve(around(int(parent[c]), part_limit))
        big = hidden[unit_cell] & ~fixed[unit_cell] & (n[unit_cell] >= units_from)
        for cell in unit_cell[big][np.argsort(-n[unit_cell[big]], kind="stable")]:
            if not hidden[cell]:
                continue
            u = unit_of[cell]
            window = around(int(parent[u]) if parent[u] >= 0 else int(u), 2 * part_limit)
            if solve(window, publish=cell) or not parts:
                continue
            before = hidden.copy()  # publish it anyway, then let the parts around pay less
            if not solve(window, publish=cell, kick=True):
                continue
            for t in np.unique(top[window]):
                solve(np.flatnonzero(top == t))
            for v in window[:8]:
                solve(around(int(v), part_limit))
            if rank[hidden].sum() > rank[before].sum() + 1e-9 or hidden[cell]:
                hidden = before
        if rank[hidden].sum() >= cost_before - 1e-9:
            break
    return hidden


def first_cells(lattice: Lattice) -> np.ndarray:
    """Mask of the units' total cells (the total layer's subtree cells)."""
    cells = lattice.cells
    return ((cells["group"] == TOTAL) & (cells["kind"] != DIRECT)).to_numpy()


def compare_with_optimum(cases, min_n: int = 5, units_from: int = 10,
                         part_limit: int = COMPARE_PART_LIMIT) -> dict:
    """The large problems' decision (`partitioned.partitioned_suppression`, its windows cut
    to `part_limit` candidate cells so that these small trees are decided in parts, as large
    ones are) against the exact optimum on `cases`, each (lattice, n): primary rule n <
    `min_n` (unpublished parts below it are secret), both at `tie_broken_cost`.

    `suppression_excess_vs_optimum`: mean over cases of (H - O) / O, H and O the n-weighted
    hidden publishable cells (primary and complements) of the windows and the optimum;
    `units_ge10_blanked` / `units_ge10_blanked_optimum`: units with at least `units_from`
    answers whose total is hidden, by each over all cases; `units_ge10_blanked_only_heuristic`:
    of those, hidden by the windows where the optimum publishes them;
    `suppression_excess_greedy` and `units_ge10_blanked_only_greedy`: the same for the
    heuristic alone (`secondary.suppress`, the windows' start)."""
    excess, greedy_excess, blanked, blanked_opt, only, only_greedy = [], [], 0, 0, 0, 0
    for lattice, n in cases:
        n = np.asarray(n, float)
        primary = (n > 0) & (n < min_n)
        cost = tie_broken_cost(lattice, n)
        greedy = suppress(lattice, n, primary, cost=cost)
        heuristic = partitioned_suppression(lattice, n, primary, cost=cost, start=greedy,
                                            part_limit=part_limit)
        optimum = optimal_suppression(lattice, n, primary, cost=cost)
        shown = lattice.cells["publishable"].to_numpy()
        h, g, o = n[heuristic & shown].sum(), n[greedy & shown].sum(), n[optimum & shown].sum()
        excess.append((h - o) / o if o else 0.0)
        greedy_excess.append((g - o) / o if o else 0.0)
        unit = ((lattice.cells["group"] == "") & shown).to_numpy() & (n >= units_from)
        blanked += int((heuristic & unit).sum())
        blanked_opt += int((optimum & unit).sum())
        only += int((heuristic & unit & ~optimum).sum())
        only_greedy += int((greedy & unit & ~optimum).sum())
    return {"suppression_trees": len(excess),
            "suppression_excess_vs_optimum": round(float(np.mean(excess)), 4),
            "suppression_excess_max": round(float(np.max(excess)), 4),
            "units_ge10_blanked": blanked, "units_ge10_blanked_optimum": blanked_opt,
            "units_ge10_blanked_only_heuristic": only,
            "suppression_excess_greedy": round(float(np.mean(greedy_excess)), 4),
            "units_ge10_blanked_only_greedy": only_greedy,
            "suppression_part_limit": part_limit}
