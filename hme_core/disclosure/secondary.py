"""Secondary (complementary) cell suppression over additive relations, and its audit.

The model, as statistical agencies use it (Hundepool et al., *Statistical Disclosure Control*,
Wiley 2012, ch. 4 "Cell suppression"): every cell holds a secret additive value (a sum of
recoded answers) whose count `n` is public, and the cells obey linear relations
`total = sum of parts`. Published cells are known; a cell with `n == 0` is known (its sum is 0).
Every other cell is an unknown of the attacker's linear system. A *protected* unknown (one the
primary rule hid, one hidden as a complement, or an unpublished part below the threshold such
as a small direct group) must not be *derivable*: its value must not be the same in every
solution of the system. By linear algebra, an unknown `h` is derivable iff its indicator vector
lies in the row space of the relation matrix restricted to the unknowns (`derivable_cells`).

`suppress` finds a small set of complements: (1) "peeling": a relation with one unknown
determines it; an unprotected one becomes known, a protected one is a violation; (2) for each
violation, hide the relation's published part with the smallest n (ties by cell order), or its
total when no such part exists; repeat to a fixed point; (3) audit the result by the rank test
and, while some protected cell is still derivable (several relations combined), hide the
smallest published cell of a relation that holds it, and go back to (1). It always ends,
since every round hides at least one more cell. Pure functions on numpy/scipy; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import lsqr

from hme_core.disclosure.blocks import fixed_by_component, merge_pairs

TOTAL = ""  # variable and group of a unit's whole result (the total layer)
SUBTREE, DIRECT = "subtree", "direct"
IMPROVE_LIMIT = 5_000  # cells: the local search of `suppress` runs up to this size


@dataclass(frozen=True)
class Lattice:
    """The cells of one measure and their additive relations.

    `cells`: one row per cell, position = cell id: `unit`, `variable`, `group`
    (`TOTAL` for a unit's whole result), `kind` (`subtree` = the unit with its whole subtree,
    `direct` = respondents coded to a non-leaf unit itself), `publishable`.
    `relations`: sparse R x C matrix, +1 for a relation's total, -1 for its parts.
    `order`: rank of each cell by (unit, variable, group, kind), the tie-break of every choice.
    `solved`: the audit's answers for blocks of cells already solved (a cache; see
    `derivable_cells`).
    """

    cells: pd.DataFrame
    relations: sparse.csr_matrix
    order: np.ndarray
    solved: dict = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def members(self) -> sparse.csr_matrix:
        """Relation membership as 0/1 integers."""
        return abs(self.relations).astype(np.int64).tocsr()

    @cached_property
    def cell_relations(self) -> sparse.csr_matrix:
        """The relations of each cell (cells x relations, 0/1)."""
        return self.members.T.tocsr()


def build_lattice(
    org: pd.DataFrame,
    groups: Mapping[str, Sequence[str]] | None = None,
    unpublished_groups: Sequence[str] = (),
) -> Lattice:
    """Cells and relations of an org tree, optionally crossed with group variables.

    Relations (a unit's result covers its whole subtree, direct respondents included):
    - tree, per layer (the total and each (variable, group)) and non-leaf unit p:
      `cell(p) = sum of cell(child) + direct(p)`;
    - groups, per variable, unit and kind: `cell(unit, total) = sum over groups of cell(unit,
      group)` (respondents with the variable missing are a group of their own).
    Direct cells and groups in `unpublished_groups` are never published.

    >>> org = pd.DataFrame({"unit": ["R", "A", "B"], "parent": [None, "R", "R"]})
    >>> lat = build_lattice(org)
    >>> lat.relations.toarray().tolist()  # R = A + B + direct(R)
    [[1.0, -1.0, -1.0, -1.0]]
    """
    groups = dict(groups or {})
    units = org["unit"].astype(str).to_numpy()
    parent = org["parent"].astype(object).where(org["parent"].notna(), None).to_numpy()
    pos = {u: i for i, u in enumerate(units)}
    parent_pos = np.array([pos[p] if isinstance(p, str) else -1 for p in parent])
    nonleaf = np.unique(parent_pos[parent_pos >= 0])
    n_units, n_nonleaf = len(units), len(nonleaf)
    stride = n_units + n_nonleaf
    layers = [(TOTAL, TOTAL)] + [(v, g) for v, gs in groups.items() for g in gs]
    cells = pd.DataFrame({
        "unit": np.tile(np.concatenate([units, units[nonleaf]]), len(layers)),
        "variable": np.repeat([v for v, _ in layers], stride),
        "group": np.repeat([g for _, g in layers], stride),
        "kind": np.tile(np.r_[np.repeat(SUBTREE, n_units), np.repeat(DIRECT, n_nonleaf)],
                        len(layers)),
    })
    cells["publishable"] = (cells["kind"] == SUBTREE) & ~cells["group"].isin(unpublished_groups)
    rows, cols, vals = [], [], []
    row0 = 0
    slot = np.full(n_units, -1)
    slot[nonleaf] = np.arange(n_nonleaf)
    child = np.flatnonzero(parent_pos >= 0)
    for layer in range(len(layers)):  # tree relations
        base = layer * stride
        r = row0 + np.arange(n_nonleaf)
        rows += [r, row0 + slot[parent_pos[child]], r]
        cols += [base + nonleaf, base + child, base + n_units + np.arange(n_nonleaf)]
        vals += [np.ones(n_nonleaf), -np.ones(len(child)), -np.ones(n_nonleaf)]
        row0 += n_nonleaf
    for v, gs in groups.items():  # group relations, for subtree and direct cells alike
        r = row0 + np.arange(stride)
        rows.append(r), cols.append(np.arange(stride)), vals.append(np.ones(stride))
        for g in gs:
            rows.append(r)
            cols.append(layers.index((v, g)) * stride + np.arange(stride))
            vals.append(-np.ones(stride))
        row0 += stride
    matrix = sparse.csr_matrix(
        (np.concatenate(vals) if vals else [], (np.concatenate(rows) if rows else [],
                                                np.concatenate(cols) if cols else [])),
        shape=(row0, len(cells)))
    order = np.lexsort([cells["kind"], cells["group"], cells["variable"], cells["unit"]])
    rank = np.empty(len(cells), dtype=np.int64)
    rank[order] = np.arange(len(cells))
    return Lattice(cells, matrix, rank)


# --------------------------------------------------------------------------- peeling


def _peel(members: sparse.csr_matrix, known: np.ndarray, protected: np.ndarray,
          learn_protected: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Propagate "a relation with one unknown determines it" to a fixed point.

    Returns (known, leaked, violations): `leaked` marks protected cells found derivable;
    `violations` lists (relation, cell) pairs whose single unknown is protected. Protected
    cells become known only with `learn_protected` (the audit), else they are reported.
    """
    known = known.copy()
    leaked = np.zeros_like(known)
    found: list[np.ndarray] = []
    while True:
        unknown = ~known
        counts = members @ unknown.astype(np.int64)
        single = np.flatnonzero(counts == 1)
        if not len(single):
            break
        sub = members[single].multiply(unknown).tocoo()
        rel, cell = single[sub.row], sub.col
        bad = protected[cell]
        leaked[cell[bad]] = True
        found.append(np.column_stack([rel[bad], cell[bad]]))
        learn = cell if learn_protected else cell[~bad]
        if not len(learn) or known[learn].all():
            break
        known[learn] = True
    if not found:
        return known, leaked, np.empty((0, 2), np.int64)
    both = np.concatenate(found).astype(np.int64)
    width = members.shape[1]  # (relation, cell) pairs as one integer: sorted as by unique(axis=0)
    code = np.unique(both[:, 0] * width + both[:, 1])
    return known, leaked, np.column_stack([code // width, code % width])


def derivable_cells(lattice: Lattice, n: np.ndarray, published: np.ndarray,
                    protected: np.ndarray, dense_limit: int = 600) -> np.ndarray:
    """The audit: protected cells whose value follows exactly from published values and n.

    Rank test: with U the unknown cells (neither published nor empty), `h` is derivable iff
    `e_h` lies in the row space of `relations[:, U]`, i.e. iff every vector of its null space is
    0 at `h`. Single-unknown relations are peeled first and two-unknown relations substituted
    away (`blocks.merge_pairs`, exact); the rest is solved by an SVD null space per connected
    component of unknowns (components above `dense_limit` cells by a conservative projection
    test, see `blocks`). Returns a boolean mask over cells.
    """
    members = lattice.members
    known0 = published | (np.asarray(n) <= 0)
    protected = protected & ~known0
    known, leaked, _ = _peel(members, known0, protected, learn_protected=True)
    unknown = np.flatnonzero(~known)
    if not len(unknown):
        return leaked
    sub = lattice.relations[:, unknown].tocsr()
    sub = sub[np.flatnonzero(np.diff(sub.indptr) > 0)]
    if not sub.shape[0]:
        return leaked
    reduced, column = merge_pairs(sub)  # two-unknown relations substituted away
    by_column = unknown[np.argsort(column, kind="stable")]  # the cells of each column
    start = np.r_[0, np.cumsum(np.bincount(column, minlength=reduced.shape[1]))]

    def key(cols: np.ndarray) -> bytes:  # a block's cells: its answer is a function of them
        size = start[cols + 1] - start[cols]
        at = np.repeat(start[cols] - np.cumsum(size) + size, size) + np.arange(size.sum())
        return by_column[at].tobytes()

    n_comp, label = _column_components(reduced)
    wanted = np.bincount(column, weights=protected[unknown], minlength=reduced.shape[1]) > 0
    fixed = fixed_by_component(lattice.solved, key, reduced, label, n_comp, wanted,
                               dense_limit)[column]
    leaked[unknown[fixed]] |= protected[unknown[fixed]]
    return leaked


# --------------------------------------------------------------------------- choosing complements


def _pick(lattice: Lattice, wanted: np.ndarray, relations: np.ndarray, rank: np.ndarray,
          hidden: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """One complement per wanted id, from the relations paired with it: its usable published
    cell of the lowest `rank` (cost, frozen cells last; ties: parts before totals, then cell
    order)."""
    if not len(relations):
        return np.empty(0, np.int64)
    picked = lattice.relations[relations].tocoo()
    want, cell, sign = wanted[picked.row], picked.col, picked.data
    ok = usable[cell] & ~hidden[cell]
    want, cell, sign = want[ok], cell[ok], sign[ok]
    sel = np.lexsort([lattice.order[cell], sign > 0, rank[cell], want])
    _, first = np.unique(want[sel], return_index=True)
    return np.unique(cell[sel][first])


def derivation(lattice: Lattice, known: np.ndarray, cell: int) -> np.ndarray:
    """How `cell` is computed from known cells: weights w with value(cell) = sum w * value.

    Solves `relations[:, unknown]^T y = e_cell` (least squares, LSQR); `w = -relations^T y`
    on the known cells. All zero when the cell is not derivable. The system splits into the
    connected components of the unknowns and `y` is 0 outside the cell's own (the least-norm
    solution), so only that component (`_component`) is solved.
    """
    unknown = ~known
    cols = _component(lattice, unknown, cell)
    rows = np.unique(lattice.cell_relations[cols].indices)
    if not len(rows):  # in no relation: nothing determines it
        return np.zeros(len(known))
    a_unknown = lattice.relations[rows][:, cols].tocsc().T.tocsr()
    target = np.zeros(len(cols))
    target[np.searchsorted(cols, cell)] = 1.0
    y = lsqr(a_unknown, target, atol=1e-12, btol=1e-12,
             iter_lim=20 * int(unknown.sum()) + 100)[0]
    if np.linalg.norm(a_unknown @ y - target) > 1e-6:
        return np.zeros(len(known))
    weights = -(lattice.relations[rows].T @ y)
    weights[~known] = 0.0
    return weights


def _column_components(matrix: sparse.csr_matrix) -> tuple[int, np.ndarray]:
    """Connected components of `matrix`'s columns, two columns linked when a row holds both
    (numbered as `connected_components` numbers the columns x columns product), from the graph
    of columns and rows: memory linear in the nonzeros, where the product of a relation with
    k parts (a root with 100,000 children) has k^2."""
    inc = matrix.T.tocsr()
    n_cols = inc.shape[0]
    size = n_cols + inc.shape[1]
    graph = sparse.csr_matrix(
        (np.ones(len(inc.indices)), inc.indices + n_cols,
         np.r_[inc.indptr, np.full(inc.shape[1], inc.indptr[-1])]), shape=(size, size))
    _, label = connected_components(graph, directed=False)
    label = label[:n_cols]
    return (int(label.max()) + 1 if n_cols else 0), label


def _component(lattice: Lattice, unknown: np.ndarray, cell: int) -> np.ndarray:
    """The unknown cells linked to `cell` through relations (two cells are linked when one
    relation holds both), sorted: connected components of the graph of unknown cells and
    their relations (no cells x cells product)."""
    cells = np.flatnonzero(unknown)
    inc = lattice.cell_relations[cells]
    size = len(cells) + inc.shape[1]
    graph = sparse.csr_matrix(
        (np.ones(len(inc.indices)), inc.indices + len(cells),
         np.r_[inc.indptr, np.full(inc.shape[1], inc.indptr[-1])]), shape=(size, size))
    _, label = connected_components(graph, directed=False)
    label = label[:len(cells)]
    return cells[label == label[np.searchsorted(cells, cell)]]


def _break(lattice: Lattice, known: np.ndarray, cell: int, candidate: np.ndarray,
          rank: np.ndarray, tries: int = 8) -> int:
    """The published cell to hide against a derivation of `cell`: among the cells the
    derivation uses (whole weight first, then the lowest `rank`, cell order), the first whose
    hiding makes `cell` underivable, else the first; -1 if none."""
    weight = np.abs(derivation(lattice, known, cell))
    used = np.flatnonzero((weight > 1e-6) & candidate)
    if not len(used):
        return -1
    used = used[np.lexsort([lattice.order[used], rank[used], weight[used] < 0.999])]
    for c in used[:tries]:
        trial = known.copy()
        trial[c] = False
        if not np.any(derivation(lattice, trial, cell)):
            return int(c)
    return int(used[0])


def cell_cost(n: np.ndarray, frozen: np.ndarray | None = None,
              cost: np.ndarray | None = None) -> np.ndarray:
    """What hiding each cell costs the users: `cost` (default its n, so small cells go before
    large ones), frozen cells above every other (a last resort)."""
    base = np.asarray(n, float) if cost is None else np.asarray(cost, float)
    if frozen is None:
        return base
    return base + np.asarray(frozen, bool) * (1.0 + np.abs(base).sum())


def suppress(
    lattice: Lattice,
    n: np.ndarray,
    primary: np.ndarray,
    frozen: np.ndarray | None = None,
    cost: np.ndarray | None = None,
    keep: np.ndarray | None = None,
    swaps: int = 12,
    max_rounds: int = 10_000,
) -> np.ndarray:
    """Hidden mask over cells: the primary cells plus the complements that protect them.

    `n` per cell (public counts); `primary`: publishable cells the primary rule hides and
    unpublished cells that must stay secret (below the threshold). Complements are chosen by
    `cell_cost` (`cost`, default n; `frozen` cells, e.g. unit totals while suppressing
    breakdowns, only as a last resort): greedily (`repair`), then improved by local search
    (`_improve`: drop complements no longer needed, and try each of the `swaps` dearest
    complements published, protected another way); `keep` cells are never complements.
    Guarantee: `derivable_cells` of the result is empty.
    """
    n = np.asarray(n, dtype=float)
    publishable = lattice.cells["publishable"].to_numpy()
    rank = cell_cost(n, frozen, cost)
    start = publishable & np.asarray(primary, bool) & (n > 0)
    secret = ~publishable & np.asarray(primary, bool)  # unpublished cells to protect
    usable = publishable & (n > 0)
    if keep is not None:  # cells whose value is known anyway protect nothing
        usable &= ~np.asarray(keep, bool)
    hidden = repair(lattice, n, start, secret, rank, usable, max_rounds)
    if hidden is None and keep is not None:  # only kept cells could protect: use them too
        usable = publishable & (n > 0)
        hidden = repair(lattice, n, start, secret, rank, usable, max_rounds)
    if hidden is None:  # pragma: no cover - with every cell usable a repair always ends
        raise RuntimeError("cell suppression did not converge")
    if len(n) > IMPROVE_LIMIT:  # each step is an audit: large lattices keep the greedy choice
        return hidden
    return _improve(lattice, n, start, secret, rank, usable, hidden, swaps)


def repair(lattice: Lattice, n: np.ndarray, hidden: np.ndarray, secret: np.ndarray,
            rank: np.ndarray, usable: np.ndarray, max_rounds: int = 10_000) -> np.ndarray | None:
    """`hidden` plus greedy complements until no protected cell is derivable: (1) a relation
    whose single unknown is protected gets its cheapest usable published cell hidden; (2)
    derivations through several relations (the audit) lose their cheapest cell. None when
    only cells that are not `usable` could protect (a trial of `_improve`)."""
    publishable = lattice.cells["publishable"].to_numpy()
    hidden = hidden.copy()
    members = lattice.members
    for _ in range(max_rounds):
        known = (publishable & ~hidden) | (n <= 0)
        protected = (hidden | secret) & ~known
        _, _, pairs = _peel(members, known, protected, learn_protected=False)
        if len(pairs):
            rel = np.unique(pairs[:, 0])
            chosen = _pick(lattice, rel, rel, rank, hidden, usable)
            if len(chosen):
                hidden[chosen] = True
                continue
        leaks = np.flatnonzero(derivable_cells(lattice, n, known, protected))
        if not len(leaks):
            return hidden
        candidate = usable & ~hidden
        chosen = np.unique([_break(lattice, known, h, candidate, rank) for h in leaks[:20]])
        chosen = chosen[chosen >= 0]
        if not len(chosen):  # no derivation found: confirm exactly, then hide what is left
            exact = derivable_cells(lattice, n, known, protected, dense_limit=len(n))
            if not exact.any():
                return hidden
            chosen = np.flatnonzero(candidate)
            if not len(chosen):
                return None
        hidden[chosen] = True
    return None


def _leaks(lattice: Lattice, n: np.ndarray, hidden: np.ndarray, secret: np.ndarray
           ) -> np.ndarray:
    publishable = lattice.cells["publishable"].to_numpy()
    known = (publishable & ~hidden) | (n <= 0)
    return derivable_cells(lattice, n, known, (hidden | secret) & ~known)


def _improve(lattice: Lattice, n: np.ndarray, start: np.ndarray, secret: np.ndarray,
             rank: np.ndarray, usable: np.ndarray, hidden: np.ndarray,
             swaps: int) -> np.ndarray:
    """Local search on a safe `hidden`: (1) publish again each complement (dearest first)
    whose hiding no longer protects anything (with the complements that then follow from it
    and protect nothing else); (2) for each of the `swaps` dearest complements,
    publish it, protect what it protected by `repair` without it, drop what is then
    redundant, and keep the result when it costs less. Every step keeps `hidden` safe."""

    def prune(mask: np.ndarray) -> np.ndarray:
        for c in _by_cost(mask & ~start, rank):
            if not mask[c]:
                continue
            trial = mask.copy()
            trial[c] = False
            for _ in range(8):  # complements that only protected each other go together
                leaked = _leaks(lattice, n, trial, secret)
                if not leaked.any() or (leaked & (start | secret)).any():
                    break
                trial &= ~leaked
            if not leaked.any():
                mask = trial
        return mask

    hidden = prune(hidden)
    for c in _by_cost(hidden & ~start, rank)[:swaps]:
        if not hidden[c]:
            continue
        trial = hidden.copy()
        trial[c] = False
        keep = usable.copy()
        keep[c] = False
        repaired = repair(lattice, n, trial, secret, rank, keep, max_rounds=200)
        if repaired is None:
            continue
        repaired = prune(repaired)
        if rank[repaired].sum() < rank[hidden].sum() - 1e-9:
            hidden = repaired
    return hidden


def _by_cost(mask: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """The cells of `mask`, dearest first (ties: cell position)."""
    cells = np.flatnonzero(mask)
    return cells[np.argsort(-rank[cells], kind="stable")]
