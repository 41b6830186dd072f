"""Does the three-subindex structure of HME hold? A three-factor CFA against a one-factor model.

Both models are fitted by maximum likelihood (`cfa.fit_cfa`, own implementation, checked against
semopy in the tests) on the covariance matrix of the answer codes, treated as continuous; each
solution is checked (convergence, identification, improper values) before any number of it is
interpreted, and `verdict` states a conclusion only when both solutions are usable.

Fit indices (Hu & Bentler 1999, Structural Equation Modeling 6, 1-55; the usual cut-offs are
CFI, TLI >= 0.95, RMSEA <= 0.06, SRMR <= 0.08), with F = log|Sigma| + tr(S Sigma^-1) - log|S| - p,
chi2 = N F, baseline model Sigma_0 = diag(S) with p(p - 1)/2 df:
- CFI = 1 - max(chi2 - df, 0) / max(chi2_0 - df_0, chi2 - df, 0) (bounded to [0, 1], as lavaan;
  semopy's own CFI is not bounded)
- TLI = (chi2_0/df_0 - chi2/df) / (chi2_0/df_0 - 1)
- RMSEA = sqrt(max(chi2 - df, 0) / (df (N - 1)))
- SRMR = sqrt(mean over i <= j of ((s_ij - sigma_ij) / sqrt(s_ii s_jj))^2) (Bentler's).
- RMSEA 90 % interval (Browne & Cudeck 1993): the noncentrality lambda_L, lambda_U with
  P(chi2'(df, lambda) <= chi2) = 0.95 and 0.05, RMSEA_L,U = sqrt(lambda / (df (N - 1))).
- Nested models (one factor inside k factors, factor correlations fixed to 1): chi2 difference
  test, delta chi2 = chi2_1 - chi2_k on df_1 - df_k degrees of freedom (`chi2_difference`). At
  ML optima of nested models delta chi2 >= 0; a difference <= 0, models that are not nested, or an
  unusable solution give no p-value but a status saying which.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from hme_core.research.cfa import CFAFit, fit_cfa

FIT_COLUMNS = ["model", "method", "n_factors", "n", "chi2", "dof", "p", "cfi", "tli", "rmsea",
               "rmsea_low", "rmsea_high", "srmr", "chi2_base", "dof_base", "converged",
               "identified", "proper", "issues"]
INDEX_COLUMNS = FIT_COLUMNS[4:15]  # what `fit_indices` returns
CUTOFFS = {"cfi": 0.95, "tli": 0.95, "rmsea": 0.06, "srmr": 0.08}  # Hu & Bentler (1999)
ALPHA = 0.05
#: what `verdict` may conclude
VERDICTS = ("k_better_fits_well", "k_better_fits_poorly", "not_better", "k_unusable",
            "one_unusable", "test_invalid", "no_covariation")


@dataclass(frozen=True)
class StructureResult:
    """Fit table (one row per model), standardised loadings (tidy) and the method that ran."""

    method: str  # "cfa_ml"
    fit: pd.DataFrame
    loadings: pd.DataFrame
    note: str = ""
    factor_correlations: pd.DataFrame | None = None  # factor_a, factor_b, r (k-factor model)
    issues: tuple = ()  # per model (rows of `fit`): [(kind, subject, value), ...] (`cfa`)

    def difference_test(self) -> dict:
        """chi2 difference test of the first (k-factor) model against the second (one factor)."""
        return chi2_difference(self.fit.iloc[1], self.fit.iloc[0])

    def verdict(self) -> str:
        """What the numbers allow to conclude (one of `VERDICTS`; rules in `structure_verdict`)."""
        return structure_verdict(self.fit.iloc[0], self.fit.iloc[1], self.difference_test())


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

    `restricted`, `full`: rows with `chi2` and `dof` (e.g. the one- and three-factor models),
    optionally `n` and `converged`, `identified`, `proper`. Returns `delta_chi2`, `delta_dof`,
    `p` (upper tail of chi2 with delta_dof df; a small p means the restricted model fits
    significantly worse) and `status`: "ok"; "unusable" (a solution did not converge, is not
    identified or is improper); "not_nested" (delta df <= 0, or different n); "non_positive"
    (delta chi2 <= 0: impossible at the optima of nested models). p is NaN unless "ok".

    >>> chi2_difference({"chi2": 28.6, "dof": 27}, {"chi2": 46.9, "dof": 24})["status"]
    'non_positive'
    """
    d_chi2 = float(restricted["chi2"]) - float(full["chi2"])
    d_dof = int(restricted["dof"]) - int(full["dof"])
    usable = all(bool(row.get(k, True)) for row in (restricted, full)
                 for k in ("converged", "identified", "proper"))
    if not usable or not np.isfinite(d_chi2):
        status = "unusable"
    elif d_dof <= 0 or restricted.get("n", 0) != full.get("n", 0):
        status = "not_nested"
    elif d_chi2 <= 0:
        status = "non_positive"
    else:
        status = "ok"
    p = float(stats.chi2.sf(d_chi2, d_dof)) if status == "ok" else np.nan
    return {"delta_chi2": d_chi2, "delta_dof": d_dof, "p": p, "status": status}


