"""LMG relative importance against an all-subsets R² computed by hand and against pingouin."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from hme_core.research.keydrivers import lmg, min_n, relative_importance


def _r2(x: np.ndarray, y: np.ndarray) -> float:
    """R² of an OLS fit with intercept (numpy least squares, independent of the module)."""
    if x.shape[1] == 0:
        return 0.0
    design = np.column_stack([np.ones(len(y)), x])
    fitted = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    return 1 - np.sum((y - fitted) ** 2) / np.sum((y - y.mean()) ** 2)


@pytest.fixture
def three():
    rng = np.random.default_rng(7)
    a = rng.normal(size=60)
    b = 0.6 * a + rng.normal(size=60)
    c = rng.normal(size=60)
    y = 1.0 * a + 0.5 * b + 0.2 * c + rng.normal(size=60)
    return np.column_stack([a, b, c]), y


def test_lmg_shares_equal_the_average_over_orders_of_all_subset_r2_gains(three):
    x, y = three
    r = {s: _r2(x[:, list(s)], y) for s in [(), (0,), (1,), (2,), (0, 1), (0, 2), (1, 2), (0, 1, 2)]}
    # 3 predictors, 6 orders: a enters first in 2 orders (weight 1/3), second after b or after c
    # (1/6 each), last in 2 orders (1/3)
    a = r[(0,)] / 3 + (r[(0, 1)] - r[(1,)]) / 6 + (r[(0, 2)] - r[(2,)]) / 6 + (r[(0, 1, 2)] - r[(1, 2)]) / 3
    b = r[(1,)] / 3 + (r[(0, 1)] - r[(0,)]) / 6 + (r[(1, 2)] - r[(2,)]) / 6 + (r[(0, 1, 2)] - r[(0, 2)]) / 3
    c = r[(2,)] / 3 + (r[(0, 2)] - r[(0,)]) / 6 + (r[(1, 2)] - r[(1,)]) / 6 + (r[(0, 1, 2)] - r[(0, 1)]) / 3
    shares = lmg(x, y)
    np.testing.assert_allclose(shares, [a, b, c], atol=1e-12)
    assert shares.sum() == pytest.approx(r[(0, 1, 2)], abs=1e-12)


def test_lmg_shares_agree_with_pingouin_relimp(three):
    x, y = three
    ref = pg.linear_regression(pd.DataFrame(x, columns=["a", "b", "c"]), y, relimp=True)
    np.testing.assert_allclose(lmg(x, y), ref["relimp"].iloc[1:].to_numpy(), atol=1e-10)


def test_relative_importance_ranks_with_seeded_intervals_and_same_numbers_twice(three):
    x, y = three
    df = pd.DataFrame(x, columns=["a", "b", "c"]).assign(y=y)
    first = relative_importance(df, "y", ["a", "b", "c"], n_boot=50, seed=1)
    again = relative_importance(df, "y", ["a", "b", "c"], n_boot=50, seed=1)
    pd.testing.assert_frame_equal(first, again)
    assert first["predictor"].tolist()[0] == "a" and first["rank"].tolist() == [1, 2, 3]
    assert first["share"].sum() == pytest.approx(100)
    assert (first["ci_low"] <= first["lmg"]).all() and (first["lmg"] <= first["ci_high"]).all()


def test_relative_importance_is_not_shown_below_max_30_or_10_per_predictor(three):
    x, y = three
    df = pd.DataFrame(x, columns=["a", "b", "c"]).assign(y=y)
    assert min_n(3) == 30 and min_n(4) == 40
    assert relative_importance(df.head(29), "y", ["a", "b", "c"]).empty
    assert len(relative_importance(df.head(30), "y", ["a", "b", "c"], n_boot=10)) == 3
