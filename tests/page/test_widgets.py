"""The page's widgets (hme_core/page/widgets.py) wired to its logic, without a browser: what an HR
partner sees after each action, and what `hme narratives serve` refuses before serving."""

from __future__ import annotations

import pytest

from hme_core.cli.main import main
from hme_core.page.widgets import NarrativePage


@pytest.fixture
def page(store_db, params):
    return NarrativePage(2025, store_db)


@pytest.fixture
def folders_a1(page):
    return page.folders["a1"]


def test_searching_filters_the_tree_and_picking_a_unit_opens_its_numbers_and_file(page):
    page.search.value = "avdelning"
    assert [code for _, code in page.tree.options] == ["a1", "a2"]
    page.tree.value = "a1"
    assert page.form.unit == "a1" and page.editor.layout.display == "flex"
    assert "58,3" in page.numbers.value and "Förslag från data" in page.suggestions.value
    assert "avdelning-1_a1.md" in page.status.value
    assert [r[0].value for r in page.rows] == [""]  # one empty action row to start with


def test_unsaved_text_is_never_dropped_by_choosing_another_unit(page):
    page.tree.value = "a1"
    page.texts["keep"].value = "Osparad text"
    page.tree.value = "a2"
    assert page.form.unit == "a1" and page.tree.value == "a1"
    assert page.texts["keep"].value == "Osparad text"
    assert "inte är sparade" in page.status.value
    page.on_revert()
    page.tree.value = "a2"
    assert page.form.unit == "a2"


def test_a_due_year_that_is_not_a_year_is_refused_with_what_to_write(page):
    page.tree.value = "a1"
    page.rows[0][0].value = "Ny rutin"
    page.rows[0][2].value = "våren"
    page.on_save()
    assert "fyra siffror, t.ex. 2026" in page.status.value and "&#x27;våren&#x27;" in page.status.value
    assert not page.form.path.exists()


def test_a_refused_save_shows_both_versions_and_either_can_be_kept(page):
    page.tree.value = "a1"
    page.texts["improve"].value = "Vår text."
    page.on_save()
    path = page.form.path
    theirs = path.read_text(encoding="utf-8").replace("Vår text.", "Deras text.")
    path.write_text(theirs, encoding="utf-8")
    page.texts["improve"].value = "Vår nya text."
    page.on_save()
    disk, ours = page.conflict.children[1].children
    assert disk.value == theirs and "Vår nya text." in ours.value
    assert path.read_text(encoding="utf-8") == theirs
    page.on_save(overwrite=True)  # "save my version anyway"
    assert "Vår nya text." in path.read_text(encoding="utf-8")
    assert page.conflict.children == ()


def test_the_preview_shows_the_analysis_section_in_a_titled_frame_with_the_reports_style(page):
    page.tree.value = "a1"
    page.texts["keep"].value = "Förtroende – åäö"
    page.on_preview()
    assert "<iframe title=" in page.preview.value
    assert "Förtroende – åäö" in page.preview.value
    assert "analysis" in page.preview.value


def test_serve_refuses_a_year_not_in_the_store_before_starting(store_db, params, capsys):
    assert main(["narratives", "serve", "--db", str(store_db), "--year", "1999"]) == 2
    assert "--year 1999: not in the store" in capsys.readouterr().err


def test_sections_the_page_has_no_field_for_are_named_and_kept_as_written(page, params, folders_a1):
    path = params / "narratives" / "2025" / f"{folders_a1}.md"
    path.parent.mkdir(parents=True)
    path.write_text("# Analys och dialog 2025 – Avdelning 1\n\nFrån APT i maj.\n\n"
                    "## Vad är viktigt att bevara?\n\nGammalt.\n\n## Övrigt\n\nFritt.\n",
                    encoding="utf-8")
    page.tree.value = "a1"
    assert "texten före första rubriken, “Övrigt”" in page.kept.value
    page.texts["keep"].value = "Nytt."
    page.on_save()
    text = path.read_text(encoding="utf-8")
    assert "Från APT i maj." in text and "## Övrigt\n\nFritt." in text and "Nytt." in text


def test_the_english_page_writes_english_headings_the_report_reads(store_db, params):
    page = NarrativePage(2025, store_db, lang="en")
    assert page.search.description == "Find unit"
    page.tree.value = "a1"
    page.texts["summary"].value = "A steady year."
    page.rows[0][0].value = "Monthly check-ins"
    page.rows[0][1].value = "Manager"
    page.rows[0][2].value = "2026"
    page.on_save()
    text = page.form.path.read_text(encoding="utf-8")
    assert "## Summary\n\nA steady year." in text
    assert "- Monthly check-ins (owner: Manager, due: 2026)" in text
    assert "Saved to" in page.status.value
