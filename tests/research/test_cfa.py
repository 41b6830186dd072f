"""The workbook's own ML CFA against semopy (independent implementations of the same model and
fit function) on well-fitting and on improper data, and its checks of a solution by hand."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from hme_core.research.cfa import fit_cfa, identification_issues
from hme_core.research.structure import fit_indices, model_description, srmr

FACTORS = {"motivation": ["hme1", "hme2", "hme3"], "leadership": ["hme4", "hme5", "hme6"],
           "governance": ["hme7", "hme8", "hme9"]}
ONE = {"hme": [f"hme{i}" for i in range(1, 10)]}
PHI = np.array([[1, 0.5, 0.4], [0.5, 1, 0.45], [0.4, 0.45, 1]])


def answers(kind: str, seed: int, n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    if kind == "three":
        f = rng.multivariate_normal(np.zeros(3), PHI, size=n)
        latent = [0.8 * f[:, j // 3] + 0.6 * rng.normal(size=n) for j in range(9)]
    else:
        g = rng.normal(size=n)
        latent = [0.8 * g + 0.6 * rng.normal(size=n) for _ in range(9)]
    return pd.DataFrame({f"hme{j + 1}": np.clip(np.round(3.6 + v), 1, 5) for j, v in enumerate(latent)})


def semopy_fit(x: pd.DataFrame, factors: dict):
    import semopy

    model = semopy.Model(model_description(factors))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x)
    return model, semopy.calc_stats(model).iloc[0]


CASES = [("three", 1, FACTORS), ("three", 2, FACTORS), ("three", 1, ONE),
         ("one", 1, FACTORS), ("one", 2, FACTORS), ("one", 1, ONE)]


@pytest.mark.parametrize(("kind", "seed", "factors"), CASES,
                         ids=["3f-data-3f", "3f-data-3f-b", "3f-data-1f", "1f-data-3f-improper",
                              "1f-data-3f-improper-b", "1f-data-1f"])
def test_fit_statistics_and_loadings_agree_with_semopy_to_1e_3(kind, seed, factors):
    x = answers(kind, seed)
    mine = fit_cfa(x, factors)
    model, ref = semopy_fit(x, factors)
    assert mine.converged
    assert mine.dof == int(ref["DoF"])
    assert mine.chi2 == pytest.approx(ref["chi2"], abs=1e-3)
    own = fit_indices(mine.sample_cov, mine.implied_cov, mine.n, mine.dof)
    # semopy's CFI is not bounded above by 1 (lavaan's and ours are)
    assert own["cfi"] == pytest.approx(min(ref["CFI"], 1.0), abs=1e-3)
    assert own["tli"] == pytest.approx(ref["TLI"], abs=1e-3)
    assert own["rmsea"] == pytest.approx(ref["RMSEA"], abs=1e-3)
    # calc_stats has no SRMR: Bentler's formula on semopy's own implied covariance matrix
    assert own["srmr"] == pytest.approx(srmr(model.mx_cov, model.calc_sigma()[0]), abs=1e-3)
    est = model.inspect(std_est=True)
    est = est[(est["op"] == "~") & est["lval"].isin(mine.items)]
    theirs = est.set_index(["lval", "rval"])["Est. Std"].astype(float)
    ours = mine.loadings.set_index(["item", "factor"])["std"]
    assert ours.index.sort_values().equals(theirs.index.sort_values())
    np.testing.assert_allclose(ours.to_numpy(), theirs.reindex(ours.index).to_numpy(), atol=1e-3)


def test_one_factor_data_fitted_with_three_factors_is_flagged_improper_as_semopy_finds_it():
    x = answers("one", 1)
    mine = fit_cfa(x, FACTORS)
    model, _ = semopy_fit(x, FACTORS)
    cov = model.inspect(std_est=True)
    latent = cov[(cov["op"] == "~~") & cov["lval"].isin(FACTORS) & cov["rval"].isin(FACTORS)
                 & (cov["lval"] != cov["rval"])]
    assert (latent["Est. Std"].astype(float) > 1).any()  # semopy: correlations above 1 too
    assert not mine.proper and (mine.factor_cov["r"] > 1).any()
    np.testing.assert_allclose(np.sort(mine.factor_cov["r"]),
                               np.sort(latent["Est. Std"].astype(float)), atol=1e-3)


def _exact(cov: np.ndarray, n: int = 400, seed: int = 0) -> pd.DataFrame:
    """Data whose covariance matrix (divisor n) is exactly `cov`."""
    z = np.random.default_rng(seed).normal(size=(n, len(cov)))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False, ddof=0))).T
    return pd.DataFrame(z @ np.linalg.cholesky(cov).T, columns=[f"x{i + 1}" for i in range(len(cov))])


def test_heywood_case_worked_by_hand_is_a_residual_variance_at_zero():
    # one factor, three items, r12 = 0.8, r13 = 0.7, r23 = 0.4: just identified with
    # lambda_1^2 = r12 r13 / r23 = 1.4 > 1, so the residual variance of x1 would be 1 - 1.4 < 0;
    # bounded at 0 it is a Heywood case (improper)
    cov = np.array([[1, 0.8, 0.7], [0.8, 1, 0.4], [0.7, 0.4, 1]])
    fit = fit_cfa(_exact(cov), {"f": ["x1", "x2", "x3"]})
    assert fit.converged and fit.dof == 0
    assert ("heywood", "x1") in {(k, s) for k, s, _ in fit.issues}
    assert fit.residual_var["x1"] == pytest.approx(0, abs=1e-6) and not fit.proper


def test_proper_solution_reproduces_known_loadings():
    # cov = l l' + diag(1 - l^2) with l = (0.9, 0.8, 0.7, 0.6): ML recovers l exactly (chi2 = 0)
    lam = np.array([0.9, 0.8, 0.7, 0.6])
    fit = fit_cfa(_exact(np.outer(lam, lam) + np.diag(1 - lam**2)), {"f": ["x1", "x2", "x3", "x4"]})
    assert fit.usable and fit.chi2 == pytest.approx(0, abs=1e-6) and fit.dof == 2
    np.testing.assert_allclose(fit.loadings["std"], lam, atol=1e-5)


def test_models_that_are_not_identified_say_why():
    assert identification_issues({"a": ["x1", "x2"]}, 2, 4) == [("too_few_items", "a"),
                                                               ("negative_df", "-1")]
    assert ("single_item_factor", "b") in identification_issues({"a": ["x1", "x2"], "b": ["x3"]}, 3, 7)
    fit = fit_cfa(_exact(np.array([[1, 0.5], [0.5, 1]])), {"f": ["x1", "x2"]})
    assert not fit.identified and not fit.usable
