"""Suppression's memory grows with the relations' size, not its square: a flat tree (a root
with 20,000 children, 2 answers each, all hidden) is decided within a small, fixed budget.
The audit's components are those of the cells x cells product, found without building it."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from hme_core.disclosure.secondary import _column_components, build_lattice, suppress


def test_components_equal_those_of_the_cells_by_cells_product():
    rng = np.random.default_rng(5)
    for _ in range(20):
        m = sparse.random(40, 60, density=0.04, random_state=rng, format="csr")
        m = m[np.flatnonzero(np.diff(m.indptr) > 0)]  # rows all nonempty, as the audit has
        n_comp, label = _column_components(m)
        want_n, want = connected_components(abs(m).T @ abs(m), directed=False)
        assert n_comp == want_n and (label == want).all()


def test_a_root_with_20000_small_children_is_suppressed_in_under_100_mb():
    k = 20_000
    units = ["R", *(f"U{i:05d}" for i in range(k))]
    org = pd.DataFrame({"unit": units, "parent": [None, *["R"] * k]})
    lattice = build_lattice(org)
    n = np.r_[2.0 * k, np.full(k, 2.0), 0.0]  # root, children, the root's own (none)
    primary = np.r_[False, np.ones(k, bool), False]
    tracemalloc.start()
    try:
        hidden = suppress(lattice, n, primary)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert hidden[1:k + 1].all() and not hidden[0]  # the children hidden, the root shown
    assert peak < 100 * 2**20, f"{peak / 2**20:.0f} MB"
