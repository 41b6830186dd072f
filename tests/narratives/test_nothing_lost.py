"""Narratives lose nothing: a Sammanfattning shown first, near-miss headings taken as their
question, free headings as sections of their own, an action plan's prose kept; the file
belongs to the unit's code (a rename keeps it); `hme narratives check` says what was taken;
one narrative re-renders only its unit and its parent."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from hme_core.batch.keys import unit_key
from hme_core.cli import main
from hme_core.narratives.check import check_year
from hme_core.narratives.files import init_narratives, parse_narrative
from hme_core.paths import REPO_ROOT
from hme_core.report.narrative_sections import load_context, written_sections
from hme_core.report.unit_report import UnitReport
from hme_core.store.duckdb_store import Store
from hme_core.unit_files import folder_name, narrative_path, unit_folders
from tests.fixtures import build_store

HR_FILE = """# Analys och dialog 2025 – Avdelning 1

## Sammanfattning
Ett år av förändring.

## Vad är viktigt att behålla?
Samarbetet över gruppgränserna.

## Vad behöver förbättras?
Arbetsbelastningen vid månadsskiften.

## Behov att lyfta
- Systemstödet behöver ses över centralt.

## Åtgärder
Vi har diskuterat på två APT.

- Schemaöversyn (ansvarig: Skyddsombud, klart: 2026)

Efter listan: en sista rad.

## Sammanfattning av våren
Other wording, taken as the summary.

