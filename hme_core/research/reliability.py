"""Internal consistency of the HME subindices and total: alpha, omega, item-rest correlations.

Input: one row per respondent, one column per statement (answer codes or 0-100 scores; all
statistics here are invariant to that linear recoding). Respondents with a missing answer on
any of the scale's statements are left out (listwise), so every statistic of a scale rests on the
same persons; `n` says how many.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import optimize

DEFAULT_SEED = 20240501
MIN_RESPONDENTS = 10  # fewer complete rows: no alpha or omega is interpreted
ACCEPTABLE = 0.70  # the usual lower bound of acceptable reliability (Nunnally & Bernstein 1994)


def _complete(data: pd.DataFrame, items: Sequence[str] | None = None) -> np.ndarray:
    cols = list(items) if items is not None else list(data.columns)
    return data[cols].apply(pd.to_numeric, errors="coerce").dropna().to_numpy(float)


def _alpha(x: np.ndarray) -> float:
    k = x.shape[1]
    if k < 2 or len(x) < 2:
        return np.nan
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var <= 0:
        return np.nan
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total_var))


def cronbach_alpha(data: pd.DataFrame, items: Sequence[str] | None = None) -> float:
    """Cronbach's alpha = k / (k - 1) * (1 - sum_i var(x_i) / var(sum_i x_i)).

    k items, sample variances (ddof = 1), listwise deletion. Reference: Cronbach (1951)
    Psychometrika 16, 297-334; pingouin.cronbach_alpha.

    >>> df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 3, 5], "c": [1, 3, 3, 4]})
    >>> round(cronbach_alpha(df), 4)
    0.9474
    """
    return _alpha(_complete(data, items))


def one_factor_ml(corr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standardised loadings and uniquenesses of a one-factor model fitted by maximum likelihood.

    Minimises F(psi) = log|Sigma| + tr(Sigma^-1 R) - log|R| - p over the uniquenesses psi, with
    Sigma = l l' + diag(psi) and, for given psi, l = psi^(1/2) v sqrt(max(theta - 1, 0)) where
    (theta, v) is the largest eigenpair of psi^(-1/2) R psi^(-1/2) (Joreskog 1967, Psychometrika
    32, 443-482; R's `factanal`). With three items the model is just identified and
    l_1^2 = r_12 r_13 / r_23.
    """
    lam, psi, _ = one_factor_fit(corr)
    return lam, psi


