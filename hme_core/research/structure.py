"""Does the three-subindex structure of HME hold? A three-factor CFA against a one-factor model.

Primary method: confirmatory factor analysis with semopy (maximum likelihood on the covariance
matrix of the answer codes, treated as continuous). If semopy fails, an exploratory factor
analysis (factor_analyzer, ML, oblimin; else scikit-learn's ML FactorAnalysis with varimax) with
the same number of factors; `StructureResult.method` and the `method` column say which ran.

Fit indices (Hu & Bentler 1999, Structural Equation Modeling 6, 1-55; the usual cut-offs are
CFI, TLI >= 0.95, RMSEA <= 0.06, SRMR <= 0.08), with F = log|Sigma| + tr(S Sigma^-1) - log|S| - p,
chi2 = N F, baseline model Sigma_0 = diag(S) with p(p - 1)/2 df:
- CFI = 1 - max(chi2 - df, 0) / max(chi2_0 - df_0, chi2 - df, 0) (bounded to [0, 1], as lavaan;
  semopy's own CFI is not bounded, so every index is computed here from semopy's estimates)
- TLI = (chi2_0/df_0 - chi2/df) / (chi2_0/df_0 - 1)
- RMSEA = sqrt(max(chi2 - df, 0) / (df (N - 1)))
- SRMR = sqrt(mean over i <= j of ((s_ij - sigma_ij) / sqrt(s_ii s_jj))^2) (Bentler's).
- RMSEA 90 % interval (Browne & Cudeck 1993): the noncentrality lambda_L, lambda_U with
  P(chi2'(df, lambda) <= chi2) = 0.95 and 0.05, RMSEA_L,U = sqrt(lambda / (df (N - 1))).
- Nested models (one factor inside k factors, factor correlations fixed to 1): chi2 difference
  test, delta chi2 = chi2_1 - chi2_k on df_1 - df_k degrees of freedom (`chi2_difference`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

FIT_COLUMNS = ["model", "method", "n_factors", "n", "chi2", "dof", "p", "cfi", "tli", "rmsea",
               "rmsea_low", "rmsea_high", "srmr"]


@dataclass(frozen=True)
class StructureResult:
    """Fit table (one row per model), standardised loadings (tidy) and the method that ran."""

    method: str  # "cfa_semopy", "efa_factor_analyzer" or "efa_sklearn"
    fit: pd.DataFrame
    loadings: pd.DataFrame
    note: str = ""
    factor_correlations: pd.DataFrame | None = None  # factor_a, factor_b, r (CFA only)

    def difference_test(self) -> dict:
        """chi2 difference test of the first (k-factor) model against the second (one factor)."""
        return chi2_difference(self.fit.iloc[1], self.fit.iloc[0])


def rmsea_interval(chi2: float, dof: float, n: int, level: float = 0.90) -> tuple[float, float]:
    """RMSEA confidence interval from the noncentral chi2 distribution (formula above).

    A bound is 0 when even lambda = 0 leaves chi2 in the tail (a very good fit).
    """
    if not dof > 0 or not np.isfinite(chi2):
        return np.nan, np.nan
    tail = (1 - level) / 2

    def lam(prob: float) -> float:
        def f(x: float) -> float:
            return stats.ncx2.cdf(chi2, dof, x) - prob if x > 0 else stats.chi2.cdf(chi2, dof) - prob
        if f(0.0) < 0:
            return 0.0
        high = max(chi2, 1.0)
        while f(high) > 0:
            high *= 2
        return optimize.brentq(f, 0.0, high, xtol=1e-10)

    scale = dof * (n - 1)
    return float(np.sqrt(lam(1 - tail) / scale)), float(np.sqrt(lam(tail) / scale))


def chi2_difference(restricted: Mapping, full: Mapping) -> dict:
    """Likelihood-ratio (chi2 difference) test of a nested, more restricted model.

    `restricted`, `full`: rows with `chi2` and `dof` (e.g. the one- and three-factor models).
    Returns `delta_chi2`, `delta_dof`, `p` (upper tail of chi2 with delta_dof df); a small p
    means the restricted model fits significantly worse.
    """
    d_chi2 = float(restricted["chi2"]) - float(full["chi2"])
    d_dof = int(restricted["dof"]) - int(full["dof"])
    p = float(stats.chi2.sf(d_chi2, d_dof)) if d_dof > 0 else np.nan
    return {"delta_chi2": d_chi2, "delta_dof": d_dof, "p": p}


def srmr(sample_cov: np.ndarray, implied_cov: np.ndarray) -> float:
    """Standardised root mean square residual (Bentler), over the p(p + 1)/2 unique elements."""
    sd = np.sqrt(np.diag(sample_cov))
    resid = (sample_cov - implied_cov) / np.outer(sd, sd)
    lower = resid[np.tril_indices_from(resid)]
    return float(np.sqrt(np.mean(lower**2)))


def fit_indices(sample_cov: np.ndarray, implied_cov: np.ndarray, n: int, dof: int) -> dict:
    """chi2, p, CFI, TLI, RMSEA, SRMR of a model-implied covariance matrix (formulas above)."""
    p = sample_cov.shape[0]

    def discrepancy(sigma: np.ndarray) -> float:
        _, logdet_sigma = np.linalg.slogdet(sigma)
        _, logdet_s = np.linalg.slogdet(sample_cov)
        return float(logdet_sigma + np.trace(np.linalg.solve(sigma, sample_cov)) - logdet_s - p)

    chi2 = n * discrepancy(implied_cov)
    chi2_0, dof_0 = n * discrepancy(np.diag(np.diag(sample_cov))), p * (p - 1) / 2
    cfi_den = max(chi2_0 - dof_0, chi2 - dof, 0.0)
    low, high = rmsea_interval(chi2, dof, n)
    return {
        "chi2": chi2,
        "dof": dof,
        "p": float(stats.chi2.sf(chi2, dof)) if dof > 0 else np.nan,
        "cfi": 1 - max(chi2 - dof, 0.0) / cfi_den if cfi_den > 0 else 1.0,
        "tli": (chi2_0 / dof_0 - chi2 / dof) / (chi2_0 / dof_0 - 1) if dof > 0 else np.nan,
        "rmsea": float(np.sqrt(max(chi2 - dof, 0.0) / (dof * (n - 1)))) if dof > 0 else np.nan,
        "rmsea_low": low,
        "rmsea_high": high,
        "srmr": srmr(sample_cov, implied_cov),
    }


def model_description(factors: Mapping[str, Sequence[str]]) -> str:
    """lavaan-style syntax: one `factor =~ item + item` line per factor.

    >>> model_description({"motivation": ["hme1", "hme2", "hme3"]})
    'motivation =~ hme1 + hme2 + hme3'
    """
    return "\n".join(f"{f} =~ {' + '.join(items)}" for f, items in factors.items())


def _cfa_semopy(x: pd.DataFrame, factors: Mapping[str, Sequence[str]], name: str):
    import semopy

    model = semopy.Model(model_description(factors))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x)
        table = semopy.calc_stats(model).iloc[0]
    sample, implied = model.mx_cov, model.calc_sigma()[0]
    order = model.vars["observed"]
    row = {"model": name, "method": "cfa_semopy", "n_factors": len(factors), "n": len(x),
           **fit_indices(sample, implied, len(x), int(table["DoF"]))}
    est = model.inspect(std_est=True)
    est = est[(est["op"] == "~") & est["lval"].isin(order)]
    loadings = pd.DataFrame(
        {"model": name, "item": est["lval"], "factor": est["rval"], "loading": est["Est. Std"]}
    )
    latent = list(factors)
    cov = model.inspect(std_est=True)
    cov = cov[(cov["op"] == "~~") & cov["lval"].isin(latent) & cov["rval"].isin(latent)
              & (cov["lval"] != cov["rval"])]
    corr = pd.DataFrame({"factor_a": cov["lval"].to_numpy(), "factor_b": cov["rval"].to_numpy(),
                         "r": cov["Est. Std"].astype(float).to_numpy()})
    return row, loadings, corr


def _efa(x: pd.DataFrame, n_factors: int, name: str):
    """ML exploratory factor analysis on standardised items; returns (row, loadings, method)."""
    z = (x - x.mean()) / x.std(ddof=0)
    try:
        from factor_analyzer import FactorAnalyzer

        fa = FactorAnalyzer(n_factors=n_factors, method="ml",
                            rotation="oblimin" if n_factors > 1 else None)
        fa.fit(z.to_numpy())
        lam, psi, method = fa.loadings_, fa.get_uniquenesses(), "efa_factor_analyzer"
    except Exception:  # noqa: BLE001 - factor_analyzer 0.5 breaks on scikit-learn >= 1.6
        from sklearn.decomposition import FactorAnalysis

        fa = FactorAnalysis(n_components=n_factors,
                            rotation="varimax" if n_factors > 1 else None, random_state=0)
        fa.fit(z.to_numpy())
        lam, psi, method = fa.components_.T, fa.noise_variance_, "efa_sklearn"
    p = x.shape[1]
    dof = int(((p - n_factors) ** 2 - (p + n_factors)) / 2)
    sample = np.cov(z.to_numpy(), rowvar=False, ddof=0)
    implied = lam @ lam.T + np.diag(psi)
    row = {"model": name, "method": method, "n_factors": n_factors, "n": len(x),
           **fit_indices(sample, implied, len(x), dof)}
    loadings = pd.DataFrame(lam, index=x.columns,
                            columns=[f"factor{k + 1}" for k in range(n_factors)])
    loadings = loadings.rename_axis("item").reset_index().melt(
        id_vars="item", var_name="factor", value_name="loading").assign(model=name)
    return row, loadings[["model", "item", "factor", "loading"]], method


def factor_structure(
    data: pd.DataFrame,
    factors: Mapping[str, Sequence[str]],
    general: str = "hme",
    force_efa: bool = False,
) -> StructureResult:
    """Fit the given factor model (e.g. motivation/leadership/governance) and a one-factor model.

    `data`: one row per respondent, item columns (answer codes); respondents missing any item
    are left out. Returns a fit table with rows `<k>_factor` and `1_factor` (columns
    `FIT_COLUMNS`), standardised loadings, and the method used. `force_efa` skips semopy (tests).
    """
    items = list(dict.fromkeys(i for its in factors.values() for i in its))
    x = data[items].apply(pd.to_numeric, errors="coerce").dropna().astype(float)
    k = len(factors)
    names = (f"{k}_factor", "1_factor")
    note = ""
    if not force_efa:
        try:
            fits = [_cfa_semopy(x, factors, names[0]), _cfa_semopy(x, {general: items}, names[1])]
            return _result("cfa_semopy", [f[:2] for f in fits], note, fits[0][2])
        except Exception as exc:  # noqa: BLE001 - any semopy failure means: fall back, say why
            note = f"semopy failed ({type(exc).__name__}: {exc}); exploratory factor analysis used"
    first, second = _efa(x, k, names[0]), _efa(x, 1, names[1])
    return _result(first[2], [first[:2], second[:2]], note)


def _result(method: str, fits: list, note: str,
            factor_correlations: pd.DataFrame | None = None) -> StructureResult:
    fit = pd.DataFrame([f[0] for f in fits], columns=FIT_COLUMNS)
    loadings = pd.concat([f[1] for f in fits], ignore_index=True)
    return StructureResult(method=method, fit=fit, loadings=loadings, note=note,
                           factor_correlations=factor_correlations)
