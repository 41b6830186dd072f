"""The questionnaire a unit's report shows, on a municipality's export as its vendor delivers
it (tests/municipality.py): `hme init`, `hme inspect --write-instruments`, `hme ingest`, then
only what was asked, in the file's words, on its own scales, audience sections only where the
audience answered."""

from __future__ import annotations

import pandas as pd
import pytest

from hme_core.instruments import load_instruments
from hme_core.results.questionnaire import (
    read_asked,
    unit_questionnaire,
    units_without_audience,
)
from hme_core.store.duckdb_store import Store
from tests.municipality import AGREE4, DIALOGUE, ENPS, EXPOSURE, FREQ, ORG, build_workspace


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A workspace after `init`, `inspect --write-map --write-instruments` and `ingest`."""
    ws = build_workspace(tmp_path_factory.mktemp("kommun"))
    ws["instruments"] = load_instruments(ws["params"] / "instruments")
    return ws


def _questionnaire(ws, unit, lang="sv"):
    with Store.open(ws["db"], read_only=True) as store:
        asked = read_asked(store, 2025)
        st = store.load_result("statements", 2025, units=[unit])
        aud = store.load_result("audiences", 2025, units=[unit])
    return unit_questionnaire(ws["instruments"], asked, st, 2025, lang, ORG,
                              {r.instrument: r.respondents for r in aud.itertuples()})


def test_asked_items_are_the_files_38_in_its_own_words(workspace):
    with Store.open(workspace["db"], read_only=True) as store:
        asked = read_asked(store, 2025)
    assert len(asked) == 38
    texts = dict(zip(asked["item"], asked["text"], strict=True))
    assert texts["enps"] == ENPS  # the organisation's name as the file writes it
    assert texts["own_u1"] == EXPOSURE[0] and "12 månaderna" in texts["own_u1"]
    assert texts["own_m1"] == DIALOGUE
    assert not {"ex_discrimination", "ex_sexual", "dv_plan", "mg_support"} & set(texts)


def test_a_unit_without_patient_contact_has_no_hse_section(workspace):
    school = _questionnaire(workspace, "BU1")
    care = _questionnaire(workspace, "VO1")
    assert "hse" not in school.instruments and "hse" in care.instruments
    assert care.section("hse").audience_respondents == 24
    with Store.open(workspace["db"], read_only=True) as store:
        st = store.load_result("statements", 2025)
        asked = read_asked(store, 2025)
    missing = units_without_audience(st, asked, workspace["instruments"],
                                     ["VO1", "VO2", "BU1", "SB2"])
    assert missing["hse"] == ["BU1", "SB2"]


def test_one_manager_question_is_a_manager_section_without_the_index(workspace):
    section = _questionnaire(workspace, "K").section("manager")
    assert section.item_ids == ["mg_conditions"] and section.indices == ()
    assert section.questions[0].n == 9  # 10 managers, one answered "Vet ej / ej aktuellt"


def test_scale_labels_run_favourable_to_unfavourable_with_reversed_items_flipped(workspace):
    q = _questionnaire(workspace, "K")
    demands, support = q.question("own_a1"), q.question("own_a3")
    assert demands.text == FREQ[0] and demands.reversed
    assert [label for _c, label in demands.labels] == ["Aldrig", "Sällan", "Ibland", "Ofta",
                                                       "Alltid"]
    assert [label for _c, label in support.labels][0] == "Alltid"
    assert [label for _c, label in q.question("own_p1").labels] == AGREE4[::-1]
    exposed = q.question("own_u1")
    assert exposed.kind == "categorical" and [lb for _c, lb in exposed.labels] == ["Nej", "Ja"]
    assert [lb for _c, lb in q.question("own_m1").labels] == ["Ja", "Nej"]


def test_english_falls_back_to_the_organisations_wording(workspace):
    q = _questionnaire(workspace, "K", lang="en")
    assert q.question("hme1").text == "My work feels meaningful."
    assert q.question("own_e2").text == "Jag känner mig trygg i min anställning."
    assert q.section("own_e").title == "Egna frågor E"


def test_own_instruments_are_scored_like_hmes(workspace):
    with Store.open(workspace["db"], read_only=True) as store:
        scores = store.load_result("scores", 2025, units=["K"]).set_index("index")
        responses = store.load_responses(2025)
    # own_a by hand: item means of 0-100 scores (Aldrig..Alltid = 0..100; a1, a2 mirrored)
    by_hand = []
    for item, reversed_ in (("own_a1", True), ("own_a2", True), ("own_a3", False),
                            ("own_a4", False)):
        score = (responses[item].dropna().astype(float) - 1) * 25
        by_hand.append((100 - score if reversed_ else score).mean())
    assert scores.loc["own_a", "value"] == pytest.approx(sum(by_hand) / 4)
    assert scores.loc["own_a", "n"] > 0 and pd.notna(scores.loc["own_p", "value"])


def test_kolada_like_export_has_rows_for_own_instruments(workspace, monkeypatch):
    from hme_core.research.kolada import export_kolada

    monkeypatch.setenv("HME_PARAMS", str(workspace["params"]))
    with Store.open(workspace["db"], read_only=True) as store:
        rows = export_kolada(store, 2025, "9999", ORG, "municipality", with_own=True,
                             instruments=workspace["instruments"])
        scores = store.load_result("scores", 2025, units=["K"]).set_index("index")
    assert rows["kpi"].tolist()[:12:3] == ["U00200", "U00201", "U00202", "U00203"]
    own = rows[(rows["kpi"] == "own_p") & (rows["gender"] == "T")]
    assert own["value"].iloc[0] == pytest.approx(scores.loc["own_p", "value"])
    assert {"own_a", "own_e", "hse", "enps"} <= set(rows["kpi"])


def test_the_top_report_learns_once_which_units_have_no_audience_section(workspace):
    from hme_core.results.questionnaire import load_audience_gaps, load_unit_questionnaire

    with Store.open(workspace["db"], read_only=True) as store:
        gaps = load_audience_gaps(store, 2025, workspace["instruments"])
        q = load_unit_questionnaire(store, 2025, "VO1", workspace["instruments"], "sv", ORG)
    # no patient contact outside care; every unit has a manager who answered
    assert [u for u, _name in gaps["hse"]] == ["BU", "BU1", "BU2", "BU3", "SB", "SB1", "SB2"]
    assert ("BU1", "Förskolan Solen") in gaps["hse"] and "manager" not in gaps
    assert q.section("hse").audience_respondents == 24


def test_own_instruments_follow_in_the_order_the_file_asks_them(workspace):
    q = _questionnaire(workspace, "K")
    # P1-P6, A1-A4, U1-U2, M1, E1-E3 in the file; shipped sections first in the report's order
    assert q.instruments == ["hme", "enps", "hse", "manager", "own_p", "own_a", "own_u",
                             "own_m", "own_e"]


def test_standard_items_mapped_by_hand_keep_the_files_words_and_only_they_are_listed():
    # a municipality maps its two questions to the shipped exposure and development items
    instruments = load_instruments()
    asked = pd.DataFrame({"item": ["hme1", "ex_victimisation", "dv_dialogue"],
                          "text": ["", EXPOSURE[0], DIALOGUE], "position": [0, 1, 2]})
    counts = pd.DataFrame({"item": ["hme1", "ex_victimisation", "dv_dialogue"],
                           "n": [30, 30, 30]})
    q = unit_questionnaire(instruments, asked, counts, 2025, "sv", ORG)
    assert q.section("exposure").item_ids == ["ex_victimisation"]
    assert q.question("ex_victimisation").text == EXPOSURE[0]  # "12 månaderna"
    assert q.section("development").item_ids == ["dv_dialogue"]
    assert "medarbetarsamtal" in q.question("dv_dialogue").text
    assert q.question("hme1").text == "Mitt arbete känns meningsfullt."  # the standard's own
    assert [lb for _c, lb in q.question("ex_victimisation").labels] == ["Nej", "Ja"]
