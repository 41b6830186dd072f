"""Saving from the HR page (hme_core/page/form.py): the same file the command line uses, read
back word for word by the report's parser, in one step, and never over someone else's edit."""

from __future__ import annotations

import dataclasses
import os

import pytest

from hme_core.narratives.files import Action, read_narrative
from hme_core.page.form import SaveConflict, load_form, preview_html, save_form
from hme_core.report.narrative_sections import load_context
from hme_core.report.unit_report import UnitReport
from hme_core.store.duckdb_store import Store
from hme_core.unit_files import narrative_path, unit_folders

KEEP = "Vi är stolta över samarbetet – åäö ÅÄÖ.\n\n- Tydliga mål\n- Förtroende för chefen"


@pytest.fixture
def folders(store_db):
    with Store.open(store_db, read_only=True) as store:
        return unit_folders(store.load_org(2025))


def _filled(form):
    return dataclasses.replace(
        form, texts={**form.texts, "summary": "Ett stabilt år.", "keep": KEEP},
        actions=[Action("Inför månatliga målavstämningar", "Enhetschef", 2026),
                 Action("Ny introduktion", "HR-partner Åsa", 2025, done=True)])


def test_saving_writes_the_command_lines_file_and_the_parser_reads_exactly_the_text(
        params, folders):
    form = load_form(2025, "a1", "Avdelning 1", folders)
    assert form.path == narrative_path(2025, "a1", folders)  # the file `hme narratives init` makes
    assert form.loaded is None and form.texts["keep"] == "" and form.actions == []
    saved = save_form(_filled(form))
    narrative = read_narrative(form.path)
    assert narrative.text("keep") == KEEP and narrative.text("summary") == "Ett stabilt år."
    assert narrative.actions == [Action("Inför månatliga målavstämningar", "Enhetschef", 2026),
                                 Action("Ny introduktion", "HR-partner Åsa", 2025, done=True)]
    assert saved.loaded == form.path.read_text(encoding="utf-8")
    assert load_form(2025, "a1", "Avdelning 1", folders) == saved
    assert [p.name for p in form.path.parent.iterdir()] == [form.path.name]  # no temp file left


def test_a_file_changed_on_disk_since_loading_is_not_overwritten_and_both_versions_are_kept(
        params, folders):
    saved = save_form(_filled(load_form(2025, "a1", "Avdelning 1", folders)))
    theirs = saved.loaded + "Tillägg skrivet i JupyterLab.\n"
    saved.path.write_text(theirs, encoding="utf-8")
    ours = dataclasses.replace(saved, texts={**saved.texts, "improve": "Arbetsbelastningen."})
    with pytest.raises(SaveConflict) as refused:
        save_form(ours)
    assert saved.path.read_text(encoding="utf-8") == theirs  # untouched
    assert refused.value.on_disk == theirs
    assert "Arbetsbelastningen." in refused.value.ours and "Tillägg" not in refused.value.ours
    # "save mine anyway" replaces the page's sections and keeps what the other editor added
    # outside them (here: appended to the action plan, whose rows the page did not change)
    forced = save_form(ours, overwrite=True)
    assert read_narrative(forced.path).text("improve") == "Arbetsbelastningen."
    assert forced.actions == ours.actions


def test_a_file_created_by_someone_else_after_loading_is_not_replaced(params, folders):
    form = _filled(load_form(2025, "a1", "Avdelning 1", folders))
    form.path.parent.mkdir(parents=True)
    form.path.write_text("# Deras fil\n\n## Bevara\n\nDeras text.\n", encoding="utf-8")
    with pytest.raises(SaveConflict) as refused:
        save_form(form)
    assert refused.value.on_disk.startswith("# Deras fil")
    assert read_narrative(form.path).text("keep") == "Deras text."


def test_a_file_deleted_after_loading_is_a_conflict_too(params, folders):
    saved = save_form(_filled(load_form(2025, "a1", "Avdelning 1", folders)))
    os.unlink(saved.path)
    with pytest.raises(SaveConflict) as refused:
        save_form(saved)
    assert refused.value.on_disk is None and not saved.path.exists()


def test_the_preview_is_the_reports_own_summary_and_analysis_sections_after_saving(params, folders, store_db):
    form = _filled(load_form(2025, "a1", "Avdelning 1", folders))
    report = UnitReport.load(store_db, 2025, "a1")
    context = load_context(store_db, 2025, "a1", report.data.previous_year, report.dec,
                           report.instruments)
    preview = preview_html(report, context, form)
    assert "Vi är stolta över samarbetet – åäö ÅÄÖ." in preview
    assert "Inför månatliga målavstämningar" in preview and "HR-partner Åsa" in preview
    save_form(form)
    after = UnitReport.load(store_db, 2025, "a1")
    after.load_narratives(store_db)
    assert preview == str(after.summary_section()) + str(after.analysis_section())
    assert preview.index("Ett stabilt år.") < preview.index("Vi är stolta")  # summary first


def test_an_action_plans_prose_stays_above_and_below_its_rows(params, folders):
    path = narrative_path(2025, "a1", folders)
    path.parent.mkdir(parents=True)
    path.write_text("# Analys och dialog 2025 – Avdelning 1\n\n## Åtgärder\n\nFrån APT:\n\n"
                    "- Gammal (ansvarig: Chef, klart: 2025)\n\nFölj upp i december.\n",
                    encoding="utf-8")
    form = load_form(2025, "a1", "Avdelning 1", folders)
    assert (form.actions_note, form.actions_after) == ("Från APT:", "Följ upp i december.")
    saved = save_form(dataclasses.replace(form, actions=[Action("Ny", "HR", 2026)]))
    text = saved.path.read_text(encoding="utf-8")
    assert "Från APT:\n\n- Ny (ansvarig: HR, klart: 2026)\n\nFölj upp i december." in text
    assert (saved.actions_note, saved.actions_after) == ("Från APT:", "Följ upp i december.")
