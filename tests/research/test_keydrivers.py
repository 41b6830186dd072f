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


@pytest.fixture
def weak():
    """Small n, predictors unrelated to y: LMG is biased upwards, so percentile intervals of
    several predictors lie wholly above their estimates."""
    rng = np.random.default_rng(11)
    df = pd.DataFrame(rng.normal(size=(40, 4)), columns=["a", "b", "c", "y"])
    return df


def test_percentile_intervals_need_not_contain_the_estimate_and_say_so(weak):
    out = relative_importance(weak, "y", ["a", "b", "c"], n_boot=200, seed=3)
    assert (out["ci_method"] == "percentile").all()
    outside = out[~out["ci_contains"]]
    assert len(outside) and (outside["ci_low"] > outside["lmg"]).all()


def test_bias_corrected_intervals_follow_efron_and_tibshirani(weak):
    # BC: z0 = Phi^-1(share of resamples below the estimate); the bounds are the resamples'
    # quantiles Phi(2 z0 -/+ 1.96), computed here with scipy on the same resamples
    from scipy import stats

    from hme_core.research.keydrivers import bootstrap_interval

    rng = np.random.default_rng(2)
    boots = rng.gamma(2.0, 0.01, size=(400, 1))
    point = np.array([0.01])
    z0 = stats.norm.ppf(np.mean(boots[:, 0] < 0.01))
    low, high = bootstrap_interval(boots, point, 0.95, "bc")
    assert low[0] == pytest.approx(np.quantile(boots[:, 0], stats.norm.cdf(2 * z0 - 1.959964)), rel=1e-6)
    assert high[0] == pytest.approx(np.quantile(boots[:, 0], stats.norm.cdf(2 * z0 + 1.959964)), rel=1e-6)
    out = relative_importance(weak, "y", ["a", "b", "c"], n_boot=200, seed=3, ci_method="bc")
    assert (out["ci_method"] == "bc").all() and out["ci_contains"].sum() >= 2


def test_key_driver_chart_draws_intervals_that_do_not_contain_the_estimate(weak):
    # the crash of a one-year store: xerr = lmg - ci_low was negative
    import matplotlib

    matplotlib.use("Agg")
    from hme_core.research.charts import key_driver_bars

    out = relative_importance(weak, "y", ["a", "b", "c"], n_boot=200, seed=3)
    assert (out["ci_low"] > out["lmg"]).any()
    fig = key_driver_bars(out, {"a": "A"}, ",")
    lines = [line for line in fig.axes[0].lines if len(line.get_xdata()) == 2]
    drawn = sorted(tuple(np.round(line.get_xdata(), 9)) for line in lines[::2])
    assert drawn == sorted(tuple(np.round(v, 9)) for v in out[["ci_low", "ci_high"]].to_numpy())