def fits_well(row: Mapping) -> bool:
    """CFI, TLI >= 0.95, RMSEA <= 0.06 and SRMR <= 0.08 (`CUTOFFS`)."""
    return bool(row["cfi"] >= CUTOFFS["cfi"] and row["tli"] >= CUTOFFS["tli"]
                and row["rmsea"] <= CUTOFFS["rmsea"] and row["srmr"] <= CUTOFFS["srmr"])


def structure_verdict(k_model: Mapping, one_model: Mapping, test: Mapping) -> str:
    """The conclusion the fit table supports, in this order: "no_covariation" (the baseline
    model of uncorrelated statements is not rejected, p >= 0.05: there is no common variance
    for factors to describe, and CFI/TLI are undefined), "k_unusable" (the k-factor
    solution may not be interpreted), "one_unusable", "test_invalid" (difference test without
    p), "not_better" (p >= 0.05: the one-factor model does not fit significantly worse),
    "k_better_fits_well" (p < 0.05 and the k-factor model meets every cut-off) or
    "k_better_fits_poorly" (p < 0.05, a cut-off missed)."""
    def usable(row: Mapping) -> bool:
        return all(bool(row[k]) for k in ("converged", "identified", "proper"))

    base_p = (stats.chi2.sf(k_model["chi2_base"], k_model["dof_base"])
              if np.isfinite(k_model.get("chi2_base", np.nan)) else 0.0)
    if base_p >= ALPHA:
        return "no_covariation"
    if not usable(k_model):
        return "k_unusable"
    if not usable(one_model):
        return "one_unusable"
    if test["status"] != "ok":
        return "test_invalid"
    if test["p"] >= ALPHA:
        return "not_better"
    return "k_better_fits_well" if fits_well(k_model) else "k_better_fits_poorly"


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
        "chi2_base": chi2_0,
        "dof_base": dof_0,
    }


def model_description(factors: Mapping[str, Sequence[str]]) -> str:
    """lavaan-style syntax: one `factor =~ item + item` line per factor.

    >>> model_description({"motivation": ["hme1", "hme2", "hme3"]})
    'motivation =~ hme1 + hme2 + hme3'
    """
    return "\n".join(f"{f} =~ {' + '.join(items)}" for f, items in factors.items())


def issue_text(kind: str, subject: str, value: float, lang: str = "sv",
               name=lambda x: x) -> str:
    """One checked problem of a solution in words (`i18n` key `research_issue_<kind>`);
    `name` turns a factor or item id into its label."""
    from hme_core.i18n import fmt_number, t

    a, _, b = subject.partition("|")
    return t(f"research_issue_{kind}", lang, subject=name(a) if a else "", other=name(b) if b else "",
             value=fmt_number(value, 3, lang) if np.isfinite(value) else "")


def _fit_row(name: str, fit: CFAFit) -> tuple[dict, pd.DataFrame]:
    ok = np.isfinite(fit.chi2)
    indices = (fit_indices(fit.sample_cov, fit.implied_cov, fit.n, fit.dof) if ok
               else dict.fromkeys(INDEX_COLUMNS, np.nan))
    row = {"model": name, "method": "cfa_ml", "n_factors": len(fit.factors), "n": fit.n,
           **indices, "dof": fit.dof, "converged": fit.converged, "identified": fit.identified,
           "proper": fit.proper,
           "issues": "; ".join(issue_text(*i, lang="en") for i in fit.issues)}
    loadings = fit.loadings.rename(columns={"std": "loading", "loading": "raw"})
    return row, loadings.assign(model=name)[["model", "item", "factor", "loading"]]


def factor_structure(
    data: pd.DataFrame,
    factors: Mapping[str, Sequence[str]],
    general: str = "hme",
) -> StructureResult:
    """Fit the given factor model (e.g. motivation/leadership/governance) and a one-factor model.

    `data`: one row per respondent, item columns (answer codes); respondents missing any item
    are left out. Returns a fit table with rows `<k>_factor` and `1_factor` (columns
    `FIT_COLUMNS`, with the checks of each solution), standardised loadings and the k-factor
    model's factor correlations.
    """
    items = list(dict.fromkeys(i for its in factors.values() for i in its))
    x = data[items].apply(pd.to_numeric, errors="coerce").dropna().astype(float)
    k = len(factors)
    fits = [fit_cfa(x, factors), fit_cfa(x, {general: items})]
    rows = [_fit_row(name, f) for name, f in zip((f"{k}_factor", "1_factor"), fits, strict=True)]
    fit = pd.DataFrame([r[0] for r in rows], columns=FIT_COLUMNS)
    corr = fits[0].factor_cov[["factor_a", "factor_b", "r"]].reset_index(drop=True)
    return StructureResult(method="cfa_ml", fit=fit,
                           loadings=pd.concat([r[1] for r in rows], ignore_index=True),
                           factor_correlations=corr, issues=tuple(f.issues for f in fits))
