"""Which unknowns of a linear system are fixed (the same in every solution): the block
solvers of the disclosure audit (`secondary.derivable_cells`).

With A the relations restricted to the unknown cells, unknown j is fixed iff `e_j` lies in the
row space of A, i.e. iff every vector of A's null space is 0 at j. The system splits into
connected components of unknowns, solved block by block: small blocks by one batched SVD per
shape, large ones by a rank-revealing QR (SVD where not clear-cut), very large ones by a
conservative projection test (`_fixed_columns`). Pure functions on numpy/scipy; no I/O.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order, connected_components
from scipy.sparse.linalg import lsqr

_TOL = 1e-9
_LARGE = 40  # blocks of this many cells are solved one by one and remembered


def merge_pairs(sub: sparse.csr_matrix) -> tuple[sparse.csr_matrix, np.ndarray]:
    """The system `sub x = 0` with its two-unknown relations substituted away: (reduced, column).

    A relation `a x_i + b x_j = 0` makes `x_j = -(a / b) x_i`, so the unknowns linked by such
    relations are one unknown (the first of the group) times a factor: `x = S y`, with S
    holding unknown j's factor in `column[j]`. Then `reduced = sub S` (zero rows dropped;
    the substituted relations become zero, any other relation among a group 0 or a multiple
    of its unknown) and null(sub) = S null(reduced), so unknown j is fixed in `sub` iff
    `column[j]` is fixed in `reduced`. Exact: the factors are ratios of entries (here +-1).
    """
    k = sub.shape[1]
    pair = np.flatnonzero(np.diff(sub.indptr) == 2)
    at = sub.indptr[pair]
    # 64-bit: an edge's key i * (k + 1) + j passes 2**31 from k = 46,341 unknowns on
    i, j = sub.indices[at].astype(np.int64), sub.indices[at + 1].astype(np.int64)
    a, b = sub.data[at], sub.data[at + 1]
    links = sparse.csr_matrix((np.ones(len(pair)), (i, j)), shape=(k, k))
    _, group = connected_components(links, directed=False)
    _, first = np.unique(group, return_index=True)  # the first unknown of each group
    # a spanning forest of the links: breadth first from a virtual node k joined to the firsts
    graph = sparse.csr_matrix((np.ones(2 * len(pair) + len(first)),
                               (np.r_[i, j, np.full(len(first), k)], np.r_[j, i, first])),
                              shape=(k + 1, k + 1))
    _, up = breadth_first_order(graph, k, directed=True, return_predecessors=True)
    up[k] = k
    # factor of each unknown relative to the one above it: x_child = f x_parent
    edge = np.r_[i * (k + 1) + j, j * (k + 1) + i]
    ratio = np.r_[-a / b, -b / a]
    order = np.argsort(edge)
    step = up[:k] != k
    factor = np.ones(k + 1)
    factor[:k][step] = ratio[order[np.searchsorted(
        edge[order], up[:k][step].astype(np.int64) * (k + 1) + np.flatnonzero(step))]]
    while (up != k).any():  # pointer jumping: factors relative to the group's first unknown
        factor, up = factor * factor[up], up[up]
    column = np.searchsorted(first, first[group])
    reduced = (sub @ sparse.csr_matrix((factor[:k], (np.arange(k), column)),
                                       shape=(k, len(first)))).tocsr()
    reduced.eliminate_zeros()
    return reduced[np.flatnonzero(np.diff(reduced.indptr) > 0)], column


def fixed_by_component(cache: dict, key, sub: sparse.csr_matrix,
                       label: np.ndarray, n_comp: int, wanted: np.ndarray,
                       dense_limit: int) -> np.ndarray:
    """`_fixed_columns` of every connected component of `sub` (the relations restricted to the
    `unknown` cells, rows all nonempty) holding a `wanted` column, as a mask over its columns.

    A component's block is its rows and columns in their order in `sub`, exactly the matrix
    a loop over components would slice out; all blocks are cut out in one pass. Small blocks
    of one shape are solved in one batched SVD, so their cost grows with the number of cells,
    not with cells x components; large ones one by one (`_fixed_large`). A block is a function
    of its set of cells alone (a component holds every unknown of each relation it touches),
    so the answer for a large set of cells already solved on this lattice is reused (`cache`:
    the lattice's `solved`, by `key(columns)`, the bytes of the block's cells).
    """
    fixed = np.zeros(sub.shape[1], bool)
    row_comp = label[sub.indices[sub.indptr[:-1]]]  # a row's columns share its component
    n_cols = np.bincount(label, minlength=n_comp)
    n_rows = np.bincount(row_comp, minlength=n_comp)
    todo = (np.bincount(label, weights=wanted, minlength=n_comp) > 0) & (n_rows > 0)
    by_comp = np.argsort(label, kind="stable")  # columns grouped by component, in order
    col_start = np.concatenate([[0], np.cumsum(n_cols)])
    for c in np.flatnonzero(todo & (n_cols >= _LARGE)):
        cols = by_comp[col_start[c]:col_start[c + 1]]
        found = cache.get((n_cols[c] > dense_limit, key(cols)))
        if found is not None:
            fixed[cols] = found
            todo[c] = False
    if not todo.any():
        return fixed
    col_local = _rank_within(label, n_comp)
    row_local = _rank_within(row_comp, n_comp)
    coo = sub.tocoo()
    comp = row_comp[coo.row]
    shape = n_rows * (int(n_cols.max()) + 1) + n_cols
    comps = np.flatnonzero(todo)
    comps = comps[np.argsort(shape[comps], kind="stable")]
    slot = np.full(n_comp, -1)
    slot[comps] = np.arange(len(comps))
    nz = np.flatnonzero(todo[comp])
    nz = nz[np.argsort(slot[comp[nz]], kind="stable")]  # nonzeros in the order of `comps`
    first_nz = np.searchsorted(slot[comp[nz]], np.arange(len(comps) + 1))
    bounds = np.flatnonzero(np.diff(shape[comps], prepend=-1, append=-1))
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):  # one batch per block shape
        group = comps[lo:hi]
        m, k = int(n_rows[group[0]]), int(n_cols[group[0]])
        at = nz[first_nz[lo]:first_nz[hi]]
        cols = by_comp[(col_start[group][:, None] + np.arange(k)).ravel()].reshape(-1, k)
        if k < _LARGE:
            dense = np.zeros((len(group), m, k))
            dense[slot[comp[at]] - lo, row_local[coo.row[at]], col_local[coo.col[at]]] = \
                coo.data[at]
            fixed[cols.ravel()] = _fixed_dense(dense).ravel()
            continue
        for i in range(len(group)):  # large blocks: few (at most cells / _LARGE)
            one = at[first_nz[lo + i] - first_nz[lo]:first_nz[lo + i + 1] - first_nz[lo]]
            block = sparse.csr_matrix((coo.data[one], (row_local[coo.row[one]],
                                                       col_local[coo.col[one]])), shape=(m, k))
            ok = _fixed_large(block, dense_limit)
            fixed[cols[i]] = cache[k > dense_limit, key(cols[i])] = ok
    return fixed


def _fixed_large(block: sparse.csr_matrix, dense_limit: int) -> np.ndarray:
    """`_fixed_columns` of one large block. Up to `dense_limit` cells a rank-revealing QR
    decides (several times cheaper than the SVD): with `block[:, p] = Q [R11 R12]`, the null
    space is spanned by the columns of `p`-ordered `[-inv(R11) R12; I]`, and whether a row of
    the null space vanishes does not depend on the basis, so a cell is fixed iff it is a
    pivot whose row of `inv(R11) R12` is 0. Where the rank or a row is not clear-cut (no gap
    of 1e4 around the tolerance), the SVD of `_fixed_columns` decides."""
    m, k = block.shape
    if k > dense_limit:
        return _fixed_columns(block, dense_limit)
    r, perm = scipy.linalg.qr(block.toarray(), pivoting=True, mode="r")
    d = np.abs(np.diag(r))
    tol = d[0] * np.finfo(float).eps * max(m, k)
    rank = int((d > tol).sum())
    x = scipy.linalg.solve_triangular(r[:rank, :rank], r[:rank, rank:])
    row = np.abs(x).max(axis=1, initial=0.0)
    if ((d > tol) & (d < 1e4 * tol)).any() or ((row >= _TOL) & (row < 1e4 * _TOL)).any():
        return _fixed_columns(block, dense_limit)
    fixed = np.zeros(k, bool)
    fixed[perm[:rank]] = row < _TOL
    return fixed


def _rank_within(group: np.ndarray, n_groups: int) -> np.ndarray:
    """Position of each element among the elements of its group, in order of appearance."""
    order = np.argsort(group, kind="stable")
    start = np.concatenate([[0], np.cumsum(np.bincount(group, minlength=n_groups))])
    rank = np.empty(len(group), np.int64)
    rank[order] = np.arange(len(group)) - start[group[order]]
    return rank


def _fixed_dense(blocks: np.ndarray, chunk_bytes: int = 64 * 2**20) -> np.ndarray:
    """`_fixed_columns` of a stack of dense blocks of one shape (B, m, k): the null space by
    SVD exactly as `scipy.linalg.null_space` takes it (rank: singular values above
    max(m, k) * eps * the largest), fixed where its rows vanish."""
    b, m, k = blocks.shape
    per = max(1, chunk_bytes // (8 * (m * m + k * k + m * k)))
    out = np.empty((b, k), bool)
    eps = np.finfo(float).eps * max(m, k)
    for lo in range(0, b, per):
        _, s, vh = np.linalg.svd(blocks[lo:lo + per], full_matrices=True)
        tol = s.max(axis=1, initial=0.0) * eps
        rank = (s > tol[:, None]).sum(axis=1)
        null_row = np.arange(k)[None, :, None] >= rank[:, None, None]  # rows of vh past rank
        norm = np.sqrt(np.where(null_row, vh * vh, 0.0).sum(axis=1))
        out[lo:lo + per] = norm < _TOL
    return out


def _fixed_columns(block: sparse.csr_matrix, dense_limit: int = 600) -> np.ndarray:
    """Columns j with e_j in the row space of `block` (the same in every solution).

    Small blocks: orthonormal null space by SVD, fixed where its rows vanish. Large blocks:
    projections of two random vectors onto the null space (LSQR); a column where a verified
    null vector is nonzero is certainly free, every other one counts as fixed (conservative).
    """
    if block.shape[1] <= dense_limit:
        null = scipy.linalg.null_space(block.toarray())
        return np.linalg.norm(null, axis=1) < _TOL if null.size else np.ones(block.shape[1], bool)
    rng = np.random.default_rng(0)
    fixed = np.ones(block.shape[1], bool)
    transposed = block.T.tocsr()
    for _ in range(2):
        r = rng.standard_normal(block.shape[1])
        y = lsqr(transposed, r, atol=1e-14, btol=1e-14, iter_lim=50 * block.shape[1])[0]
        p = r - transposed @ y
        if np.linalg.norm(block @ p) > 1e-8 * max(np.linalg.norm(p), 1.0):
            return _fixed_columns(block, dense_limit=block.shape[1])  # LSQR fell short
        fixed &= np.abs(p) < 1e-6
    return fixed
