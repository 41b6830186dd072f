"""Relative weights: how much of an outcome's explained variance each predictor accounts for.

Relative importance by the LMG decomposition of R² (docs/sources.md, "Relative importance
(LMG)"): predictor j's share is the mean, over all orders in which the predictors can enter an
OLS model, of the increase in R² when j enters. Equivalently, with p predictors and S running
over the subsets without j,

    LMG_j = sum_S  |S|! (p - |S| - 1)! / p!  * (R²(S ∪ {j}) - R²(S)),

so the shares add up to the full model's R². R² of a subset comes from the correlation matrix:
R²(S) = r_yS' R_SS^-1 r_yS, by Schur complements (`subset_r2`). All 2^p subsets are computed,
so p is kept to `MAX_PREDICTORS` (16: 65,536 subsets, ~0.01 s).

What it means: how much each predictor and the outcome vary *together*, given the others; it is
not an effect, says nothing about cause or about what would happen if a predictor improved, and
correlated predictors share their common part equally by construction. Shown only when
n >= max(30, 10 × predictors) (`min_n`); `bootstrap_interval` gives percentile bootstrap
intervals over respondents. Pure functions: arrays in, arrays out. The research workbook's key
drivers (`research/keydrivers.py`) and the organisation's driver weights (`results/drivers.py`)
both use this one implementation.
"""

from __future__ import annotations

from functools import lru_cache
from math import factorial

import numpy as np

MAX_PREDICTORS = 16


def min_n(n_predictors: int) -> int:
    """The smallest n for which relative importance is shown: max(30, 10 × predictors).

    >>> min_n(3), min_n(9)
    (30, 90)
    """
    return max(30, 10 * n_predictors)


def subset_r2(corr: np.ndarray) -> np.ndarray:
    """R² of every subset of predictors, indexed by bit mask (bit j = predictor j).

    `corr` is the correlation matrix of the outcome (row/column 0) and the p predictors. By
    Schur complements (the sweep operator): pivoting a correlation matrix on the predictors of
    S leaves 1 - R²(S) in the outcome's cell, and the rest of the complement is what the next
    predictor needs. Subsets are built by adding predictors in increasing order; each keeps
    only the complement over the outcome and the predictors after its last one, so all 2^p
    subsets take about 6 · 2^p products instead of 2^p solves. A predictor that adds nothing
    (a combination of those already in) leaves R² as it was.
    """
    p = corr.shape[0] - 1
    r2 = np.zeros(1 << p)
    built = [(-1, np.zeros(1, np.int64), np.asarray(corr, float)[None, :, :])]
    for m in range(p):
        masks, blocks = [], []
        for last, parent_masks, parent in built:
            t = m - last  # predictor m's position in the parent's complement
            pivot = parent[:, t, t]
            inverse = np.where(pivot > 1e-12, 1.0 / np.where(pivot > 1e-12, pivot, 1.0), 0.0)
            keep = np.r_[0, t + 1:parent.shape[1]]
            column = parent[:, keep, t]
            blocks.append(parent[:, keep[:, None], keep[None, :]]
                          - column[:, :, None] * column[:, None, :] * inverse[:, None, None])
            masks.append(parent_masks | (1 << m))
        masks_m, blocks_m = np.concatenate(masks), np.concatenate(blocks)
        r2[masks_m] = 1.0 - blocks_m[:, 0, 0]
        built.append((m, masks_m, blocks_m))
    return r2


def lmg_from_corr(corr: np.ndarray) -> np.ndarray:
    """LMG shares of R² from a correlation matrix (outcome first); they sum to the full R²."""
    p = corr.shape[0] - 1
    if p > MAX_PREDICTORS:
        raise ValueError(f"LMG over {p} predictors needs 2^{p} regressions; "
                         f"use <= {MAX_PREDICTORS}")
    cube = subset_r2(corr).reshape((2,) * p) if p else np.zeros(1)
    weight = _order_weights(p)
    out = np.zeros(p)
    for j in range(p):  # bit j of a subset's mask is axis p - 1 - j of the cube
        axis = p - 1 - j
        out[j] = np.sum(np.take(weight, 0, axis=axis)
                        * (np.take(cube, 1, axis=axis) - np.take(cube, 0, axis=axis)))
    return out


@lru_cache(maxsize=MAX_PREDICTORS + 1)
def _order_weights(p: int) -> np.ndarray:
    """|S|! (p - |S| - 1)! / p! for every subset S (by bit mask), as a 2 × … × 2 cube."""
    size = np.zeros(1 << p, dtype=np.int64)
    masks = np.arange(1 << p, dtype=np.int64)
    for j in range(p):
        size += (masks >> j) & 1
    by_size = np.array([factorial(k) * factorial(p - k - 1) / factorial(p)
                        for k in range(p)] + [0.0])
    return by_size[size].reshape((2,) * p)


def lmg(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """LMG shares of R² (one per column of `x`; they sum to the full model's R²)."""
    p = x.shape[1]
    if p > MAX_PREDICTORS:
        raise ValueError(f"LMG over {p} predictors needs 2^{p} regressions; "
                         f"use <= {MAX_PREDICTORS}")
    return lmg_from_corr(np.corrcoef(np.column_stack([y, x]), rowvar=False))


def bootstrap_interval(x: np.ndarray, y: np.ndarray, n_boot: int, seed: int = 0,
                       level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval of each LMG share over `n_boot` resamples of the rows.

    Seeded (the same data give the same interval); a resample in which a column is constant is
    skipped. NaN when no resample could be used or `n_boot` is 0. A percentile interval need not
    contain the point estimate (the estimate is biased towards larger shares in small samples).
    """
    p = x.shape[1]
    data = np.column_stack([y, x])
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(n_boot):
        sample = data[rng.integers(0, len(data), len(data))]
        if np.all(sample.std(axis=0) > 0):
            boots.append(lmg_from_corr(np.corrcoef(sample, rowvar=False)))
    if not boots:
        return np.full(p, np.nan), np.full(p, np.nan)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(boots, [tail, 100 - tail], axis=0)
    return low, high
