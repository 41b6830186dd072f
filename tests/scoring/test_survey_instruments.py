"""Whole-questionnaire instruments: COPSOQ themes, dimensions, yes/no shares, audiences.

Expected numbers are worked out by hand in the comments (4-option scale: 0, 33.3, 66.7, 100).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hme_core.config import Settings
from hme_core.disclosure.primary import index_results, statement_results
from hme_core.instruments import Instrument, InstrumentSet, load_instruments, load_scales
from hme_core.paths import params_dir
from hme_core.results.tables import year_results
from hme_core.scoring.statistics import answer_statistics

SCALES = load_scales(params_dir() / "instruments")


def _copsoq() -> InstrumentSet:
    ins = Instrument.model_validate({
        "id": "psy", "name": {"sv": "P", "en": "P"}, "scale": SCALES["likert4"],
        "method": "respondent_mean", "min_answered_share": 0.5,
        "items": [
            {"id": "a", "sv": "a", "en": "a", "reversed": True},
            {"id": "b", "sv": "b", "en": "b"},
            {"id": "c", "sv": "c", "en": "c"},
            {"id": "d", "sv": "d", "en": "d"},
        ],
        "indices": [
            {"id": "t1", "name": {"sv": "T1", "en": "T1"}, "items": ["a", "b", "c"]},
            {"id": "t2", "name": {"sv": "T2", "en": "T2"}, "items": ["d"]},
            {"id": "dim", "name": {"sv": "D", "en": "D"}, "themes": ["t1", "t2"]},
        ],
    })
    return InstrumentSet([ins])


def _rows(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for c in df.columns:
        df[c] = (df[c].astype("string") if c in ("unit", "role", "patient_contact", "sex")
                 else pd.array(df[c].tolist(), dtype="Int16"))
    return df


LOW = Settings(min_n_index=1, min_n_distribution=1)


def test_copsoq_theme_reversed_four_option_item_and_half_answered_rule():
    # Person 1: a=1 reversed -> 100, b=3 -> 66.67, c=4 -> 100: theme score 88.89.
    # Person 2: a=4 reversed -> 0, b blank, c=2 -> 33.33: 2 of 3 answered (>= half): 16.67.
    # Person 3: only c=1 answered: 1 of 3 < half -> no theme score.
    # Theme = (88.89 + 16.67) / 2 = 52.78, n = 2.
    df = _rows([{"unit": "u", "a": 1, "b": 3, "c": 4, "d": 2},
                {"unit": "u", "a": 4, "b": None, "c": 2, "d": 4},
                {"unit": "u", "a": None, "b": None, "c": 1, "d": 3}])
    res = index_results(answer_statistics(df, _copsoq()), _copsoq(), LOW).set_index("index")
    assert res.loc["t1", "n"] == 2
    assert res.loc["t1", "value"] == pytest.approx((800 / 9 + 50 / 3) / 2)  # 52.78


def test_dimension_is_the_mean_of_its_two_themes():
    # t2 (one item d): 33.33, 100, 66.67 -> 66.67; dimension = (52.78 + 66.67) / 2 = 59.72.
    df = _rows([{"unit": "u", "a": 1, "b": 3, "c": 4, "d": 2},
                {"unit": "u", "a": 4, "b": None, "c": 2, "d": 4},
                {"unit": "u", "a": None, "b": None, "c": 1, "d": 3}])
    res = index_results(answer_statistics(df, _copsoq()), _copsoq(), LOW).set_index("index")
    assert res.loc["t2", "value"] == pytest.approx(200 / 3)
    assert res.loc["dim", "value"] == pytest.approx(((800 / 9 + 50 / 3) / 2 + 200 / 3) / 2)
    assert res.loc["dim", "n"] == 2  # the fewest respondents of its themes (t1: 2, t2: 3)


def test_dimension_hidden_when_a_theme_is_hidden():
    # t2's item d has 1 answer < min_n_index 2: t2 hidden, so the dimension is hidden too.
    df = _rows([{"unit": "u", "a": 1, "b": 3, "c": 4, "d": 2},
                {"unit": "u", "a": 4, "b": 2, "c": 2, "d": None}])
    res = index_results(answer_statistics(df, _copsoq()), _copsoq(),
                        Settings(min_n_index=2)).set_index("index")
    assert np.isfinite(res.loc["t1", "value"])
    assert np.isnan(res.loc["t2", "value"]) and np.isnan(res.loc["dim", "value"])


ORG = pd.DataFrame({"unit": ["R", "a1", "a2"], "name": ["Region", "Avd 1", "Avd 2"],
                    "parent": [pd.NA, "R", "R"]}).astype("string")


def test_yes_no_share_with_n_and_its_suppression():
    # a1: 12 answers, 3 x Ja (code 1) -> 25 %; a2: 4 answers, 2 x Ja -> fewer than
    # min_n_distribution 10: hidden, and then a1 and R (5 of 16 = 31.25 %) cannot both be
    # published, or a2 = R - a1 would follow.
    ins = load_instruments()
    rows = ([{"unit": "a1", "hme1": 4, "ex_sexual": 1}] * 3
            + [{"unit": "a1", "hme1": 4, "ex_sexual": 2}] * 9
            + [{"unit": "a2", "hme1": 4, "ex_sexual": 1}] * 2
            + [{"unit": "a2", "hme1": 4, "ex_sexual": 2}] * 2)
    res = year_results(_rows(rows), ORG, None, ins, Settings(), 2025)
    st = res["statements"].set_index(["unit", "item"])
    assert st.loc[("a1", "ex_sexual"), "value"] != st.loc[("a1", "ex_sexual"), "value"]  # NaN
    dist = res["distributions"]
    yes = dist[(dist["item"] == "ex_sexual") & (dist["code"] == 1)].set_index("unit")
    assert "a2" not in yes.index
    assert not {"a1", "R"} <= set(yes.index)
    expected = {"a1": (0.25, 12), "R": (5 / 16, 16)}
    for unit, r in yes.iterrows():
        assert (r["share"], r["n"]) == pytest.approx(expected[unit])


def test_staff_without_patient_contact_are_not_missing_in_hse():
    # 6 with patient contact answer hse1 = 4 (75); 2 without answer nothing, and one of them
    # answered hse1 = 1 anyway (ignored: not asked). hse1: n 6 = the 6 asked, none missing,
    # value 75; respondents with patient contact: 6.
    ins = load_instruments()
    rows = ([{"unit": "u", "patient_contact": "ja", "hme1": 3, "hse1": 4}] * 6
            + [{"unit": "u", "patient_contact": "nej", "hme1": 3, "hse1": None},
               {"unit": "u", "patient_contact": "nej", "hme1": 3, "hse1": 1}])
    stats = answer_statistics(_rows(rows), ins)
    assert stats.loc["u", "aud|hse"] == 6
    assert stats.loc["u", "n|hse1"] == 6  # 6 asked, 6 answers: nobody missing
    st = statement_results(stats, ins, Settings()).set_index("item")
    assert st.loc["hse1", "value"] == 75
    # Without the column (a file that does not have it) everyone is asked.
    no_column = _rows(rows).drop(columns="patient_contact")
    assert answer_statistics(no_column, ins).loc["u", "n|hse1"] == 7


def test_manager_questions_only_count_managers():
    ins = load_instruments()
    rows = ([{"unit": "u", "role": "chef", "hme1": 3, "mg_conditions": 5}] * 2
            + [{"unit": "u", "role": "medarbetare", "hme1": 3, "mg_conditions": 1}])
    stats = answer_statistics(_rows(rows), ins)
    assert stats.loc["u", "n|mg_conditions"] == 2
    assert stats.loc["u", "sum|mg_conditions"] == 200
    assert stats.loc["u", "aud|manager"] == 2


def test_scales_hold_two_to_eleven_options():
    one = {"id": "x", "kind": "categorical", "options": [{"code": 1}]}
    with pytest.raises(ValueError):
        SCALES["yesno"].model_validate(one)
    assert len(SCALES["yesno"].codes) == 2