def one_factor_fit(corr: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """`one_factor_ml` with a check of the solution: status "ok", "not_converged", "heywood"
    (a uniqueness at its lower bound 0.005, i.e. a standardised loading of ~1: an improper
    solution) or "mixed_signs" (loadings of both signs: the items do not measure one thing in
    one direction, so omega of their sum is not a reliability)."""
    p = corr.shape[0]

    def loadings(psi: np.ndarray) -> np.ndarray:
        s = 1 / np.sqrt(psi)
        theta, vec = np.linalg.eigh(corr * np.outer(s, s))
        return np.sqrt(psi) * vec[:, -1] * np.sqrt(max(theta[-1] - 1, 0.0))

    def objective(psi: np.ndarray) -> tuple[float, np.ndarray]:
        lam = loadings(psi)
        sigma = np.outer(lam, lam) + np.diag(psi)
        sign, logdet = np.linalg.slogdet(sigma)
        if sign <= 0:
            return np.inf, np.zeros(p)
        inv = np.linalg.inv(sigma)
        # gradient of the profile likelihood: diag(Sigma^-1 (Sigma - R) Sigma^-1) (factanal)
        grad = np.diag(inv @ (sigma - corr) @ inv)
        return logdet + np.trace(inv @ corr), grad

    start = np.clip(1 - 1 / np.diag(np.linalg.pinv(corr)), 0.05, 0.995)  # 1 - SMC
    start = 1 - start
    res = optimize.minimize(objective, start, jac=True, method="L-BFGS-B",
                            bounds=[(0.005, 1.0)] * p)
    lam = loadings(res.x)
    lam = lam if lam.sum() >= 0 else -lam
    status = ("not_converged" if not res.success else "heywood" if np.any(res.x <= 0.005 + 1e-6)
              else "mixed_signs" if np.any(lam < 0) and np.any(lam > 0) else "ok")
    return lam, 1 - lam**2, status


def omega_from_loadings(loadings: Sequence[float], uniquenesses: Sequence[float]) -> float:
    """McDonald's omega = (sum l)^2 / ((sum l)^2 + sum psi).

    >>> round(omega_from_loadings([0.8, 0.7, 0.6], [0.36, 0.51, 0.64]), 4)
    0.7449
    """
    s = float(np.sum(loadings)) ** 2
    return s / (s + float(np.sum(uniquenesses))) if s > 0 else np.nan


def _omega(x: np.ndarray) -> float:
    return _omega_checked(x)[0]


def _omega_checked(x: np.ndarray) -> tuple[float, str]:
    """(omega, status): status "too_few_items" (< 3: a one-factor model is not identified),
    "too_few_respondents" (< `MIN_RESPONDENTS`), "constant_item", or `one_factor_fit`'s."""
    if x.shape[1] < 3:
        return np.nan, "too_few_items"
    if len(x) < MIN_RESPONDENTS:
        return np.nan, "too_few_respondents"
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(x, rowvar=False)
    if not np.all(np.isfinite(corr)):
        return np.nan, "constant_item"
    lam, psi, status = one_factor_fit(corr)
    s = lam.sum() ** 2
    return float(s / (s + psi.sum())), status


def alpha_status(x: np.ndarray) -> str:
    """Whether alpha of these complete rows may be read as a reliability: "too_few_items"
    (< 2), "too_few_respondents" (< `MIN_RESPONDENTS`), "constant_item", "negative_mean_covariance"
    (the mean inter-item covariance is <= 0, so alpha <= 0: the items do not covary as one
    scale; reversed items?) or "ok". Single negative covariances are counted by
    `negative_covariances`; alpha is then a lower bound that understates the items' consistency.

    >>> alpha_status(np.array([[1, 5], [2, 4], [3, 3], [4, 2], [5, 1]] * 2, float))
    'negative_mean_covariance'
    """
    k = x.shape[1]
    if k < 2:
        return "too_few_items"
    if len(x) < MIN_RESPONDENTS:
        return "too_few_respondents"
    if np.any(x.var(axis=0) == 0):
        return "constant_item"
    cov = np.cov(x, rowvar=False)
    return "negative_mean_covariance" if cov[np.triu_indices(k, 1)].mean() <= 0 else "ok"


def negative_covariances(x: np.ndarray) -> int:
    """How many item pairs covary negatively."""
    if x.shape[1] < 2 or len(x) < 2:
        return 0
    cov = np.cov(x, rowvar=False)
    return int(np.sum(cov[np.triu_indices(x.shape[1], 1)] < 0))


def mcdonald_omega(data: pd.DataFrame, items: Sequence[str] | None = None) -> float:
    """McDonald's omega (total) from a one-factor ML model of the items' correlation matrix.

    omega = (sum l_i)^2 / ((sum l_i)^2 + sum psi_i) with standardised loadings l and
    uniquenesses psi = 1 - l^2 from `one_factor_ml`. Needs at least three items.
    Reference: McDonald (1999) Test Theory: A Unified Treatment, ch. 6; Hayes & Coutts (2020)
    Communication Methods and Measures 14, 1-24.
    """
    return _omega(_complete(data, items))


def item_rest_correlations(data: pd.DataFrame, items: Sequence[str] | None = None) -> pd.DataFrame:
    """Per item: Pearson r of the item with the sum of the other items, and alpha without it.

    Returns `item, n, r_item_rest, alpha_if_deleted`. Reference: Nunnally & Bernstein (1994)
    Psychometric Theory, ch. 8 (corrected item-total correlation).
    """
    cols = list(items) if items is not None else list(data.columns)
    x = _complete(data, cols)
    rows = []
    for j, item in enumerate(cols):
        rest = np.delete(x, j, axis=1)
        r = float(np.corrcoef(x[:, j], rest.sum(axis=1))[0, 1]) if len(x) > 2 else np.nan
        rows.append([item, len(x), r, _alpha(rest)])
    return pd.DataFrame(rows, columns=["item", "n", "r_item_rest", "alpha_if_deleted"])


def bootstrap_ci(
    x: np.ndarray,
    statistic: Callable[[np.ndarray], float],
    n_boot: int = 1000,
    ci: float = 0.95,
    seed: int = DEFAULT_SEED,
) -> tuple[float, float]:
    """Percentile bootstrap interval: resample rows with replacement `n_boot` times.

    CI = the (1 - ci)/2 and (1 + ci)/2 quantiles of the resampled statistics (Efron & Tibshirani
    1993, An Introduction to the Bootstrap, ch. 13). The same `seed` gives the same interval.
    """
    if n_boot < 1 or len(x) < 4:
        return (np.nan, np.nan)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(x), size=(n_boot, len(x)))
    values = np.array([statistic(x[idx]) for idx in draws])
    values = values[np.isfinite(values)]
    if not len(values):
        return (np.nan, np.nan)
    low, high = np.quantile(values, [(1 - ci) / 2, (1 + ci) / 2])
    return (float(low), float(high))


def reliability_table(
    data: pd.DataFrame,
    scales: Mapping[str, Sequence[str]],
    n_boot: int = 1000,
    ci: float = 0.95,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Alpha and omega with bootstrap percentile CIs for each scale (e.g. each HME index), and
    whether each may be read as a reliability.

    Returns `scale, n_items, n, alpha, alpha_ci_low, alpha_ci_high, omega, omega_ci_low,
    omega_ci_high, alpha_status, omega_status, negative_covariances` (statuses from
    `alpha_status` and `_omega_checked`; a statistic whose status is not "ok" is NaN, with its
    interval, except a negative alpha, shown as computed). `n_boot=0` skips the intervals.
    """
    rows = []
    for name, items in scales.items():
        x = _complete(data, items)
        a_status = alpha_status(x)
        omega, o_status = _omega_checked(x)
        alpha = _alpha(x) if a_status in ("ok", "negative_mean_covariance") else np.nan
        a_low, a_high = bootstrap_ci(x, _alpha, n_boot, ci, seed) if a_status == "ok" else (np.nan,) * 2
        o_low, o_high = bootstrap_ci(x, _omega, n_boot, ci, seed) if o_status == "ok" else (np.nan,) * 2
        rows.append([name, len(items), len(x), alpha, a_low, a_high,
                     omega if o_status == "ok" else np.nan, o_low, o_high, a_status, o_status,
                     negative_covariances(x)])
    cols = ["scale", "n_items", "n", "alpha", "alpha_ci_low", "alpha_ci_high"]
    return pd.DataFrame(rows, columns=[*cols, "omega", "omega_ci_low", "omega_ci_high",
                                       "alpha_status", "omega_status", "negative_covariances"])
