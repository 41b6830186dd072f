"""The audit's batched solver decides exactly as the plain one: one SVD null space per
connected component of unknown cells (the reference below, the audit before it was batched).

`derivable_cells` cuts every component's block out in one pass, solves small blocks of one
shape in one batched SVD, large ones by a rank-revealing QR (SVD where not clear-cut), and
reuses answers per lattice. None of that may change which cell is derivable.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.linalg
from scipy.sparse.csgraph import connected_components

from hme_core.disclosure import blocks, secondary
from hme_core.disclosure.blocks import _TOL
from hme_core.disclosure.secondary import build_lattice, derivable_cells


def _reference(lattice, n, published, protected):
    """The audit as one SVD null space per component, each block sliced out on its own."""
    members = lattice.members
    known0 = published | (np.asarray(n) <= 0)
    protected = protected & ~known0
    known, leaked, _ = secondary._peel(members, known0, protected, learn_protected=True)
    unknown = np.flatnonzero(~known)
    if not len(unknown):
        return leaked
    sub = lattice.relations[:, unknown].tocsr()
    sub = sub[np.flatnonzero(np.diff(sub.indptr) > 0)]
    if not sub.shape[0]:
        return leaked
    n_comp, label = connected_components(abs(sub).T @ abs(sub), directed=False)
    for comp in range(n_comp):
        cols = np.flatnonzero(label == comp)
        if not protected[unknown[cols]].any():
            continue
        block = sub[:, cols].tocsr()
        block = block[np.flatnonzero(np.diff(block.indptr) > 0)].toarray()
        null = scipy.linalg.null_space(block)
        fixed = np.linalg.norm(null, axis=1) < _TOL if null.size else np.ones(len(cols), bool)
        leaked[unknown[cols[fixed]]] |= protected[unknown[cols[fixed]]]
    return leaked


def _random_case(seed: int, units: int):
    """A random tree with two breakdowns; small n everywhere, so that many cells are hidden
    and the unknown cells form components of every size."""
    rng = np.random.default_rng(seed)
    parents = [None] + [f"u{rng.integers(0, max(1, i // 2 + 1))}" for i in range(1, units)]
    org = pd.DataFrame({"unit": [f"u{i}" for i in range(units)], "parent": parents})
    lattice = build_lattice(org, {"sex": ["k", "m"], "role": ["c", "m"]}, ["?"])
    cells = len(lattice.cells)
    n = rng.integers(0, 14, cells).astype(float)
    publishable = lattice.cells["publishable"].to_numpy()
    hidden = rng.random(cells) < rng.uniform(0.2, 0.7)
    published = publishable & ~hidden
    protected = (hidden & publishable) | (~publishable & (n < 5))
    return lattice, n, published, protected


@pytest.mark.parametrize("large", [2, 40])
@pytest.mark.parametrize("seed", range(12))
def test_batched_audit_finds_the_same_derivable_cells_as_one_svd_per_component(
        seed, large, monkeypatch):
    # large=2 sends every block through the QR path, 40 mixes batched SVDs and QRs
    monkeypatch.setattr(blocks, "_LARGE", large)
    lattice, n, published, protected = _random_case(seed, units=30 + 15 * seed)
    expected = _reference(lattice, n, published, protected)
    got = derivable_cells(lattice, n, published, protected)
    assert got.tolist() == expected.tolist()
    again = derivable_cells(lattice, n, published, protected)  # answered from `solved`
    assert again.tolist() == expected.tolist()


def test_some_random_case_has_leaks_and_large_components():
    # guards the test above against passing vacuously
    lattice, n, published, protected = _random_case(11, units=195)
    leaked = _reference(lattice, n, published, protected)
    assert leaked.any() and not leaked.all()
    derivable_cells(lattice, n, published, protected)
    assert any(len(np.frombuffer(cells, np.int64)) >= blocks._LARGE
               for _, cells in lattice.solved)


def _reference_derivation(lattice, known, cell):
    """The derivation as one LSQR over every unknown cell of the lattice."""
    from scipy.sparse.linalg import lsqr

    unknown = np.flatnonzero(~known)
    target = np.zeros(len(unknown))
    target[np.searchsorted(unknown, cell)] = 1.0
    a_unknown = lattice.relations[:, unknown].T.tocsr()
    y = lsqr(a_unknown, target, atol=1e-12, btol=1e-12, iter_lim=20 * len(unknown) + 100)[0]
    if np.linalg.norm(a_unknown @ y - target) > 1e-6:
        return np.zeros(len(known))
    weights = -(lattice.relations.T @ y)
    weights[~known] = 0.0
    return weights


@pytest.mark.parametrize("seed", range(6))
def test_a_derivation_solved_on_its_component_equals_the_whole_system(seed):
    lattice, n, published, protected = _random_case(seed, units=40 + 10 * seed)
    known = published | (n <= 0)
    leaks = np.flatnonzero(_reference(lattice, n, published, protected))
    hidden = np.flatnonzero(~known)[:5]
    assert len(leaks)  # some cell is derivable, so some derivation has weights
    for cell in [*leaks[:5], *hidden]:
        expected = _reference_derivation(lattice, known, cell)
        got = secondary.derivation(lattice, known, cell)
        np.testing.assert_allclose(got, expected, atol=1e-9)
        assert (np.abs(got) > 1e-6).tolist() == (np.abs(expected) > 1e-6).tolist()


@pytest.mark.parametrize("seed", range(6))
def test_the_component_of_a_cell_is_its_component_among_all_unknowns(seed):
    # `derivation` solves the component `_component` finds (on the graph of cells and
    # relations); the reference labels every unknown through the cells x cells product
    lattice, n, published, protected = _random_case(seed, units=40 + 10 * seed)
    unknown = ~(published | (n <= 0))
    cells = np.flatnonzero(unknown)
    sub = lattice.members[:, cells]
    _, label = connected_components(sub.T @ sub, directed=False)
    for at in range(0, len(cells), 7):
        expected = cells[label == label[at]]
        assert secondary._component(lattice, unknown, cells[at]).tolist() == expected.tolist()


def _fixed_by_svd(matrix):
    null = scipy.linalg.null_space(matrix)
    return np.linalg.norm(null, axis=1) < _TOL if null.size else np.ones(matrix.shape[1], bool)


@pytest.mark.parametrize("seed", range(20))
def test_substituting_two_unknown_relations_keeps_the_fixed_unknowns(seed):
    # many relations of two unknowns, in chains and in cycles of either sign (x = y and
    # x = -y fix both), plus some longer relations: fixed in the system iff fixed in the
    # reduced one
    from scipy import sparse

    rng = np.random.default_rng(seed)
    k = int(rng.integers(5, 40))
    rows = [rng.choice(k, 2, replace=False) for _ in range(int(rng.integers(1, 2 * k)))]
    rows += [rng.choice(k, int(rng.integers(3, 6)), replace=False)
             for _ in range(int(rng.integers(0, k // 3 + 1)))]
    dense = np.zeros((len(rows), k))
    for r, cols in enumerate(rows):
        dense[r, cols] = rng.choice([-1.0, 1.0], len(cols))
    reduced, column = blocks.merge_pairs(sparse.csr_matrix(dense))
    expected = _fixed_by_svd(dense)
    got = _fixed_by_svd(reduced.toarray())[column] if reduced.shape[0] else \
        np.zeros(k, bool)
    assert got.tolist() == expected.tolist()


def test_substitution_keys_do_not_overflow_past_46341_unknowns():
    """An edge's key i * (k + 1) + j passes 2**31 from k = 46,341 unknowns: with 32-bit keys
    the relation x_35790 = x_47858 among 60,000 unknowns was looked up past the end (the
    ingest of a 50,051-unit organisation crashed). Both unknowns are one substituted unknown."""
    from scipy import sparse

    k, p, c = 60_000, 35_790, 47_858  # 35,790 * 60,001 wraps to 2**31 - 1 - 47,857 in 32 bits
    sub = sparse.csr_matrix((np.array([1.0, -1.0]), (np.array([0, 0]), np.array([p, c]))),
                            shape=(1, k))
    reduced, column = blocks.merge_pairs(sub)
    assert column[p] == column[c]
    assert reduced.shape[0] == 0  # the one relation is substituted away
