"""The org tree's operations cost time linear in units, whatever the depth.

Pinned structurally (no timings): a chain 5,000 levels deep is ordered, levelled and rolled up
correctly without recursion; subtree sums equal the sums over the (ancestor, unit) closure on
random trees; and a year's results never build that closure (units x depth rows).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hme_core import orgtree
from hme_core.orgtree import Tree, closure, depths, levels, rollup, tree_order
from hme_core.scoring.statistics import answer_statistics, rollup_statistics
from tests.fixtures import hme_row, make_responses

DEPTH = 5_000


def _chain(depth: int) -> pd.DataFrame:
    codes = [f"D{i:05d}" for i in range(depth)]
    return pd.DataFrame({"unit": codes, "name": [f"Nivå {i + 1}" for i in range(depth)],
                         "parent": [None, *codes[:-1]]}).astype("string")


def _random_tree(seed: int, units: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codes = [f"u{i}" for i in rng.permutation(units)]  # file order is not tree order
    parents = [None] + [codes[rng.integers(0, i)] for i in range(1, units)]
    order = rng.permutation(units)
    return pd.DataFrame({"unit": np.array(codes)[order], "name": np.array(codes)[order],
                         "parent": np.array(parents, dtype=object)[order]}).astype("string")


def test_a_chain_5000_levels_deep_is_ordered_levelled_and_walked_without_recursion():
    org = _chain(DEPTH).iloc[::-1].reset_index(drop=True)  # the file lists the deepest first
    assert tree_order(org) == [f"D{i:05d}" for i in range(DEPTH)]
    assert levels(org)["D04999"] == DEPTH and levels(org)["D00000"] == 1
    assert depths(org).tolist() == list(range(DEPTH - 1, -1, -1))
    tree = Tree(org)
    assert tree.ancestors("D04999") == [f"D{i:05d}" for i in range(DEPTH - 2, -1, -1)]
    assert tree.path_names("D00002") == ["Nivå 1", "Nivå 2", "Nivå 3"]
    assert tree.children("D00000") == ["D00001"] and tree.children("D04999") == []


def test_a_chain_5000_levels_deep_rolls_up_every_level():
    # one respondent-like row per level with value 1: the unit at depth d has DEPTH - d below
    # it (itself included); a second group only at the deepest unit reaches every level as 1
    org = _chain(DEPTH)
    pos = np.r_[np.arange(DEPTH), DEPTH - 1]
    group = np.r_[np.zeros(DEPTH, int), 1]
    unit, grp, sums = rollup(org, pos, group, np.ones((DEPTH + 1, 1)))
    got = pd.Series(sums[:, 0], index=pd.MultiIndex.from_arrays([unit, grp])).sort_index()
    assert got.xs(0, level=1).tolist() == list(range(DEPTH, 0, -1))
    assert got.xs(1, level=1).tolist() == [1.0] * DEPTH


@pytest.mark.parametrize("seed", range(6))
def test_subtree_statistics_equal_the_sums_over_the_closure(instruments, seed):
    org = _random_tree(seed, 40 + 20 * seed)
    rng = np.random.default_rng(seed)
    units = rng.choice(org["unit"].to_numpy(), 300)
    rows = [hme_row(u, list(rng.integers(1, 6, 9))) for u in units]
    responses = make_responses(rows)
    responses["sex"] = pd.array(rng.choice(["kvinna", "man", None], len(rows)), dtype="string")
    for by in (("unit",), ("unit", "sex")):
        stats = answer_statistics(responses, instruments, by=by)
        flat = stats.reset_index()
        pairs = closure(org)[["ancestor", "unit"]].merge(flat, on="unit", how="inner")
        other = list(by[1:])
        expected = (pairs.drop(columns="unit").groupby(["ancestor", *other], sort=True).sum()
                    .rename_axis(["unit", *other]))
        got = rollup_statistics(stats, org)
        assert got.index.tolist() == expected.index.tolist()
        pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12,
                                      check_index_type=False)


def test_a_years_results_never_build_the_ancestor_closure(instruments, monkeypatch):
    from hme_core.config import Settings
    from hme_core.results.tables import year_results

    def refuse(org):
        raise AssertionError("closure() costs units x depth rows")

    import sys

    import hme_core.results.tables  # noqa: F401  (loads every module the results use)

    for module in [m for name, m in sys.modules.items() if name.startswith("hme_core")]:
        if getattr(module, "closure", None) is orgtree.closure:  # also `from ... import`
            monkeypatch.setattr(module, "closure", refuse)
    org = _chain(60)
    rows = [hme_row(u, [4] * 9) for u in org["unit"] for _ in range(3)]
    headcounts = pd.DataFrame({"unit": org["unit"], "year": 2025, "employees": 4})
    tables = year_results(make_responses(rows), org, headcounts, instruments, Settings(), 2025)
    scores = tables["scores"].set_index(["unit", "index"])
    assert scores.loc[("D00000", "hme"), "n"] == 180  # 3 respondents on each of 60 levels
    assert scores.loc[("D00059", "hme"), "employees"] == 4
    assert scores.loc[("D00000", "hme"), "employees"] == 240
    assert scores.loc[("D00059", "hme"), "level"] == 60
