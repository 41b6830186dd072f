"""Narrative files: convention, parsing, init that never overwrites, and what reports show
(hme_core/narratives/files.py, hme_core/report/narrative_sections.py)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from hme_core.batch.run import run_batch
from hme_core.cli import main
from hme_core.i18n import t
from hme_core.narratives.files import (
    Action,
    init_narratives,
    parse_action,
    parse_narrative,
    section_items,
    write_new_file,
)
from hme_core.paths import REPO_ROOT
from hme_core.store.duckdb_store import Store
from hme_core.unit_files import narrative_path, unit_folders
from tests.fixtures import build_store


def _params_copy(folder: Path) -> Path:
    target = folder / "params"
    shutil.copytree(REPO_ROOT / "params", target, ignore=shutil.ignore_patterns("narratives"))
    return target


@pytest.fixture
def params(tmp_path, monkeypatch) -> Path:
    path = _params_copy(tmp_path)
    monkeypatch.setenv("HME_PARAMS", str(path))
    return path


@pytest.fixture(scope="module")
def store_db(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("narr") / "data")


# ---- the file convention -------------------------------------------------------------------
NARRATIVE = """# Analys 2025

Inledning som inte hör till någon rubrik.

## Vad är viktigt att bevara?
<!-- Frågor: Vad är vi nöjda med? -->
Vi har **bra samarbete**.

### En egen underrubrik
Den hör till bevara.

## What needs to be improved and addressed
Arbetsbelastningen.

```
## inte en rubrik (kodblock)
```

## Finns behov som behöver lyftas till övergripande nivå?
- Tre vakanser som avdelningen inte kan lösa.
  Fortsättning på samma punkt.
- Gemensam introduktion för inhyrda.

## Åtgärder
- Inför månatliga målavstämningar (ansvarig: Enhetschef, klart: 2026)
- [x] Schemaöversyn (owner: Skyddsombud, due: 2025)
- Utbildning i SAM (ansvar: HR; senast: 2026-06-30; status: klar)
- Prata om (det) på APT
"""


def test_sections_are_split_by_the_analysis_questions_in_swedish_or_english():
    n = parse_narrative(NARRATIVE)
    assert set(n.sections) == {"keep", "improve", "escalate", "actions"}
    assert "bra samarbete" in n.text("keep") and "Den hör till bevara." in n.text("keep")
    assert "Inledning" not in "".join(n.sections.values())
    assert "Frågor" not in n.text("keep")  # comments are never content
    assert "## inte en rubrik" in n.text("improve")  # a fenced block is not a heading
    assert n.has_text


def test_escalations_are_the_list_items_with_their_continuation_lines():
    assert parse_narrative(NARRATIVE).escalations == [
        "Tre vakanser som avdelningen inte kan lösa. Fortsättning på samma punkt.",
        "Gemensam introduktion för inhyrda."]
    assert section_items("Ett stycke.\n\nEtt till.") == ["Ett stycke.", "Ett till."]


def test_actions_name_owner_due_year_and_done():
    assert parse_narrative(NARRATIVE).actions == [
        Action("Inför månatliga målavstämningar", "Enhetschef", 2026, False),
        Action("Schemaöversyn", "Skyddsombud", 2025, True),
        Action("Utbildning i SAM", "HR", 2026, True),
        Action("Prata om (det) på APT", None, None, False),  # no key: the text is kept whole
    ]
    assert parse_action("Fixa (ansvarig: Chef)") == Action("Fixa", "Chef", None, False)


def test_a_file_with_only_comments_is_no_narrative():
    n = parse_narrative("## Vad är viktigt att bevara?\n<!-- Förslag från data:\n- x (83,3)\n-->\n")
    assert not n.has_text


# ---- init: creates missing files, never overwrites ---------------------------------------------
def test_write_new_file_refuses_an_existing_name(tmp_path):
    path = tmp_path / "n" / "a.md"
    assert write_new_file(path, "first\n")
    assert not write_new_file(path, "second\n")
    assert path.read_text(encoding="utf-8") == "first\n"
    assert [p.name for p in path.parent.iterdir()] == ["a.md"]  # no temporary file left


def test_init_twice_leaves_edited_files_byte_for_byte_untouched(store_db, params):
    with Store.open(store_db, read_only=True) as store:
        first = init_narratives(2025, None, store)
        org = store.load_org(2025)
    assert {r.unit for r in first} == {"R", "A", "a1", "a2"} and all(r.created for r in first)
    folders = unit_folders(org)
    assert first[0].path.parent == params / "narratives" / "2025"
    assert {r.path.stem for r in first} == set(folders.values())  # named like report folders
    edited = narrative_path(2025, "a1", folders)
    edited.write_bytes(edited.read_bytes().replace(
        b"## Vad \xc3\xa4r viktigt att bevara?\n", b"## Vad \xc3\xa4r viktigt att bevara?\n\nV\xc3\xa5r egen text.\r\n"))
    before = {p: p.read_bytes() for p in (params / "narratives" / "2025").iterdir()}
    with Store.open(store_db, read_only=True) as store:
        second = init_narratives(2025, None, store)
    assert not any(r.created for r in second)
    assert {p: p.read_bytes() for p in (params / "narratives" / "2025").iterdir()} == before


def test_new_file_has_questions_and_suggestions_in_comments_only(store_db, params):
    with Store.open(store_db, read_only=True) as store:
        [res] = init_narratives(2025, ["a2"], store)
    text = res.path.read_text(encoding="utf-8")
    for key in ("analysis_keep", "analysis_improve", "analysis_escalate", "narrative_actions"):
        assert f"## {t(key)}" in text
    assert t("analysis_keep_q1") in text and t("narrative_suggestions") in text
    assert not parse_narrative(text).has_text  # untouched: the report shows prompts instead
    # a2 has 3 respondents (suppressed): its suggestions carry no number from the data
    assert t("suggest_suppressed", n=5) in text
    assert not re.search(r"\d+,\d|%", text)


def test_cli_init_reports_created_and_kept_files(store_db, params, capsys):
    assert main(["narratives", "init", "--year", "2025", "--units", "a1", "--db",
                 str(store_db)]) == 0
    assert main(["narratives", "init", "--year", "2025", "--units", "a1", "--db",
                 str(store_db)]) == 0
    err = capsys.readouterr().err
    assert "1 narrative file(s) created" in err and "0 narrative file(s) created" in err
    assert main(["narratives", "init", "--year", "2025", "--units", "zz", "--db",
                 str(store_db)]) == 2


def test_cli_units_are_named_by_code_name_or_path_and_a_near_miss_is_named(store_db, params,
                                                                            capsys):
    """`--units` takes what `hme units` lists: 'Avdelning 1' (a unique name) and
    'Område Å / Avdelning 2 "Öst"' (a path) are a1 and a2; 'Avdelning 3' names no unit and
    'avdelning1' nearly names one: exit 2 naming both, with the near unit's code."""
    assert main(["narratives", "init", "--year", "2025", "--units",
                 'Avdelning 1,Område Å / Avdelning 2 "Öst"', "--db", str(store_db)]) == 0
    assert "2 narrative file(s) created" in capsys.readouterr().err
    assert main(["narratives", "init", "--year", "2025", "--units", "Avdelning 3,avdelning1",
                 "--db", str(store_db)]) == 2
    err = capsys.readouterr().err
    assert "'Avdelning 3' is no unit code, name or path of the 2025 org tree" in err
    assert "'avdelning1'" in err and "did you mean 'Avdelning 1'" in err and "code a1" in err
    assert "Traceback" not in err


