"""Unit-level correlations against hand computations, scipy, statsmodels and pingouin."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from hme_core.errors import HMEError
from hme_core.research.correlations import (
    change_on_change,
    change_scores,
    correlations,
    fisher_ci,
    partial_correlations,
    weighted_correlations,
)

X = [1, 2, 3, 4, 5, 6, 7, 8]
Y = [2, 1, 4, 3, 7, 8, 6, 9]


@pytest.fixture
def small():
    return pd.DataFrame({"hme": X, "sick": Y})


def test_pearson_r_and_ci_match_fisher_z_by_hand(small):
    # Sxy = 45, Sxx = 42, Syy = 60 -> r = 45 / sqrt(42 * 60) = 0.896421
    # z = atanh(0.896421) = 1.453697; se = 1 / sqrt(8 - 3) = 0.447214
    # z -/+ 1.959964 * se = 0.577182 .. 2.330212 -> tanh -> CI 0.520609 .. 0.981253
    out = correlations(small, ["hme"], ["sick"]).iloc[0]
    assert out["n"] == 8
    assert out["r"] == pytest.approx(45 / math.sqrt(42 * 60), abs=1e-12)
    assert out["r"] == pytest.approx(0.896421, abs=1e-6)
    assert out["ci_low"] == pytest.approx(0.520609, abs=1e-6)
    assert out["ci_high"] == pytest.approx(0.981253, abs=1e-6)
    ref = stats.pearsonr(X, Y)
    assert out["p"] == pytest.approx(ref.pvalue, rel=1e-9)  # 0.0025668


def test_spearman_matches_scipy_with_ties():
    df = pd.DataFrame({"a": [1, 2, 2, 3, 5, 4, 7, 9, 8, 6], "b": [3, 1, 2, 2, 6, 5, 9, 8, 7, 7]})
    out = correlations(df, ["a"], ["b"], method="spearman").iloc[0]
    ref = stats.spearmanr(df["a"], df["b"])
    assert out["r"] == pytest.approx(ref.statistic, abs=1e-12)
    assert out["p"] == pytest.approx(ref.pvalue, rel=1e-9)
    # Fieller's variance 1.06 / (n - 3): CI = tanh(atanh(r) -/+ 1.959964 sqrt(1.06 / 7))
    half = 1.959963985 * math.sqrt(1.06 / 7)
    assert out["ci_low"] == pytest.approx(math.tanh(math.atanh(ref.statistic) - half), abs=1e-9)
    assert out["ci_high"] == pytest.approx(math.tanh(math.atanh(ref.statistic) + half), abs=1e-9)


def test_holm_and_bh_adjustment_match_hand_computation():
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.normal(size=(30, 4)), columns=["x", "y1", "y2", "y3"])
    df["y1"] += df["x"]
    holm = correlations(df, ["x"], ["y1", "y2", "y3"], padjust="holm")
    p = holm["p"].to_numpy()
    order = np.argsort(p)
    # Holm: sorted p_(i) * (m - i + 1), running maximum, capped at 1
    hand = np.minimum(np.maximum.accumulate(p[order] * (3 - np.arange(3))), 1)
    assert np.allclose(holm["p_adj"].to_numpy()[order], hand)
    bh = correlations(df, ["x"], ["y1", "y2", "y3"], padjust="fdr_bh")
    # BH: p_(i) * m / i, running minimum from the top
    hand_bh = np.minimum.accumulate((p[order] * 3 / np.arange(1, 4))[::-1])[::-1]
    assert np.allclose(bh["p_adj"].to_numpy()[order], np.minimum(hand_bh, 1))


def test_pairwise_deletion_and_too_few_pairs():
    df = pd.DataFrame({"a": [1, 2, np.nan, 4, 5], "b": [2, 1, 3, np.nan, 6], "c": [1, np.nan, np.nan, np.nan, 2]})
    out = correlations(df, ["a"], ["b", "c"], padjust="none")
    assert out.loc[0, "n"] == 3
    assert out.loc[0, "r"] == pytest.approx(stats.pearsonr([1, 2, 5], [2, 1, 6]).statistic)
    assert out.loc[1, "n"] == 2 and np.isnan(out.loc[1, "r"]) and np.isnan(out.loc[1, "p_adj"])


def test_unknown_method_is_refused(small):
    with pytest.raises(HMEError, match="method='kendall'"):
        correlations(small, ["hme"], ["sick"], method="kendall")


def test_partial_correlation_equals_residual_regression_and_pingouin():
    rng = np.random.default_rng(3)
    size = rng.uniform(5, 60, 40)
    hme = 78 + 0.05 * size + rng.normal(0, 3, 40)
    sick = 7 - 0.2 * hme + 0.03 * size + rng.normal(0, 1, 40)
    df = pd.DataFrame({"hme": hme, "sick": sick, "n": size})
    out = partial_correlations(df, ["hme"], ["sick"], covar="n").iloc[0]
    design = np.column_stack([np.ones(40), size])
    ex = hme - design @ np.linalg.lstsq(design, hme, rcond=None)[0]
    ey = sick - design @ np.linalg.lstsq(design, sick, rcond=None)[0]
    assert out["r"] == pytest.approx(np.corrcoef(ex, ey)[0, 1], abs=1e-12)
    ref = pg.partial_corr(df, x="hme", y="sick", covar="n")
    assert out["r"] == pytest.approx(ref["r"].iloc[0], abs=1e-10)
    assert out["p"] == pytest.approx(ref["p_val"].iloc[0], rel=1e-6)
    # CI: Fisher z with n - 3 - k = 36
    assert (out["ci_low"], out["ci_high"]) == pytest.approx(fisher_ci(out["r"], 40, covariates=1))


def test_weighted_correlation_matches_numpy_aweights_and_equal_weights_give_pearson(small):
    w = np.array([5, 8, 12, 30, 7, 9, 20, 6], dtype=float)
    cov = np.cov(X, Y, aweights=w)
    expected = cov[0, 1] / math.sqrt(cov[0, 0] * cov[1, 1])
    out = weighted_correlations(small.assign(n=w), ["hme"], ["sick"]).iloc[0]
    assert out["r"] == pytest.approx(expected, abs=1e-12)
    assert out["n"] == pytest.approx(w.sum() ** 2 / np.sum(w**2))  # Kish: 97^2 / 1579 = 5.959
    equal = weighted_correlations(small.assign(n=3), ["hme"], ["sick"]).iloc[0]
    assert equal["r"] == pytest.approx(0.896421, abs=1e-6) and equal["n"] == pytest.approx(8)


def test_change_scores_use_consecutive_years_within_each_unit():
    panel = pd.DataFrame({
        "unit": ["a", "a", "a", "b", "b", "c"],
        "year": [2023, 2024, 2025, 2023, 2025, 2024],
        "hme": [70, 74, 73, 80, 78, 90],
        "sick": [8.0, 6.5, 7.0, 5.0, 6.0, 4.0],
    })
    out = change_scores(panel, ["hme", "sick"])
    # a: 2023->2024 (+4, -1.5), 2024->2025 (-1, +0.5); b: 2023->2025 (-2, +1); c: one year only
    assert out.values.tolist() == [["a", 2023, 2024, 4.0, -1.5], ["a", 2024, 2025, -1.0, 0.5],
                                   ["b", 2023, 2025, -2.0, 1.0]]
    coc = change_on_change(panel, ["hme"], ["sick"]).iloc[0]
    assert coc["method"] == "change_pearson" and coc["n"] == 3
    assert coc["r"] == pytest.approx(np.corrcoef([4, -1, -2], [-1.5, 0.5, 1])[0, 1])
