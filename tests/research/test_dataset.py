"""Only units whose indices are shown (n >= min_n_index on every statement) enter the analyses."""

from __future__ import annotations

import pandas as pd
import pytest

from hme_core.config import Settings
from hme_core.inputs.outcomes import store_outcomes
from hme_core.research.correlations import correlations
from hme_core.research.dataset import (
    NO_OUTCOMES,
    SUPPRESSED,
    analysis_table,
    build_analysis_table,
    respondent_table,
    units_at_level,
)
from hme_core.results.tables import score_table
from hme_core.store.duckdb_store import Store
from tests.fixtures import hme_row, make_responses, synthetic_store

ORG = pd.DataFrame({"unit": ["R", "A", "B", "C", "D", "E", "F"], "name": list("RABCDEF"),
                    "parent": [None, "R", "R", "R", "R", "R", "R"]}).astype("string")


@pytest.fixture
def scores(instruments):
    # A: 6 complete answers -> shown. B: 3 respondents -> every index suppressed.
    # C: 6 respondents, but only 4 answered hme8 -> governance and total suppressed,
    #    motivation and leadership shown: C must still be left out entirely.
    # D: 5 complete -> shown, but it has no outcome data. E: nobody answered.
    # F: 4 respondents -> suppressed; with B it keeps R - (A + C + D) from revealing B alone
    #    (without F, D would be suppressed as B's complement).
    rows = [hme_row("A", [4] * 9) for _ in range(6)] + [hme_row("B", [5] * 9) for _ in range(3)]
    rows += [hme_row("F", [1] * 9) for _ in range(4)]
    rows += [hme_row("C", [3] * 7 + [None if i < 2 else 3, 3]) for i in range(6)]
    rows += [hme_row("D", [2] * 9) for _ in range(5)]
    return score_table(make_responses(rows), ORG, None, instruments, Settings(), 2025)


@pytest.fixture
def outcomes():
    return pd.DataFrame({"year": 2025, "unit": ["A", "B", "C", "E"], "indicator": "sick_leave_rate",
                         "value": [5.0, 9.0, 7.0, 6.0], "unit_of_measure": "%"})


def test_suppressed_units_never_enter_the_analysis_table(scores, outcomes):
    c = scores[scores["unit"] == "C"].set_index("index")["value"]
    assert pd.notna(c["motivation"]) and pd.isna(c["governance"])  # the fixture is as described
    units = pd.DataFrame({"year": 2025, "unit": units_at_level(ORG, 2)})
    table = build_analysis_table(scores, outcomes, units, min_n=5)
    assert table.frame["unit"].tolist() == ["A"]
    reasons = table.excluded.set_index("unit")["reason"].to_dict()
    assert reasons == {"B": SUPPRESSED, "C": SUPPRESSED, "D": NO_OUTCOMES, "E": SUPPRESSED,
                       "F": SUPPRESSED}
    assert table.frame.loc[0, "hme"] == 75.0 and table.frame.loc[0, "sick_leave_rate"] == 5.0
    summary = table.summary().set_index("units")["count"]
    assert summary["entered"] == 1 and summary[f"left out: {SUPPRESSED}"] == 4


def test_a_value_with_too_small_n_is_refused_even_if_present(scores, outcomes):
    # belt and braces: a score row that slipped through with n < min_n never enters
    leaked = scores.copy()
    leaked.loc[leaked["unit"] == "B", "value"] = 100.0
    units = pd.DataFrame({"year": 2025, "unit": ["A", "B"]})
    table = build_analysis_table(leaked, outcomes, units, min_n=5)
    assert table.frame["unit"].tolist() == ["A"]


def test_leaf_level_and_numeric_levels():
    org = pd.DataFrame({"unit": ["R", "A", "a1", "B"], "name": list("RAaB"),
                        "parent": [None, "R", "A", "R"]})
    assert sorted(units_at_level(org, "leaf")) == ["B", "a1"]
    assert sorted(units_at_level(org, 2)) == ["A", "B"] and units_at_level(org, 1) == ["R"]


def test_store_analyses_leave_out_the_small_unit_every_year(tmp_path):
    db = tmp_path / "hme.duckdb"
    outcomes = synthetic_store(db, years=(2024, 2025), n_units=6, per_unit=6)
    with Store.open(db) as store:
        store_outcomes(store.con, outcomes.assign(source_row=range(len(outcomes))))
        table = analysis_table(store, "2024,2025", level="leaf")
        people, left_out = respondent_table(store, [2025], level="leaf")
    # U00 (3) is suppressed; so is one of the equally small units U01..U06 (6 each; which one
    # is the optimum's choice, the same both years), or R minus the other units would give U00
    # (secondary suppression, `disclosure`).
    assert "U00" not in set(table.frame["unit"]) and len(table.frame) == 10
    excluded = set(table.excluded["unit"])
    assert len(excluded) == 2 and "U00" in excluded and len(table.excluded) == 4
    assert "U00" not in set(people["unit"]) and left_out["unit"].tolist() == sorted(excluded)
    corr = correlations(table.frame[table.frame["year"] == 2025], ["hme"], ["sick_leave_rate"])
    assert corr.loc[0, "n"] == 5
