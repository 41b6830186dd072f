"""The report's "Förslag på fokusområden" block: where it stands and what it shows."""

from __future__ import annotations

import pytest

from hme_core.report.unit_report import UnitReport
from hme_core.results.pipeline import ingest_files
from tests.results.driver_survey import write_driver_survey

DRIVER_TEXT = "Min arbetsplats mål följs upp och utvärderas på ett bra sätt"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("focus_report")
    paths = write_driver_survey(folder)
    db = folder / "hme.duckdb"
    ingest_files(db, paths["responses"], 2025, paths["org"], paths["headcount"])
    return db


def _html(part) -> str:
    return part._repr_html_() if hasattr(part, "_repr_html_") else str(part)


def _report(db, unit: str, lang: str = "sv") -> UnitReport:
    report = UnitReport.load(db=db, year=2025, unit=unit, lang=lang)
    report.load_narratives(db)
    return report


def test_a_leaf_units_analysis_ends_with_its_focus_areas_driver_first(db):
    html = _html(_report(db, "E11").analysis_section())
    block = html[html.index("Förslag på fokusområden"):]
    assert DRIVER_TEXT in block and "Styrkor att bevara" in block
    assert "Ordningen väger" in block  # what the ranking does and does not mean
    assert _html(_report(db, "E11").dialogue_section()) == ""


def test_a_parent_unit_has_the_block_beside_the_dialogue_questions(db):
    report = _report(db, "F1")
    dialogue = _html(report.dialogue_section())
    assert dialogue.index("Vilka fem områden") < dialogue.index("Förslag på fokusområden")
    assert DRIVER_TEXT in dialogue
    assert "Förslag på fokusområden" not in _html(report.analysis_section())


def test_a_hidden_unit_has_no_block_and_the_english_report_has_one(db):
    hidden = _report(db, "E25")
    assert hidden.focus is None
    assert "fokusområden" not in _html(hidden.analysis_section()) + _html(hidden.focus_section())
    english = _html(_report(db, "E13", "en").analysis_section())
    assert "Suggested focus areas" in english
    assert "My workplace's goals are followed up" in english.replace("&#x27;", "'")
