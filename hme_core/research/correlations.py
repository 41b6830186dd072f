"""Unit-level correlations of indices with outcomes: plain, partial, n-weighted, change-on-change.

Every function takes a wide table (one row per unit, or per unit and year), the names of the `x`
columns (indices) and `y` columns (outcomes), and returns one tidy row per (x, y) pair:
`x, y, method, n, r, ci_low, ci_high, p, p_adj, padjust`. Missing values are dropped pair by
pair. p-values are corrected over all pairs of one call (the family) with
`statsmodels.stats.multitest.multipletests` (Holm by default; `fdr_bh` = Benjamini-Hochberg).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from hme_core.errors import HMEError

METHODS = ("pearson", "spearman")
PADJUST = ("holm", "fdr_bh", "bonferroni", "none")
COLUMNS = ["x", "y", "method", "n", "r", "ci_low", "ci_high", "p", "p_adj", "padjust"]


def _check(name: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise HMEError(f"{name}={value!r} is not supported; expected one of {list(allowed)}")


def fisher_ci(
    r: float, n: float, alpha: float = 0.05, covariates: int = 0, se_scale: float = 1.0
) -> tuple[float, float]:
    """Confidence interval of a correlation through Fisher's z transformation.

    z = atanh(r), se = sqrt(se_scale / (n - 3 - covariates)), CI = tanh(z -/+ z_(1-alpha/2) se).
    `se_scale` = 1.06 for Spearman (Fieller, Hartley & Pearson 1957, Biometrika 44, 470-481);
    `covariates` = number of variables partialled out.

    >>> [round(v, 4) for v in fisher_ci(0.5, 28)]
    [0.156, 0.7358]
    """
    dof = n - 3 - covariates
    if dof <= 0 or not np.isfinite(r):
        return (np.nan, np.nan)
    if abs(r) >= 1:
        return (float(r), float(r))
    half = stats.norm.ppf(1 - alpha / 2) * np.sqrt(se_scale / dof)
    z = np.arctanh(r)
    return (float(np.tanh(z - half)), float(np.tanh(z + half)))


def _t_pvalue(r: float, dof: float) -> float:
    """Two-sided p of H0: rho = 0 from t = r sqrt(dof / (1 - r^2)), t ~ t(dof)."""
    if dof <= 0 or not np.isfinite(r):
        return np.nan
    if abs(r) >= 1:
        return 0.0
    t = r * np.sqrt(dof / (1 - r**2))
    return float(2 * stats.t.sf(abs(t), dof))


def _adjust(out: pd.DataFrame, padjust: str) -> pd.DataFrame:
    out["p_adj"] = np.nan
    ok = out["p"].notna().to_numpy()
    if padjust == "none":
        out.loc[ok, "p_adj"] = out.loc[ok, "p"]
    elif ok.any():
        out.loc[ok, "p_adj"] = multipletests(out.loc[ok, "p"].to_numpy(), method=padjust)[1]
    out["padjust"] = padjust
    return out[COLUMNS].reset_index(drop=True)


def _pairs(data: pd.DataFrame, x: Sequence[str], y: Sequence[str], extra: Sequence[str] = ()):
    for xi in x:
        for yi in y:
            cols = list(dict.fromkeys([xi, yi, *extra]))
            sub = data[cols].apply(pd.to_numeric, errors="coerce").dropna()
            yield xi, yi, sub


def correlations(
    data: pd.DataFrame,
    x: Sequence[str],
    y: Sequence[str],
    method: str = "pearson",
    alpha: float = 0.05,
    padjust: str = "holm",
) -> pd.DataFrame:
    """Pearson or Spearman correlation of every x with every y, with Fisher-z CIs.

    Pearson: r = cov(x, y) / (sd(x) sd(y)); Spearman: Pearson r of the ranks (average ranks for
    ties). p from t = r sqrt((n - 2) / (1 - r^2)) with n - 2 df; CI from `fisher_ci` (Spearman
    with Fieller's 1.06 variance factor). Reference: Fisher (1921) Metron 1, 3-32.

    >>> df = pd.DataFrame({"hme": [70, 75, 80, 85, 90], "sick": [8, 7, 7, 5, 4]})
    >>> correlations(df, ["hme"], ["sick"])[["n", "r"]].round(3).values.tolist()
    [[5.0, -0.962]]
    """
    _check("method", method, METHODS)
    _check("padjust", padjust, PADJUST)
    rows = []
    for xi, yi, sub in _pairs(data, x, y):
        n = len(sub)
        r = np.nan
        if n >= 3 and sub[xi].nunique() > 1 and sub[yi].nunique() > 1:
            a, b = sub[xi].to_numpy(float), sub[yi].to_numpy(float)
            if method == "spearman":
                a, b = stats.rankdata(a), stats.rankdata(b)
            r = float(np.corrcoef(a, b)[0, 1])
        low, high = fisher_ci(r, n, alpha, se_scale=1.06 if method == "spearman" else 1.0)
        rows.append([xi, yi, method, n, r, low, high, _t_pvalue(r, n - 2)])
    out = pd.DataFrame(rows, columns=COLUMNS[:8])
    return _adjust(out, padjust)


def _residuals(values: np.ndarray, covars: np.ndarray) -> np.ndarray:
    design = np.column_stack([np.ones(len(values)), covars])
    coef, *_ = np.linalg.lstsq(design, values, rcond=None)
    return values - design @ coef


def partial_correlations(
    data: pd.DataFrame,
    x: Sequence[str],
    y: Sequence[str],
    covar: Sequence[str] | str,
    method: str = "pearson",
    alpha: float = 0.05,
    padjust: str = "holm",
) -> pd.DataFrame:
    """Correlation of x and y controlling for `covar` (e.g. unit size, `n` or `employees`).

    r_xy.z = corr(e_x, e_y) where e_x, e_y are the residuals of x and y regressed (OLS with an
    intercept) on the covariates z; Spearman does this on ranks. With k covariates: p from t with
    n - 2 - k df, CI from Fisher z with se = 1 / sqrt(n - 3 - k). Reference: pingouin.partial_corr;
    Baba, Shibata & Sibuya (2004) Aust. N. Z. J. Stat. 46, 657-664.
    """
    _check("method", method, METHODS)
    _check("padjust", padjust, PADJUST)
    covs = [covar] if isinstance(covar, str) else list(covar)
    k = len(covs)
    rows = []
    for xi, yi, sub in _pairs(data, x, y, covs):
        n = len(sub)
        r = np.nan
        if n >= k + 3:
            values = sub.to_numpy(float)
            if method == "spearman":
                values = np.apply_along_axis(stats.rankdata, 0, values)
            frame = pd.DataFrame(values, columns=sub.columns)
            z = frame[covs].to_numpy()
            ex = _residuals(frame[xi].to_numpy(), z)
            ey = _residuals(frame[yi].to_numpy(), z)
            if ex.std() > 1e-12 and ey.std() > 1e-12:
                r = float(np.corrcoef(ex, ey)[0, 1])
        scale = 1.06 if method == "spearman" else 1.0
        low, high = fisher_ci(r, n, alpha, covariates=k, se_scale=scale)
        rows.append([xi, yi, f"partial_{method}", n, r, low, high, _t_pvalue(r, n - 2 - k)])
    return _adjust(pd.DataFrame(rows, columns=COLUMNS[:8]), padjust)


def weighted_pearson(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> float:
    """r_w = sum w (a - a_w)(b - b_w) / sqrt(sum w (a - a_w)^2 * sum w (b - b_w)^2).

    a_w, b_w are the w-weighted means. Equal weights give Pearson's r.
    """
    w = w / w.sum()
    da, db = a - np.sum(w * a), b - np.sum(w * b)
    den = np.sqrt(np.sum(w * da**2) * np.sum(w * db**2))
    return float(np.sum(w * da * db) / den) if den > 0 else np.nan


def weighted_correlations(
    data: pd.DataFrame,
    x: Sequence[str],
    y: Sequence[str],
    weight: str = "n",
    alpha: float = 0.05,
    padjust: str = "holm",
) -> pd.DataFrame:
    """Pearson correlation weighting each unit by `weight` (e.g. its number of respondents).

    r_w as in `weighted_pearson`. Inference uses Kish's effective sample size
    n_eff = (sum w)^2 / sum w^2 in place of n (CI: Fisher z with n_eff - 3; p: t with n_eff - 2
    df), an approximation. The `n` column reports n_eff. Reference: Kish (1965) Survey Sampling.
    """
    _check("padjust", padjust, PADJUST)
    rows = []
    for xi, yi, sub in _pairs(data, x, y, [weight]):
        sub = sub[sub[weight] > 0]
        r, n_eff = np.nan, 0.0
        if len(sub) >= 3:
            w = sub[weight].to_numpy(float)
            n_eff = float(w.sum() ** 2 / np.sum(w**2))
            r = weighted_pearson(sub[xi].to_numpy(float), sub[yi].to_numpy(float), w)
        low, high = fisher_ci(r, n_eff, alpha)
        rows.append([xi, yi, "weighted_pearson", n_eff, r, low, high, _t_pvalue(r, n_eff - 2)])
    return _adjust(pd.DataFrame(rows, columns=COLUMNS[:8]), padjust)


def change_scores(
    panel: pd.DataFrame, columns: Sequence[str], unit: str = "unit", year: str = "year"
) -> pd.DataFrame:
    """Within-unit change between consecutive available years: one row per (unit, year pair).

    delta_c = c(unit, year_t) - c(unit, year_(t-1)) where year_(t-1) is the unit's previous year
    in `panel`. Returns `unit, year_from, year_to` and one column per name in `columns`.

    >>> p = pd.DataFrame({"unit": ["a", "a", "b"], "year": [2023, 2024, 2024], "hme": [70, 74, 80]})
    >>> change_scores(p, ["hme"]).values.tolist()
    [['a', 2023, 2024, 4.0]]
    """
    cols = list(columns)
    df = panel[[unit, year, *cols]].sort_values([unit, year])
    df[cols] = df[cols].apply(pd.to_numeric, errors="coerce")
    grouped = df.groupby(unit, sort=False)
    diffs = grouped[cols].diff()
    out = pd.DataFrame(
        {unit: df[unit], "year_from": grouped[year].shift(), "year_to": df[year]}
    ).join(diffs)
    out = out[out["year_from"].notna()].reset_index(drop=True)
    out["year_from"] = out["year_from"].astype(int)
    return out


def change_on_change(
    panel: pd.DataFrame,
    x: Sequence[str],
    y: Sequence[str],
    unit: str = "unit",
    year: str = "year",
    method: str = "pearson",
    alpha: float = 0.05,
    padjust: str = "holm",
) -> pd.DataFrame:
    """Correlation of within-unit changes: does a rising index go with a falling outcome?

    r = corr(delta_x, delta_y) over (unit, consecutive year pair) rows from `change_scores`.
    Differencing removes stable between-unit differences (a first-difference design; Wooldridge,
    Econometric Analysis of Cross Section and Panel Data, ch. 10). With more than two years a unit
    contributes several rows, which are not independent: read the p-values as approximate.
    """
    deltas = change_scores(panel, [*x, *[c for c in y if c not in x]], unit=unit, year=year)
    out = correlations(deltas, x, y, method=method, alpha=alpha, padjust=padjust)
    out["method"] = "change_" + out["method"]
    return out