# ---- reports: narrative merged, sanitised, escalations upward, follow-up -----------------------
A1_2025 = """## Vad är viktigt att bevara?
Vårt **samarbete**. <script>alert('x')</script> <img src=x onerror="alert(1)">
[klicka](javascript:alert(1))

## Finns behov som behöver lyftas till övergripande nivå?
- Tre vakanta tjänster kan inte lösas inom avdelningens budget.

## Åtgärder
- Inför målavstämningar (ansvarig: Enhetschef, klart: 2026)
"""
A1_2024 = """## Åtgärder
- Tydligare veckoplanering (ansvarig: Biträdande chef, klart: 2024)
- [x] Ny rutin för överrapportering (ansvarig: Enhetschef, klart: 2024)
"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, store_db):
    base = tmp_path_factory.mktemp("narr_reports")
    params = _params_copy(base)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HME_PARAMS", str(params))  # the forked report workers inherit it
        with Store.open(store_db, read_only=True) as store:
            folders = {y: unit_folders(store.load_org(y)) for y in (2024, 2025)}
        for year, text in ((2025, A1_2025), (2024, A1_2024)):
            write_new_file(narrative_path(year, "a1", folders[year]), text)
        outcomes = run_batch(2025, store_db, units=["A", "a1", "a2"], formats=("html",),
                             workers=2, out_root=base / "out")
    return {o.unit: o for o in outcomes}


def _page(outcome) -> str:
    assert outcome.ok, outcome.error
    return (outcome.folder / "report.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_report_merges_the_narrative_sanitised(rendered):
    html = _page(rendered["a1"])
    assert "<strong>samarbete</strong>" in html
    assert "<script" not in html
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in html
    assert not re.search(r"<[^>]*\sonerror\s*=", html)
    assert not re.search(r"href=\"?javascript:", html)
    assert "Inför målavstämningar" in html and "Enhetschef" in html


@pytest.mark.slow
def test_escalated_item_of_a_child_appears_attributed_in_the_parents_report(rendered):
    html = _page(rendered["A"])
    section = html[html.index(t("escalations_heading")):]
    assert "Avdelning 1" in section[:section.index("Tre vakanta")]
    assert "Tre vakanta tjänster kan inte lösas inom avdelningens budget." in section
    assert "Tre vakanta" not in _page(rendered["a2"])  # a sibling does not see it


@pytest.mark.slow
def test_open_actions_from_last_year_are_followed_up(rendered):
    html = _page(rendered["a1"])
    follow = html[html.index(t("followup_heading", year=2024)):]
    assert "Tydligare veckoplanering" in follow and t("action_overdue") in follow
    assert "Ny rutin för överrapportering" not in html  # done last year: not listed


@pytest.mark.slow
def test_unit_without_narrative_shows_prompts_and_suggestions(rendered):
    html = _page(rendered["a2"])
    assert t("analysis_no_narrative") in html and t("analysis_keep_q1") in html
    assert t("suggest_suppressed", n=5) in html
