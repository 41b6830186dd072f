"""Three-factor CFA against one factor: on data simulated from a known three-factor model (a
usable solution and a conclusion), from one factor (an improper solution, no conclusion), and
the chi2 difference test's statuses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hme_core.research.structure import factor_structure, fit_indices, model_description, srmr

FACTORS = {"motivation": ["hme1", "hme2", "hme3"], "leadership": ["hme4", "hme5", "hme6"],
           "governance": ["hme7", "hme8", "hme9"]}


@pytest.fixture(scope="module")
def three_factor_answers():
    """Answer codes 1-5 from three correlated factors (r = 0.5, 0.4, 0.45), loadings ~0.8."""
    rng = np.random.default_rng(42)
    n = 500
    phi = np.array([[1, 0.5, 0.4], [0.5, 1, 0.45], [0.4, 0.45, 1]])
    f = rng.multivariate_normal(np.zeros(3), phi, size=n)
    cols = {}
    for j in range(9):
        latent = 0.8 * f[:, j // 3] + 0.6 * rng.normal(size=n)
        cols[f"hme{j + 1}"] = np.clip(np.round(3.6 + latent), 1, 5)
    return pd.DataFrame(cols)


@pytest.fixture(scope="module")
def cfa(three_factor_answers):
    return factor_structure(three_factor_answers, FACTORS)


def test_three_factor_cfa_fits_and_beats_one_factor(cfa):
    assert cfa.method == "cfa_ml"
    assert cfa.fit[["converged", "identified", "proper"]].all().all()
    assert cfa.verdict() == "k_better_fits_well"
    three, one = cfa.fit.set_index("model").loc["3_factor"], cfa.fit.set_index("model").loc["1_factor"]
    assert three["cfi"] > 0.95 and three["tli"] > 0.95
    assert three["rmsea"] < 0.06 and three["srmr"] < 0.08
    assert three["cfi"] > one["cfi"] + 0.1
    assert three["rmsea"] < one["rmsea"] and three["srmr"] < one["srmr"]
    assert (three["dof"], one["dof"]) == (24, 27)  # 45 moments - 21 and - 18 parameters


def test_standardised_loadings_are_recovered(cfa):
    three = cfa.loadings[cfa.loadings["model"] == "3_factor"]
    assert len(three) == 9
    # true standardised loading: 0.8 / sqrt(0.8^2 + 0.6^2) = 0.8, attenuated by rounding to 1-5
    assert three["loading"].between(0.6, 0.9).all()


def test_own_fit_indices_agree_with_semopy(three_factor_answers):
    import semopy

    model = semopy.Model(model_description(FACTORS))
    model.fit(three_factor_answers)
    ref = semopy.calc_stats(model).iloc[0]
    mine = fit_indices(model.mx_cov, model.calc_sigma()[0], len(three_factor_answers), 24)
    assert mine["chi2"] == pytest.approx(ref["chi2"], rel=1e-3)
    assert mine["cfi"] == pytest.approx(min(ref["CFI"], 1.0), abs=1e-3)  # semopy: unbounded
    assert mine["tli"] == pytest.approx(ref["TLI"], abs=1e-3)
    assert mine["rmsea"] == pytest.approx(ref["RMSEA"], abs=1e-3)


def test_srmr_by_hand():
    # S = [[4, 2], [2, 9]], implied [[4, 1], [1, 9]]: standardised residuals 0, 1/6, 0
    # SRMR = sqrt((0 + (1/6)^2 + 0) / 3) = 0.096225
    s = np.array([[4.0, 2.0], [2.0, 9.0]])
    assert srmr(s, np.array([[4.0, 1.0], [1.0, 9.0]])) == pytest.approx(0.096225, abs=1e-6)
    assert srmr(s, s) == 0


def test_rmsea_interval_matches_lavaans_published_holzinger_swineford_three_factor_fit():
    # lavaan tutorial, HolzingerSwineford1939 3-factor CFA: chi2 = 85.306, df = 24, N = 301,
    # RMSEA 0.092, 90 % CI 0.071 to 0.114 (lavaan divides by N, this module by N - 1: agree
    # to within 0.001)
    from hme_core.research.structure import rmsea_interval

    low, high = rmsea_interval(85.306, 24, 301)
    assert low == pytest.approx(0.071, abs=0.001) and high == pytest.approx(0.114, abs=0.001)


def test_rmsea_interval_lower_bound_is_zero_when_chi2_is_below_its_df():
    from hme_core.research.structure import rmsea_interval

    low, high = rmsea_interval(20.0, 24, 301)
    assert low == 0.0 and 0 < high < 0.05


def test_chi2_difference_of_one_factor_against_three_factors_by_closed_form():
    # delta chi2 = 120 - 60 = 60 on 27 - 24 = 3 df; for 3 df the upper tail is
    # erfc(sqrt(x/2)) + sqrt(2x/pi) exp(-x/2)
    import math

    from hme_core.research.structure import chi2_difference

    test = chi2_difference({"chi2": 120.0, "dof": 27}, {"chi2": 60.0, "dof": 24})
    x = 60.0
    expected = math.erfc(math.sqrt(x / 2)) + math.sqrt(2 * x / math.pi) * math.exp(-x / 2)
    assert test["delta_chi2"] == 60.0 and test["delta_dof"] == 3
    assert test["p"] == pytest.approx(expected, rel=1e-9)


def test_cfa_reports_factor_correlations_rmsea_interval_and_difference_test(cfa):
    result = cfa
    fit = result.fit.iloc[0]
    assert fit["rmsea_low"] <= fit["rmsea"] <= fit["rmsea_high"]
    assert len(result.factor_correlations) == 3
    assert result.factor_correlations["r"].between(-1, 1).all()
    # simulated factor correlations 0.5, 0.4, 0.45 (items rounded to 1-5: a little lower)
    assert result.factor_correlations["r"].between(0.3, 0.6).all()
    test = result.difference_test()
    assert test["delta_dof"] == 3 and test["p"] < 0.001


def test_difference_of_the_reported_one_factor_case_is_non_positive_and_has_no_p_value():
    # a one-factor chi2 (28.6) below the three-factor chi2 (46.9): impossible at the optima of
    # nested models, so no p-value (the workbook once printed "p 1,000")
    from hme_core.research.structure import chi2_difference

    test = chi2_difference({"chi2": 28.6, "dof": 27}, {"chi2": 46.9, "dof": 24})
    assert test["status"] == "non_positive" and np.isnan(test["p"])
    assert test["delta_chi2"] == pytest.approx(-18.3) and test["delta_dof"] == 3


def test_difference_of_models_that_are_not_nested_or_not_usable_has_no_p_value():
    from hme_core.research.structure import chi2_difference

    assert chi2_difference({"chi2": 50.0, "dof": 24}, {"chi2": 40.0, "dof": 24})["status"] == "not_nested"
    unusable = chi2_difference({"chi2": 50.0, "dof": 27}, {"chi2": 40.0, "dof": 24, "proper": False})
    assert unusable["status"] == "unusable" and np.isnan(unusable["p"])


@pytest.fixture(scope="module")
def one_factor_answers():
    """All nine statements from ONE factor (loadings 0.8): seed 1 gives a three-factor solution
    with factor correlations above 1."""
    rng = np.random.default_rng(1)
    n = 300
    g = rng.normal(size=n)
    return pd.DataFrame({f"hme{j + 1}": np.clip(np.round(3.6 + 0.8 * g + 0.6 * rng.normal(size=n)), 1, 5)
                         for j in range(9)})


def test_three_factors_on_one_factor_data_are_improper_and_no_conclusion_follows(one_factor_answers):
    out = factor_structure(one_factor_answers, FACTORS)
    three = out.fit.iloc[0]
    assert not three["proper"] and three["converged"]
    assert (out.factor_correlations["r"] > 1).any()
    kinds = {kind for kind, _, _ in out.issues[0]}
    assert "correlation_above_1" in kinds
    test = out.difference_test()
    assert test["status"] == "unusable" and np.isnan(test["p"])
    assert out.verdict() == "k_unusable"
    assert "above 1" in three["issues"]


def test_usable_one_factor_data_do_not_conclude_three_factors():
    # seed 3: the three-factor solution is proper (correlations just below 1) and no better
    rng = np.random.default_rng(3)
    g = rng.normal(size=300)
    x = pd.DataFrame({f"hme{j + 1}": np.clip(np.round(3.6 + 0.8 * g + 0.6 * rng.normal(size=300)), 1, 5)
                      for j in range(9)})
    out = factor_structure(x, FACTORS)
    assert out.fit["proper"].all()
    assert out.verdict() == "not_better" and out.difference_test()["p"] >= 0.05


def test_statements_without_common_variance_give_no_structure_conclusion():
    rng = np.random.default_rng(5)
    x = pd.DataFrame({f"hme{j + 1}": rng.integers(1, 6, 200) for j in range(9)})
    assert factor_structure(x, FACTORS).verdict() == "no_covariation"
