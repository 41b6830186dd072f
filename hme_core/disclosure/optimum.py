"""The exact optimum of complementary cell suppression, to measure the production heuristic.

The same problem `secondary.suppress` solves, as an integer programme (Fischetti & Salazar
González 2000; docs/sources.md, "Statistical disclosure control"): choose the publishable
cells to hide, `x_j` in {0, 1}, at the least total cost `sum c_j x_j` (cost = the cell's n:
n-weighted hidden cells), such that no hidden or secret cell can be derived from the published
cells and every n.

- Cells the primary rule hides are fixed at 1; cells with n = 0 are known (their sum is 0).
- Every relation holding an unknown cell holds another unknown (one unknown would be
  determined by the others): `x_c <= sum of the relation's other unknowns`, cells that are
  never published (secret or not) counting 1.
- Derivations through several relations are cut off lazily: after each solve the audit
  (`secondary.derivable_cells`, the rank test) names the derivable cells; for each, the
  published cells its derivation uses (`secondary.derivation`) cannot all stay published:
  `sum over them of x_j >= x_h`. The cut is valid for every solution (a derivation stays a
  derivation while the cells it uses are published, whatever else is hidden), so the loop
  ends at the optimum of the full problem. HiGHS (`scipy.optimize.milp`) solves each round.

Production solves it whole up to `partitioned.EXACT_LIMIT` candidate cells, larger problems
window by window (`partitioned`): the integer programme's time grows much faster than the cells.
Pure functions on numpy/scipy; no I/O.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from hme_core.disclosure.secondary import Lattice, derivable_cells, derivation


def optimal_suppression(lattice: Lattice, n: np.ndarray, primary: np.ndarray,
                        cost: np.ndarray | None = None, max_rounds: int = 200,
                        time_limit: float = 30.0, keep: np.ndarray | None = None) -> np.ndarray:
    """Hidden mask over cells at the least `cost` (default: n) with no derivable hidden cell.

    `primary` as for `secondary.suppress`: publishable cells the primary rule hides and
    unpublished cells that must stay secret; `keep` cells stay published.

    >>> import pandas as pd
    >>> from hme_core.disclosure.secondary import build_lattice
    >>> lat = build_lattice(pd.DataFrame({"unit": ["R", "A", "B", "C"],
    ...                                   "parent": [None, "R", "R", "R"]}))
    >>> n = np.array([30, 3, 12, 15, 0.0])  # R, A, B, C, direct(R)
    >>> optimal_suppression(lat, n, (n > 0) & (n < 5)).tolist()  # A, and B the cheapest part
    [False, True, True, False, False]
    """
    n = np.asarray(n, float)
    cost = n.copy() if cost is None else np.asarray(cost, float)
    publishable = lattice.cells["publishable"].to_numpy()
    primary = np.asarray(primary, bool)
    secret = ~publishable & primary & (n > 0)
    free = ~publishable & ~primary & (n > 0)  # never published, need no protection
    candidate = publishable & (n > 0)
    fixed = candidate & primary
    var = np.flatnonzero(candidate)  # decision variables: the publishable cells with answers
    slot = np.full(len(n), -1)
    slot[var] = np.arange(len(var))
    members = lattice.members.tocsr()
    base_r, base_c, base_v, lower = [], [], [], []  # one relation's rows as arrays: k x k
    for r in range(members.shape[0]):
        cells = members.indices[members.indptr[r]:members.indptr[r + 1]]
        n_fixed = int((secret[cells] | free[cells]).sum())  # always unknown
        cand = slot[cells[candidate[cells]]]
        k, at = len(cand), len(lower)
        if n_fixed == 0 and k:  # an unknown c needs another unknown: sum of the others >= c
            weight = np.ones((k, k))
            np.fill_diagonal(weight, -1.0)
            base_r.append(np.repeat(at + np.arange(k), k))
            base_c.append(np.tile(cand, k))
            base_v.append(weight.ravel())
            lower += [0.0] * k
        elif n_fixed == 1 and secret[cells].sum() == 1:  # a secret cell alone: one more
            base_r.append(np.full(k, at))
            base_c.append(cand)
            base_v.append(np.ones(k))
            lower.append(1.0)
    base = (np.concatenate(base_r) if base_r else np.empty(0, np.int64),
            np.concatenate(base_c) if base_c else np.empty(0, np.int64),
            np.concatenate(base_v) if base_v else np.empty(0))
    rows: list[dict[int, float]] = []  # the lazy cuts, after the base rows
    lo = fixed[var].astype(float)
    hi = np.ones(len(var)) if keep is None else 1.0 - (np.asarray(keep, bool)[var] & ~fixed[var])
    hidden = np.zeros(len(n), bool)
    for _ in range(max_rounds):
        x = _solve(cost[var], base, rows, lower, lo, hi, time_limit)
        hidden[:] = False
        hidden[var[x > 0.5]] = True
        known = (publishable & ~hidden) | (n <= 0)
        protected = (hidden | secret) & ~known
        leaks = np.flatnonzero(derivable_cells(lattice, n, known, protected))
        if not len(leaks):
            return hidden
        for h in leaks:
            weight = derivation(lattice, known, h)
            used = np.flatnonzero((np.abs(weight) > 1e-6) & candidate & ~hidden)
            if not len(used):  # no derivation found: hide any published cell of its relations
                rel = lattice.cell_relations[h].indices
                used = np.unique(members[rel].indices)
                used = used[candidate[used] & ~hidden[used]]
            row = {slot[j]: 1.0 for j in used}
            if candidate[h]:
                row[slot[h]] = row.get(slot[h], 0.0) - 1.0
                lower.append(0.0)
            else:
                lower.append(1.0)
            rows.append(row)
    raise NotConverged(f"the exact suppression did not converge in {max_rounds} rounds", hidden)


class NotConverged(RuntimeError):
    """The lazy cuts did not end in `max_rounds`: `hidden` is the last round's solution (every
    relation protected, some derivation through several relations left)."""

    def __init__(self, message: str, hidden: np.ndarray):
        super().__init__(message)
        self.hidden = hidden.copy()


def _solve(cost: np.ndarray, base: tuple, rows: list[dict[int, float]], lower: list[float],
           fixed: np.ndarray, upper: np.ndarray, time_limit: float) -> np.ndarray:
    """HiGHS on the base rows (row, column, value arrays) and the cut `rows` after them;
    `lower` holds every row's bound."""
    k = len(cost)
    if not lower:
        return fixed.copy()
    first = len(lower) - len(rows)
    r_idx = [base[0]] + [np.full(len(row), first + i) for i, row in enumerate(rows)]
    c_idx = [base[1]] + [np.fromiter(row.keys(), np.int64, len(row)) for row in rows]
    data = [base[2]] + [np.fromiter(row.values(), float, len(row)) for row in rows]
    a = sparse.csr_matrix((np.concatenate(data), (np.concatenate(r_idx),
                                                  np.concatenate(c_idx))), shape=(len(lower), k))
    res = milp(cost, constraints=LinearConstraint(a, np.asarray(lower), np.inf),
               integrality=np.ones(k), bounds=Bounds(fixed, upper),
               options={"time_limit": time_limit, "mip_rel_gap": 0.0})
    if res.x is None or res.status != 0:
        raise RuntimeError(f"the exact suppression found no solution: {res.message}")
    return np.round(res.x)


def tie_broken_cost(lattice: Lattice, n: np.ndarray) -> np.ndarray:
    """n, ties broken as the users' cost breaks them (a breakdown group before a unit's total),
    then by cell order: the added fractions sum to less than 1, so no solution that hides
    more answers becomes cheaper, and the optimum is one solution, not one of several."""
    k = len(n)
    shown = lattice.cells["publishable"].to_numpy()
    total = ((lattice.cells["group"] == "") & shown).to_numpy()
    return np.asarray(n, float) + total * 0.5 / (k + 1) + (lattice.order + 1) / (k + 1) ** 2
