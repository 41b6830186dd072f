"""The score table over an org tree: subtree rollup, direct respondents, employees, rates."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from hme_core.config import Settings
from hme_core.orgtree import closure, levels, path_names, tree_order
from hme_core.results.tables import SCORE_COLUMNS, score_table
from tests.fixtures import hme_row, make_responses


@pytest.fixture
def org():
    # R (region) -> A -> a1, a2 ; R -> B
    return pd.DataFrame(
        {"unit": ["R", "A", "a1", "a2", "B"],
         "name": ["Region", "Område A", "Avd 1", "Avd 2", "Område B"],
         "parent": [None, "R", "A", "A", "R"]}
    ).astype("string")


@pytest.fixture
def responses():
    # a1: 5 people answering all 4s (75); a2: 3 people answering all 2s (25);
    # A itself (the area manager's own staff): 2 people answering all 5s (100).
    # A's subtree: 10 people -> every statement = (5*75 + 3*25 + 2*100)/10 = 65.
    # B: nobody. R = A's subtree = 65.
    rows = ([hme_row("a1", [4] * 9) for _ in range(5)] + [hme_row("a2", [2] * 9) for _ in range(3)]
            + [hme_row("A", [5] * 9) for _ in range(2)])
    return make_responses(rows)


@pytest.fixture
def headcounts():
    return pd.DataFrame({"unit": ["a1", "a2", "A", "B"], "year": 2025, "employees": [8, 4, 3, 6]})


def test_levels_and_paths(org):
    assert levels(org).to_dict() == {"A": 2, "B": 2, "R": 1, "a1": 3, "a2": 3}
    assert path_names(org, "a2") == ["Region", "Område A", "Avd 2"]
    assert tree_order(org) == ["R", "A", "a1", "a2", "B"]
    assert len(closure(org)) == 5 + 4 + 2  # self pairs + parent pairs + grandparent pairs


def test_non_leaf_unit_includes_its_direct_respondents_and_subtree(org, responses, headcounts,
                                                                   instruments, settings):
    t = score_table(responses, org, headcounts, instruments, settings, 2025)
    assert list(t.columns) == SCORE_COLUMNS
    hme = t[t["index"] == "hme"].set_index("unit")
    assert hme.loc["A", "value"] == pytest.approx(65.0)
    assert hme.loc["A", "n"] == 10
    assert hme.loc["R", "value"] == pytest.approx(65.0)
    assert hme.loc["a1", "value"] == pytest.approx(75.0)
    # a2 has 3 respondents: below min_n_index 5, no value, n kept
    assert math.isnan(hme.loc["a2", "value"]) and hme.loc["a2", "n"] == 3
    assert hme.loc["a2", "suppression"] == "primary"
    # B has nobody: listed, n 0, no value
    assert hme.loc["B", "n"] == 0 and math.isnan(hme.loc["B", "value"])


def test_employees_and_response_rate_sum_over_the_subtree(org, responses, headcounts,
                                                          instruments, settings):
    t = score_table(responses, org, headcounts, instruments, settings, 2025)
    hme = t[t["index"] == "hme"].set_index("unit")
    # A: 3 direct + 8 + 4 = 15 employees, 10 respondents -> 2/3; R: 15 + 6 = 21, 10/21
    assert hme.loc["A", "employees"] == 15
    assert hme.loc["A", "response_rate"] == pytest.approx(10 / 15)
    assert hme.loc["R", "employees"] == 21
    assert hme.loc["R", "response_rate"] == pytest.approx(10 / 21)
    assert hme.loc["B", "response_rate"] == 0


def test_rows_follow_tree_order_with_one_row_per_index(org, responses, headcounts,
                                                       instruments, settings):
    t = score_table(responses, org, headcounts, instruments, settings, 2025)
    assert t["unit"].drop_duplicates().tolist() == ["R", "A", "a1", "a2", "B"]
    assert t[t["unit"] == "R"]["index"].tolist() == ["hme", "motivation", "leadership", "governance"]


def test_both_methods_on_the_same_fixture(org, instruments):
    # a1: p1 answers all nine with 5 (100); p2 answers hme1..hme8 with 1 (0) and skips hme9.
    # item_mean: hme1..8 = 50, hme9 = 100 -> total = (8*50 + 100)/9 = 55.56, n 2
    # respondent_mean: only p1 answered all nine -> 100, n 1
    df = make_responses([hme_row("a1", [5] * 9), hme_row("a1", [1] * 8 + [None])])
    im = score_table(df, org, None, instruments, Settings(min_n_index=1), 2025)
    rm = score_table(df, org, None, instruments, Settings(min_n_index=1, method="respondent_mean"), 2025)
    a = im[(im.unit == "a1") & (im["index"] == "hme")].iloc[0]
    b = rm[(rm.unit == "a1") & (rm["index"] == "hme")].iloc[0]
    assert (a["n"], a["value"]) == (2, pytest.approx(500 / 9))
    assert (b["n"], b["value"]) == (1, pytest.approx(100.0))
    # governance: p1 100,100,100; p2 0,0,- -> item_mean (50+50+100)/3; respondent_mean 100 (n 1)
    ga = im[(im.unit == "a1") & (im["index"] == "governance")].iloc[0]
    assert ga["value"] == pytest.approx(200 / 3)
