"""LMG relative weights against an all-subsets computation by hand and an average over orders."""

from __future__ import annotations

from itertools import permutations

import numpy as np
import pytest

from hme_core.scoring.relative_weights import (
    bootstrap_interval,
    lmg,
    lmg_from_corr,
    subset_r2,
)


def _r2(x: np.ndarray, y: np.ndarray) -> float:
    """R² of an OLS fit with intercept (numpy least squares, independent of the module)."""
    if x.shape[1] == 0:
        return 0.0
    design = np.column_stack([np.ones(len(y)), x])
    fitted = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    return 1 - np.sum((y - fitted) ** 2) / np.sum((y - y.mean()) ** 2)


def _data(p: int, n: int = 80, seed: int = 3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p))
    x[:, 1] += 0.7 * x[:, 0]  # correlated predictors share their common part
    y = x @ np.linspace(1.0, 0.1, p) + rng.normal(size=n)
    return x, y


def test_weights_equal_the_all_subsets_formula_worked_by_hand_for_three_predictors():
    x, y = _data(3)
    r = {s: _r2(x[:, list(s)], y) for s in [(), (0,), (1,), (2,), (0, 1), (0, 2), (1, 2),
                                            (0, 1, 2)]}
    # 3 predictors, 6 orders: a predictor enters first in 2 orders (weight 1/3), second after
    # either other one (1/6 each), last in 2 orders (1/3)
    a = r[(0,)] / 3 + (r[(0, 1)] - r[(1,)]) / 6 + (r[(0, 2)] - r[(2,)]) / 6 + (r[(0, 1, 2)] - r[(1, 2)]) / 3
    b = r[(1,)] / 3 + (r[(0, 1)] - r[(0,)]) / 6 + (r[(1, 2)] - r[(2,)]) / 6 + (r[(0, 1, 2)] - r[(0, 2)]) / 3
    c = r[(2,)] / 3 + (r[(0, 2)] - r[(0,)]) / 6 + (r[(1, 2)] - r[(1,)]) / 6 + (r[(0, 1, 2)] - r[(0, 1)]) / 3
    np.testing.assert_allclose(lmg(x, y), [a, b, c], atol=1e-12)
    assert lmg(x, y).sum() == pytest.approx(r[(0, 1, 2)], abs=1e-12)


def test_weights_equal_the_mean_gain_over_every_order_of_entry_for_six_predictors():
    x, y = _data(6, n=120)
    r2 = {}
    gains = np.zeros(6)
    orders = list(permutations(range(6)))
    for order in orders:  # 720 orders, each predictor's R² gain when it enters
        for k, j in enumerate(order):
            before = tuple(sorted(order[:k]))
            after = tuple(sorted(order[:k + 1]))
            for s in (before, after):
                if s not in r2:
                    r2[s] = _r2(x[:, list(s)], y)
            gains[j] += r2[after] - r2[before]
    np.testing.assert_allclose(lmg(x, y), gains / len(orders), atol=1e-10)


def test_subset_r2_by_schur_complements_equals_least_squares_for_every_subset():
    x, y = _data(5)
    r2 = subset_r2(np.corrcoef(np.column_stack([y, x]), rowvar=False))
    for mask in range(1 << 5):
        cols = [j for j in range(5) if mask >> j & 1]
        assert r2[mask] == pytest.approx(_r2(x[:, cols], y), abs=1e-10)


def test_a_predictor_that_repeats_another_adds_nothing_and_they_share_its_part():
    x, y = _data(3)
    twin = np.column_stack([x, x[:, 0]])
    shares = lmg(twin, y)
    assert shares.sum() == pytest.approx(_r2(x, y), abs=1e-9)
    assert shares[0] == pytest.approx(shares[3], abs=1e-9)


def test_sixteen_predictors_are_weighed_and_seventeen_refused():
    rng = np.random.default_rng(1)
    corr = np.corrcoef(rng.normal(size=(300, 17)), rowvar=False)
    assert lmg_from_corr(corr).shape == (16,)
    with pytest.raises(ValueError, match="use <= 16"):
        lmg(rng.normal(size=(300, 17)), rng.normal(size=300))


def test_bootstrap_interval_is_seeded_and_brackets_a_large_samples_estimate():
    x, y = _data(4, n=2000)
    low, high = bootstrap_interval(x, y, 60, seed=5)
    again = bootstrap_interval(x, y, 60, seed=5)
    np.testing.assert_array_equal(low, again[0])
    point = lmg(x, y)
    assert (low <= point).all() and (point <= high).all()
    assert np.isnan(bootstrap_interval(x, y, 0)[0]).all()
