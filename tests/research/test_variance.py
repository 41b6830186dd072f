"""ICC(1): ANOVA formula by hand, pingouin's ICC(1,1), and the random-intercept model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from hme_core.research.variance import icc_anova, icc_mixedlm, icc_table

# Balanced: 4 units x 3 persons. Unit means 3, 6, 3, 8; grand mean 5.
# MSB = 3 * (4 + 1 + 4 + 9) / 3 = 18; SSW = 2 + 2 + 2 + 2 = 8, MSW = 8 / (12 - 4) = 1
# ICC(1) = (18 - 1) / (18 + (3 - 1) * 1) = 0.85; tau^2 = (18 - 1) / 3 = 5.6667
BALANCED = pd.DataFrame({
    "unit": np.repeat(["a", "b", "c", "d"], 3),
    "pos": np.tile([1, 2, 3], 4),
    "hme": [2, 4, 3, 6, 7, 5, 3, 2, 4, 8, 9, 7],
})


def test_anova_icc_by_hand_and_against_pingouin():
    out = icc_anova(BALANCED, "hme", "unit").iloc[0]
    assert out["icc"] == pytest.approx(0.85)
    assert out["var_between"] == pytest.approx(17 / 3) and out["var_within"] == pytest.approx(1)
    ref = pg.intraclass_corr(BALANCED, targets="unit", raters="pos", ratings="hme")
    assert out["icc"] == pytest.approx(ref.set_index("Type").loc["ICC(1,1)", "ICC"])


def test_mixedlm_icc_equals_anova_on_balanced_data():
    out = icc_mixedlm(BALANCED, "hme", "unit").iloc[0]
    assert out["icc"] == pytest.approx(0.85, abs=1e-4)
    assert out["var_between"] == pytest.approx(17 / 3, abs=1e-3)
    assert out["var_within"] == pytest.approx(1.0, abs=1e-4)


def test_unbalanced_uses_adjusted_group_size():
    rng = np.random.default_rng(2)
    sizes = [3, 5, 8, 4, 10, 6]
    unit = np.repeat(list("abcdef"), sizes)
    effect = dict(zip("abcdef", rng.normal(0, 2, 6), strict=True))
    df = pd.DataFrame({"unit": unit, "y": [effect[u] for u in unit] + rng.normal(0, 3, len(unit))})
    g = df.groupby("unit")["y"]
    n_j, N, J = g.size().to_numpy(), len(df), 6
    msb = np.sum(n_j * (g.mean() - df["y"].mean()) ** 2) / (J - 1)
    msw = ((df["y"] - g.transform("mean")) ** 2).sum() / (N - J)
    k0 = (N - np.sum(n_j**2) / N) / (J - 1)
    out = icc_anova(df, "y", "unit").iloc[0]
    assert out["icc"] == pytest.approx((msb - msw) / (msb + (k0 - 1) * msw))
    both = icc_table(df, ["y"], "unit")
    assert both["method"].tolist() == ["mixedlm", "anova"]
    assert both["icc"].iloc[0] == pytest.approx(both["icc"].iloc[1], abs=0.1)


def test_a_single_unit_gives_no_icc():
    out = icc_anova(pd.DataFrame({"unit": ["a"] * 4, "y": [1, 2, 3, 4]}), "y", "unit")
    assert np.isnan(out["icc"].iloc[0])
