"""How much of the variance in person scores lies between units: ICC(1).

ICC(1) = tau^2 / (tau^2 + sigma^2), where tau^2 is the between-unit variance of the unit means and
sigma^2 the within-unit (residual) variance of persons (Bliese 2000, in Klein & Kozlowski,
Multilevel Theory, Research, and Methods in Organizations, 349-381). Two estimators:
`icc_mixedlm` (random-intercept model, REML; the primary one) and `icc_anova` (one-way ANOVA
mean squares, for comparison; both agree on balanced data when MSB > MSW).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

COLUMNS = ["variable", "method", "n_groups", "n_obs", "var_between", "var_within", "icc"]


def _clean(data: pd.DataFrame, value: str, group: str) -> pd.DataFrame:
    df = data[[group, value]].dropna()
    return pd.DataFrame(
        {"group": df[group].astype(str).to_numpy(), "y": pd.to_numeric(df[value]).to_numpy(float)}
    )


def icc_anova(data: pd.DataFrame, value: str, group: str) -> pd.DataFrame:
    """ICC(1) from one-way ANOVA mean squares (unbalanced groups allowed).

    MSB = sum_j n_j (ybar_j - ybar)^2 / (J - 1), MSW = sum_j sum_i (y_ij - ybar_j)^2 / (N - J),
    k0 = (N - sum_j n_j^2 / N) / (J - 1) (the adjusted mean group size),
    sigma^2 = MSW, tau^2 = (MSB - MSW) / k0, ICC(1) = (MSB - MSW) / (MSB + (k0 - 1) MSW).
    A negative estimate (MSB < MSW) is reported as it is. Reference: Shrout & Fleiss (1979)
    Psychol. Bull. 86, 420-428; Snijders & Bosker (2012) Multilevel Analysis, eq. 3.11.

    >>> df = pd.DataFrame({"u": list("aabbcc"), "y": [1, 2, 3, 4, 8, 9]})
    >>> round(float(icc_anova(df, "y", "u")["icc"].iloc[0]), 4)
    0.9623
    """
    df = _clean(data, value, group)
    n_obs = len(df)
    g = df.groupby("group")["y"]
    n_j, means = g.size().to_numpy(float), g.mean().to_numpy()
    n_groups = len(n_j)
    if n_groups < 2 or n_obs <= n_groups:
        return pd.DataFrame([[value, "anova", n_groups, n_obs, np.nan, np.nan, np.nan]], columns=COLUMNS)
    grand = df["y"].mean()
    msb = float(np.sum(n_j * (means - grand) ** 2) / (n_groups - 1))
    ssw = float(((df["y"] - g.transform("mean")) ** 2).sum())
    msw = ssw / (n_obs - n_groups)
    k0 = (n_obs - np.sum(n_j**2) / n_obs) / (n_groups - 1)
    icc = (msb - msw) / (msb + (k0 - 1) * msw)
    row = [value, "anova", n_groups, n_obs, (msb - msw) / k0, msw, float(icc)]
    return pd.DataFrame([row], columns=COLUMNS)


def icc_mixedlm(data: pd.DataFrame, value: str, group: str, reml: bool = True) -> pd.DataFrame:
    """ICC(1) from a random-intercept model y_ij = mu + u_j + e_ij (statsmodels MixedLM).

    u_j ~ N(0, tau^2), e_ij ~ N(0, sigma^2); tau^2 = the fitted random-intercept variance
    (`cov_re`), sigma^2 = the residual variance (`scale`); ICC(1) = tau^2 / (tau^2 + sigma^2).
    REML by default (as lme4/`lmer`). Reference: Raudenbush & Bryk (2002) Hierarchical Linear
    Models, ch. 2; statsmodels.regression.mixed_linear_model.MixedLM.
    """
    df = _clean(data, value, group)
    n_groups, n_obs = df["group"].nunique(), len(df)
    if n_groups < 2 or n_obs <= n_groups:
        return pd.DataFrame([[value, "mixedlm", n_groups, n_obs, np.nan, np.nan, np.nan]], columns=COLUMNS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # boundary fits (tau^2 = 0) warn; 0 is the answer then
        fit = smf.mixedlm("y ~ 1", df, groups=df["group"]).fit(reml=reml)
    tau2, sigma2 = float(fit.cov_re.iloc[0, 0]), float(fit.scale)
    row = [value, "mixedlm", n_groups, n_obs, tau2, sigma2, tau2 / (tau2 + sigma2)]
    return pd.DataFrame([row], columns=COLUMNS)


def icc_table(data: pd.DataFrame, values: Sequence[str], group: str) -> pd.DataFrame:
    """Both ICC(1) estimates for each column in `values`: one row per (variable, method)."""
    frames = [f(data, v, group) for v in values for f in (icc_mixedlm, icc_anova)]
    return pd.concat(frames, ignore_index=True)
