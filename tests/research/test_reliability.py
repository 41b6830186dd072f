"""Alpha, omega, item-rest correlations and bootstrap intervals against hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from hme_core.research.reliability import (
    bootstrap_ci,
    cronbach_alpha,
    item_rest_correlations,
    mcdonald_omega,
    omega_from_loadings,
    one_factor_ml,
    reliability_table,
)

# 4 respondents x 3 items (a textbook-sized example).
TEXTBOOK = pd.DataFrame({"i1": [3, 5, 2, 4], "i2": [4, 5, 3, 4], "i3": [3, 4, 3, 5]})


def _simulate(loadings, n, seed):
    """Standardised one-factor data: x = l f + sqrt(1 - l^2) e."""
    rng = np.random.default_rng(seed)
    lam = np.asarray(loadings)
    f = rng.normal(size=(n, 1))
    x = f * lam + rng.normal(size=(n, len(lam))) * np.sqrt(1 - lam**2)
    return pd.DataFrame(x, columns=[f"hme{i + 1}" for i in range(len(lam))])


def test_alpha_by_hand_on_textbook_matrix():
    # item variances (ddof 1): i1 5/3 = 1.6667, i2 2/3 = 0.6667, i3 2.75/3 = 0.9167; sum 3.25
    # totals 10, 14, 8, 13: mean 11.25, SS 22.75, variance 7.5833
    # alpha = 3/2 * (1 - 3.25 / 7.5833) = 1.5 * 0.571429 = 0.857143
    assert cronbach_alpha(TEXTBOOK) == pytest.approx(0.857143, abs=1e-6)
    assert cronbach_alpha(TEXTBOOK) == pytest.approx(pg.cronbach_alpha(TEXTBOOK)[0], abs=1e-12)


def test_alpha_is_listwise_and_matches_pingouin_listwise():
    df = _simulate([0.7, 0.6, 0.8, 0.5], 200, seed=2)
    df.iloc[[3, 10, 50], 1] = np.nan
    assert cronbach_alpha(df) == pytest.approx(pg.cronbach_alpha(df, nan_policy="listwise")[0])


def test_omega_from_known_loadings_by_hand():
    # sum l = 0.8 + 0.7 + 0.6 = 2.1; (sum l)^2 = 4.41; sum psi = 0.36 + 0.51 + 0.64 = 1.51
    # omega = 4.41 / (4.41 + 1.51) = 0.744932
    assert omega_from_loadings([0.8, 0.7, 0.6], [0.36, 0.51, 0.64]) == pytest.approx(0.744932, abs=1e-6)


def test_one_factor_ml_recovers_loadings_of_an_exact_correlation_matrix():
    lam = np.array([0.8, 0.7, 0.6, 0.5, 0.75])
    corr = np.outer(lam, lam)
    np.fill_diagonal(corr, 1)
    fitted, psi = one_factor_ml(corr)
    assert fitted == pytest.approx(lam, abs=1e-4)
    assert psi == pytest.approx(1 - lam**2, abs=1e-4)


def test_three_items_are_just_identified():
    # l1^2 = r12 r13 / r23 (and cyclically) for a one-factor model of three items
    r12, r13, r23 = 0.56, 0.48, 0.42
    corr = np.array([[1, r12, r13], [r12, 1, r23], [r13, r23, 1]])
    fitted, _ = one_factor_ml(corr)
    hand = np.sqrt([r12 * r13 / r23, r12 * r23 / r13, r13 * r23 / r12])  # 0.8, 0.7, 0.6
    assert fitted == pytest.approx(hand, abs=1e-4)


def test_omega_on_data_matches_semopy_one_factor_loadings():
    import semopy

    df = _simulate([0.8, 0.7, 0.6, 0.5, 0.75, 0.65], 400, seed=5)
    z = (df - df.mean()) / df.std(ddof=0)
    model = semopy.Model("f =~ " + " + ".join(df.columns))
    model.fit(z)
    est = model.inspect(std_est=True)
    lam = est[(est["op"] == "~") & (est["rval"] == "f")]["Est. Std"].to_numpy(float)
    expected = lam.sum() ** 2 / (lam.sum() ** 2 + np.sum(1 - lam**2))
    assert mcdonald_omega(df) == pytest.approx(expected, abs=2e-3)


def test_item_rest_correlations_by_hand():
    out = item_rest_correlations(TEXTBOOK)
    rest1 = TEXTBOOK["i2"] + TEXTBOOK["i3"]  # 7, 9, 6, 9
    assert out.loc[0, "r_item_rest"] == pytest.approx(np.corrcoef(TEXTBOOK["i1"], rest1)[0, 1])
    assert out.loc[0, "alpha_if_deleted"] == pytest.approx(cronbach_alpha(TEXTBOOK[["i2", "i3"]]))
    assert out["item"].tolist() == ["i1", "i2", "i3"] and (out["n"] == 4).all()


def test_bootstrap_interval_is_reproducible_and_brackets_the_estimate():
    df = _simulate([0.7, 0.7, 0.6], 150, seed=9)
    x = df.to_numpy()

    def alpha(a):
        return cronbach_alpha(pd.DataFrame(a))

    first = bootstrap_ci(x, alpha, n_boot=60, seed=11)
    assert first == bootstrap_ci(x, alpha, n_boot=60, seed=11)
    assert first != bootstrap_ci(x, alpha, n_boot=60, seed=12)
    assert first[0] < cronbach_alpha(df) < first[1]


def test_reliability_table_has_one_row_per_scale():
    df = _simulate([0.8, 0.7, 0.6, 0.7, 0.6, 0.5], 120, seed=4)
    scales = {"motivation": ["hme1", "hme2", "hme3"], "all": list(df.columns)}
    out = reliability_table(df, scales, n_boot=25, seed=1)
    assert out["scale"].tolist() == ["motivation", "all"]
    assert out["n_items"].tolist() == [3, 6] and (out["n"] == 120).all()
    assert out.loc[0, "alpha"] == pytest.approx(cronbach_alpha(df, scales["motivation"]))
    assert (out["alpha_ci_low"] < out["alpha"]).all() and (out["omega"] < out["omega_ci_high"]).all()


def test_alpha_of_statements_that_covary_negatively_is_flagged_not_read():
    # i2 is i1 reversed (not recoded) with two answers changed: the covariance is negative, so
    # alpha < 0 (shown as computed, equal to pingouin's) and flagged, with no interval
    from hme_core.research.reliability import alpha_status, negative_covariances

    i1 = np.array([1, 2, 3, 4, 5, 2, 3, 4, 1, 5, 3, 2], float)
    i2 = 6 - i1
    i2[[0, 5]] = [3, 3]
    df = pd.DataFrame({"a": i1, "b": i2})
    assert alpha_status(df.to_numpy()) == "negative_mean_covariance"
    assert negative_covariances(df.to_numpy()) == 1
    row = reliability_table(df, {"s": ["a", "b"]}, n_boot=20).iloc[0]
    assert row["alpha_status"] == "negative_mean_covariance" and np.isnan(row["alpha_ci_low"])
    assert row["alpha"] < 0 and row["alpha"] == pytest.approx(pg.cronbach_alpha(df)[0], abs=1e-12)


def test_alpha_and_omega_with_too_few_statements_are_not_computed():
    df = _simulate([0.8, 0.7], 200, 3)
    table = reliability_table(df.assign(one=df["hme1"]), {"single": ["one"], "pair": ["hme1", "hme2"]},
                              n_boot=0).set_index("scale")
    assert table.loc["single", "alpha_status"] == "too_few_items"
    assert np.isnan(table.loc["single", "alpha"])
    assert table.loc["pair", "alpha_status"] == "ok" and table.loc["pair", "alpha"] > 0
    assert table.loc["pair", "omega_status"] == "too_few_items" and np.isnan(table.loc["pair", "omega"])


def test_omega_of_a_heywood_case_is_flagged_improper():
    # r12 = 0.8, r13 = 0.7, r23 = 0.4: lambda_1^2 = 0.8 * 0.7 / 0.4 = 1.4 > 1 (see test_cfa)
    from hme_core.research.reliability import one_factor_fit

    corr = np.array([[1, 0.8, 0.7], [0.8, 1, 0.4], [0.7, 0.4, 1]])
    assert one_factor_fit(corr)[2] == "heywood"
    assert one_factor_fit(np.array([[1, 0.5, 0.4], [0.5, 1, 0.45], [0.4, 0.45, 1]]))[2] == "ok"


def test_alpha_with_some_negative_pairs_is_read_but_the_pairs_are_counted():
    rng = np.random.default_rng(4)
    df = _simulate([0.8, 0.8, 0.8], 300, 5).assign(noise=rng.normal(size=300))
    row = reliability_table(df, {"s": ["hme1", "hme2", "hme3", "noise"]}, n_boot=0).iloc[0]
    assert row["alpha_status"] == "ok" and row["negative_covariances"] >= 1
