"""The primary rule as small named functions, and scoring that never hides anything."""

from __future__ import annotations

import numpy as np
import pytest

from hme_core.config import Settings
from hme_core.disclosure.primary import distribution_shown, index_results, index_shown
from hme_core.scoring.indices import index_values
from hme_core.scoring.statistics import answer_statistics
from tests.fixtures import hme_row, make_responses


def test_index_needs_the_threshold_on_its_least_answered_statement_and_on_its_own_n():
    s = Settings(min_n_index=3)
    # statements answered 3/3, 2/3 and 3/2 times (least answered statement, own n)
    assert index_shown(np.array([3, 2, 3]), np.array([3, 3, 2]), s).tolist() == [True, False, False]


def test_distribution_threshold_comes_from_settings():
    assert distribution_shown(np.array([6, 7]), Settings(min_n_distribution=7)).tolist() == [
        False, True]


def test_scoring_gives_the_value_of_a_small_unit_and_the_primary_rule_hides_it(instruments):
    # four respondents answering 4 on every statement: index 75, below min_n_index 5
    stats = answer_statistics(make_responses([hme_row("u", [4] * 9) for _ in range(4)]),
                              instruments)
    values = index_values(stats, instruments, "item_mean").set_index("index")
    assert values.loc["hme", "value"] == pytest.approx(75.0)
    assert values.loc["hme", "statement_n"] == 4
    hidden = index_results(stats, instruments, Settings()).set_index("index")
    assert np.isnan(hidden.loc["hme", "value"]) and hidden.loc["hme", "suppression"] == "primary"
    assert hidden.loc["hme", "n"] == 4
