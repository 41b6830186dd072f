"""Reports show the organisation's questionnaire: only what was asked, in its own words, on its
own scales, audience sections only where the audience answered (tests/municipality.py: a
vendor's export with a subset of the manager questions, 4-point and frequency scales with
reversed items, yes/no questions and questions of its own; 2024 from SPSS)."""

from __future__ import annotations

import pytest

from tests.municipality import DIALOGUE, EXPOSURE, FREQ, OWN, build_workspace


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    return build_workspace(tmp_path_factory.mktemp("kommun"), years=(2024, 2025))


@pytest.fixture
def report(ws, monkeypatch):
    from hme_core.report.unit_report import UnitReport

    monkeypatch.setenv("HME_PARAMS", str(ws["params"]))
    return lambda unit, lang="sv": UnitReport.load(ws["db"], 2025, unit, lang)


def html(part) -> str:
    """A section's HTML (an `HTML` fragment or a document part)."""
    if hasattr(part, "html"):
        return part.html
    return part._repr_mimebundle_()["text/html"] if hasattr(part, "_repr_mimebundle_") else \
        str(part)


def _all(r) -> str:
    return "".join(html(s) for s in (r.index_section(), r.statement_section(), r.hse_section(),
                                      r.psychosocial_section(), r.exposure_section(),
                                      r.manager_section(), r.development_section(),
                                      r.instrument_sections()))


def test_a_unit_without_patient_contact_has_no_hse_and_no_unasked_questions(report):
    text = _all(report("BU1"))
    assert "säkerhetsengagemang" not in text  # no HSE section at all
    assert "Inga svar" not in text and "utvecklingssamtal" not in text
    assert "diskriminerande" not in text and "sexuella trakasserier" not in text
    assert "12 månaderna" in text and DIALOGUE in text  # the organisation's wording


def test_one_manager_question_is_a_manager_section(report):
    section = html(report("K").manager_section())
    assert "Chefsfrågor" in section and "Jag har goda förutsättningar" in section
    assert "Chefsindex" not in section  # one of four items: no manager index
    assert "Antalet medarbetare jag ansvarar för" not in section


def test_reversed_items_are_coloured_by_meaning(report):
    from hme_core.report.questionnaire_view import stoplight_runs

    r = report("K")
    section = html(r.instrument_sections())
    questions = list(r.questionnaire.section("own_a").questions)
    first, second = stoplight_runs(questions)
    # codes least favourable first (dark red): 'Alltid' (5) for the reversed items a1, a2
    assert first.items == ("own_a1", "own_a2") and first.codes == (5, 4, 3, 2, 1)
    assert second.items == ("own_a3", "own_a4") and second.codes == (1, 2, 3, 4, 5)
    # legends in the items' own labels, favourable first: 'Aldrig' leads the first chart's
    chart = section[section.index(FREQ[0]):section.index(FREQ[2])]
    assert chart.index("Aldrig") < chart.index("Alltid")
    later = section[section.index(FREQ[2]):]
    assert later.index("Alltid") < later.index("Aldrig")


def test_own_instruments_have_index_chart_comparison_and_last_year(report):
    section = html(report("VO1").instrument_sections())
    for name in ("Egna frågor A", "Egna frågor E", "Egna frågor P"):
        assert name in section
    assert section.count("<figure") >= 8  # index charts and stoplights of five instruments
    assert "Vård och omsorg" in section and "2024" in section  # upward and last year


def test_yes_no_questions_are_shares_with_a_chart(report):
    r = report("K")
    section = html(r.instrument_sections())
    start = section.index("Egna frågor U")
    part = section[start:]
    assert EXPOSURE[1] in part and "<figure" in part and "Andel som svarat Ja" in part
    question = r.questionnaire.question("own_u1")
    assert [lb for _c, lb in question.labels] == ["Nej", "Ja"]  # exposure: Ja unfavourable


def test_the_top_report_names_the_units_without_hse_once(report):
    top = _all(report("K"))
    assert top.count("inga svarande med patientkontakt") == 1
    assert "Förskolan Solen" in top and "Bygglov" in top
    assert "inga svarande med patientkontakt" not in _all(report("VO"))


def test_english_report_falls_back_to_the_organisations_words(report):
    section = html(report("K", "en").instrument_sections())
    assert OWN[1] in section  # no English text given: the Swedish one


def test_heat_map_leaves_hse_empty_where_nobody_has_patient_contact(report, ws):
    section = html(report("K").children_section(ws["db"]))
    assert "Egna frågor A" in section and "HSE totalt" in section  # own indices are columns
    assert "ingen vid enheten har svarat på indexets frågor" in section
    row = section[section.index("Barn och utbildning"):]
    row = row[:row.index("</tr>")]
    assert "¹" not in row  # not "fewer than 5 answers": nobody there was asked


def test_a_batch_report_reads_the_wording_the_file_asked(ws, tmp_path, monkeypatch):
    """A batch renders from its own copy of the store (`batch_copy`) answered from memory
    (`take_snapshot`): both carry the year's questionnaire, so the wording the file asked
    reaches batch reports as it reaches a report read from the store itself (not the
    instrument files' wording)."""
    import shutil

    import duckdb

    from hme_core.report.unit_report import UnitReport
    from hme_core.store.snapshot import batch_copy, drop_snapshot, take_snapshot

    monkeypatch.setenv("HME_PARAMS", str(ws["params"]))
    store, copy = tmp_path / "store.duckdb", tmp_path / "batch.duckdb"
    shutil.copy(ws["db"], store)
    asked = "Har du haft ett samtal om din utveckling med din chef i år (egen formulering)?"
    con = duckdb.connect(str(store))
    changed = con.execute("UPDATE res_questionnaire SET text = ? WHERE year = 2025 AND text = ?",
                          [asked, DIALOGUE]).fetchall()
    con.close()
    assert changed == [(1,)]
    batch_copy(store, copy)
    take_snapshot(copy, ["BU1", "K"])
    try:
        text = _all(UnitReport.load(copy, 2025, "BU1", "sv"))
    finally:
        drop_snapshot()
    assert asked in text and DIALOGUE not in text
