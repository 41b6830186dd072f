"""Key drivers: how much of an outcome's explained variance each statement accounts for.

Relative importance by the LMG decomposition of R² (Lindeman, Merenda & Gold 1980; Grömping
2006, Journal of Statistical Software 17(1)): predictor j's share is the mean, over all orders in
which the predictors can enter an OLS model, of the increase in R² when j enters. Equivalently,
with p predictors and S running over the subsets without j,

    LMG_j = sum_S  |S|! (p - |S| - 1)! / p!  * (R²(S ∪ {j}) - R²(S)),

so the shares add up to the full model's R². R² of a subset comes from the correlation matrix:
R²(S) = r_yS' R_SS^-1 r_yS. All 2^p subsets are computed (`scoring/relative_weights.py`), so
p is kept small (<= `MAX_PREDICTORS`).

What it means: how much each statement and the outcome vary *together*, given the others; it is
not an effect, says nothing about cause or about what would happen if a statement improved, and
correlated statements share their common part equally by construction. Shown only when
n >= max(30, 10 × predictors) (`min_n`). Intervals are bootstrap intervals over respondents (or
units), either percentile (the quantiles of the resampled LMGs) or bias-corrected (BC: Efron &
Tibshirani 1993, An Introduction to the Bootstrap, ch. 14: with z0 = Phi^-1(share of resampled
values below the estimate), the quantiles Phi(2 z0 -/+ z_(1-a/2))). LMG is a sum of R²
increments and biased upwards in small samples, so a percentile interval may lie entirely above
the estimate; BC moves it by the measured bias. Either interval is shown as computed, with its
method named in `ci_method`; `ci_contains` says whether it contains the estimate.
Checked against pingouin's `linear_regression(..., relimp=True)`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

# The pure LMG lives one stage down, where the organisation's driver weights use it too; these
# names stay importable from here.
from hme_core.scoring.relative_weights import MAX_PREDICTORS, lmg, min_n

__all__ = ["COLUMNS", "MAX_PREDICTORS", "lmg", "min_n", "relative_importance"]

COLUMNS = ["outcome", "predictor", "n", "r2", "lmg", "share", "ci_low", "ci_high", "rank",
           "ci_method", "ci_contains"]
CI_METHODS = ("percentile", "bc")


def bootstrap_interval(boots: np.ndarray, point: np.ndarray, level: float = 0.95,
                       method: str = "percentile") -> tuple[np.ndarray, np.ndarray]:
    """Per column of `boots` (resamples x statistics): the percentile or BC interval (rules
    above). NaN without resamples. With z0 = 0 (half the resamples below) BC is percentile.

    >>> b = np.arange(1.0, 101.0).reshape(-1, 1)
    >>> [round(float(v[0]), 2) for v in bootstrap_interval(b, np.array([50.5]), 0.9)]
    [5.95, 95.05]
    """
    from scipy import stats

    if not len(boots):
        return (np.full(len(point), np.nan),) * 2
    tail = (1 - level) / 2
    if method == "percentile":
        q = np.tile([[tail], [1 - tail]], (1, len(point)))
    else:
        below = np.clip((boots < point).mean(axis=0) + 0.5 * (boots == point).mean(axis=0),
                        0.5 / len(boots), 1 - 0.5 / len(boots))
        z0, z = stats.norm.ppf(below), stats.norm.ppf(1 - tail)
        q = np.array([stats.norm.cdf(2 * z0 - z), stats.norm.cdf(2 * z0 + z)])
    low = np.array([np.quantile(boots[:, j], q[0, j]) for j in range(len(point))])
    high = np.array([np.quantile(boots[:, j], q[1, j]) for j in range(len(point))])
    return low, high


def relative_importance(
    data: pd.DataFrame, outcome: str, predictors: Sequence[str], n_boot: int = 200,
    seed: int = 0, level: float = 0.95, ci_method: str = "percentile",
) -> pd.DataFrame:
    """LMG relative importance of `predictors` for `outcome` with bootstrap intervals.

    Rows with any missing value are left out. Returns `COLUMNS`: `lmg` (share of variance
    explained, 0-1), `share` (% of the model's R²), a bootstrap interval of `lmg` from
    `n_boot` resamples (seeded: the same data give the same numbers) by `ci_method`
    ("percentile" or "bc", see above), `rank` (1 = largest), `ci_method` and `ci_contains`.
    Empty when n < `min_n(len(predictors))`.
    """
    if ci_method not in CI_METHODS:
        raise ValueError(f"ci_method={ci_method!r}; expected one of {CI_METHODS}")
    predictors = list(predictors)
    complete = data[[outcome, *predictors]].apply(pd.to_numeric, errors="coerce").dropna()
    complete = complete.loc[:, complete.std() > 0] if len(complete) else complete
    predictors = [p for p in predictors if p in complete]
    n = len(complete)
    if n < min_n(len(predictors)) or outcome not in complete or not predictors:
        return pd.DataFrame(columns=COLUMNS)
    x, y = complete[predictors].to_numpy(float), complete[outcome].to_numpy(float)
    point = lmg(x, y)
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(n_boot):
        pick = rng.integers(0, n, n)
        xb, yb = x[pick], y[pick]
        if np.all(xb.std(axis=0) > 0) and yb.std() > 0:
            boots.append(lmg(xb, yb))
    low, high = bootstrap_interval(np.array(boots).reshape(-1, len(predictors)), point, level,
                                   ci_method)
    r2 = point.sum()
    out = pd.DataFrame({
        "outcome": outcome, "predictor": predictors, "n": n, "r2": r2, "lmg": point,
        "share": 100 * point / r2 if r2 > 0 else np.nan, "ci_low": low, "ci_high": high,
        "ci_method": ci_method, "ci_contains": (low <= point) & (point <= high),
    })
    out["rank"] = out["lmg"].rank(ascending=False, method="min").astype(int)
    return out.sort_values("rank", kind="stable").reset_index(drop=True)[COLUMNS]