## Övrigt från APT
Vi vill fira att vi klarade övergången.
"""


@pytest.fixture(scope="module")
def store_db(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("nothing-lost") / "data")  # R > A > a1, a2


@pytest.fixture
def params(tmp_path, monkeypatch) -> Path:
    target = tmp_path / "params"
    shutil.copytree(REPO_ROOT / "params", target, ignore=shutil.ignore_patterns("narratives"))
    monkeypatch.setenv("HME_PARAMS", str(target))
    return target


def test_every_heading_is_kept_recognised_near_missed_or_free():
    n = parse_narrative(HR_FILE)
    assert n.sections["keep"] == "Samarbetet över gruppgränserna."
    assert n.sections["improve"] == "Arbetsbelastningen vid månadsskiften."
    assert n.escalations == ["Systemstödet behöver ses över centralt."]
    assert n.summary == "Ett år av förändring.\n\nOther wording, taken as the summary."
    assert n.free == [("Övrigt från APT", "Vi vill fira att vi klarade övergången.")]
    assert [(h.key, h.how) for h in n.headings] == [
        (None, "title"), ("summary", "exact"), ("keep", "near"), ("improve", "near"),
        ("escalate", "near"), ("actions", "exact"), ("summary", "near"), (None, "free")]
    # the action plan's prose stays next to its one action
    assert [a.owner for a in n.actions] == ["Skyddsombud"]
    every_word = " ".join([*n.sections.values(), *(t for _h, t in n.free)])
    for line in HR_FILE.splitlines():
        if line and not line.startswith("#"):
            assert line.lstrip("- ").split(" (")[0] in every_word, line


def test_a_typo_is_told_from_other_wording():
    n = parse_narrative("## Sammanfatning\nA\n## Åtgärdr\n- B\n## Vad är viktigt att bevara\nC\n")
    assert [(h.key, h.how) for h in n.headings] == [
        ("summary", "typo"), ("actions", "typo"), ("keep", "exact")]


def test_the_report_shows_the_summary_first_and_every_section(store_db, params):
    folders = {"a1": folder_name("a1", "Avdelning 1")}
    path = narrative_path(2025, "a1", folders)
    path.parent.mkdir(parents=True)
    path.write_text(HR_FILE, encoding="utf-8")
    report = UnitReport.load(store_db, 2025, "a1")
    report.load_narratives(store_db)
    summary = report.summary_section().html
    assert "<h2" in summary and "Sammanfattning" in summary and "Ett år av förändring." in summary
    analysis = report.analysis_section().html
    text = re.sub(r"<[^>]+>", " ", analysis)
    for words in ("Samarbetet över gruppgränserna.", "Arbetsbelastningen vid månadsskiften.",
                  "Vi har diskuterat på två APT.", "Efter listan: en sista rad.", "Schemaöversyn",
                  "Övrigt från APT", "Vi vill fira att vi klarade övergången."):
        assert words in text, words
    assert report.t("analysis_not_written") not in text  # near misses are answers
    assert analysis.index("Övrigt från APT") > analysis.index("Schemaöversyn")  # its own section
    # the plan's prose where it was written: above and below the table of actions
    assert analysis.index("Vi har diskuterat") < analysis.index("Schemaöversyn") < \
        analysis.index("Efter listan")
    kinds = [s.kind for s in written_sections(report, report._narratives())]
    assert kinds[0] == "summary" and kinds[-1] == "free"


def test_a_renamed_unit_keeps_its_narrative_file(store_db, params, tmp_path):
    with Store.open(store_db, read_only=True) as store:
        org = store.load_org(2025)
    old = narrative_path(2025, "a1", {"a1": folder_name("a1", "Gamla namnet")})
    old.parent.mkdir(parents=True)
    old.write_text(HR_FILE, encoding="utf-8")
    folders = unit_folders(org)  # today's name: 'Avdelning 1'
    assert folders["a1"] != old.stem and narrative_path(2025, "a1", folders) == old
    with Store.open(store_db, read_only=True) as store:
        results = init_narratives(2025, ["a1", "a2"], store)
    assert [(r.unit, r.created) for r in results] == [("a1", False), ("a2", True)]
    assert sorted(p.name for p in old.parent.iterdir()) == sorted(
        [old.name, f"{folders['a2']}.md"])
    ctx = load_context(store_db, 2025, "a1", None)
    assert ctx.path == old and ctx.narrative.summary.startswith("Ett år")
    lines = {c.path.name: c for c in check_year(2025, org)}
    assert lines[old.name].notable and "named for an earlier name" in lines[old.name].line
    assert "'Vad är viktigt att behålla?' as keep (other wording)" in lines[old.name].line
    assert "own sections (shown under their headings): 'Övrigt från APT'" in lines[old.name].line
    assert not lines[f"{folders['a2']}.md"].notable  # untouched template: nothing to look at


def test_narratives_check_and_reports_name_what_they_took(store_db, params, capsys):
    folders = {"a1": folder_name("a1", "Avdelning 1"), "x": folder_name("zz9", "Borta")}
    for unit in folders:
        path = narrative_path(2025, unit, folders)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HR_FILE, encoding="utf-8")
    assert main(["narratives", "check", "--year", "2025", "--db", str(store_db)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2  # one line per file
    assert out[0].startswith("2025/avdelning-1_a1.md (Avdelning 1, a1): recognised 'Sammanfattning'")
    assert "no unit of the 2025 org tree has the code in this name ('zz9')" in out[1]
    assert main(["reports", "--year", "2025", "--units", "zz9", "--db", str(store_db)]) == 2
    err = capsys.readouterr().err
    assert "Narratives 2025: 2 file(s), 2 to look at" in err and "'Behov att lyfta' as escalate" in err


def _keys(params: Path) -> dict[tuple[int, str], str]:
    """Cache keys of the 2024 and 2025 reports of R > A > a1, a2 (fixed results data)."""
    org = pd.DataFrame({"unit": ["R", "A", "a1", "a2"], "name": ["Region", "Avd A", "Avd 1", "Avd 2"],
                        "parent": [None, "R", "A", "A"]})
    folders = {y: unit_folders(org) for y in (2024, 2025)}
    data = {y: {u: f"{y}{u}" for u in org["unit"]} for y in (2024, 2025)}
    chains = {"R": [], "A": ["R"], "a1": ["A", "R"], "a2": ["A", "R"]}
    kids = {"R": ["A"], "A": ["a1", "a2"], "a1": [], "a2": []}
    return {(y, u): unit_key(unit=u, year=y, notebook=Path("nb"), lang="sv", formats=["html"],
                             chain=chains[u], children=kids[u], folders=folders,
                             data={k: v for k, v in data.items() if k <= y}, static="s")
            for y in (2024, 2025) for u in chains}


def test_one_narrative_of_any_year_changes_only_its_units_and_parents_keys(params):
    before = _keys(params)
    org_folders = unit_folders(pd.DataFrame({"unit": ["a1"], "name": ["Avd 1"]}))
    first_2024 = narrative_path(2024, "a1", org_folders)
    first_2024.parent.mkdir(parents=True)  # the year's first narrative: its folder is new too
    first_2024.write_text("## Åtgärder\n- Något (klart: 2025)\n", encoding="utf-8")
    after = _keys(params)
    changed = {k for k in before if before[k] != after[k]}
    # 2024: a1's own report and its parent's (escalations); 2025: a1's follow-up
    assert changed == {(2024, "a1"), (2024, "A"), (2025, "a1")}
    narrative_path(2025, "a1", org_folders).parent.mkdir(parents=True)
    narrative_path(2025, "a1", org_folders).write_text("Text\n", encoding="utf-8")
    again = _keys(params)
    assert {k for k in after if after[k] != again[k]} == {(2025, "a1"), (2025, "A")}
