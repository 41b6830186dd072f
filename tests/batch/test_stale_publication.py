"""Nothing stale is published and no batch mixes two stores:

(a) after `hme ingest --replace` with a corrected tree, the report folder of a unit that is
    gone is removed by `hme reports` and never published (its old numbers, subtracted from
    the new ones, would reveal hidden values);
(b) after a raised `min_n_index` and a rescore, a report rendered under the old rule (a unit
    now hidden, showing its values) is refused by `hme publish`, naming the command;
(c) an ingest during `hme reports` changes the store, not the batch: every report and the
    index page show one version, and the batch says the store moved on.
Reports are rendered for real (HTML only, for speed).
"""

from __future__ import annotations

import re
import shutil

import pytest

from hme_core.batch.run import run_batch
from hme_core.cli import main
from hme_core.paths import REPO_ROOT
from hme_core.results.pipeline import ingest_files, rescore_year
from hme_core.store.duckdb_store import Store
from hme_core.unit_files import unit_folders
from tests.fixtures import build_store

pytestmark = pytest.mark.slow


@pytest.fixture
def setup(tmp_path, monkeypatch):
    params = tmp_path / "params"
    shutil.copytree(REPO_ROOT / "params", params, ignore=shutil.ignore_patterns("narratives"))
    monkeypatch.setenv("HME_PARAMS", str(params))
    monkeypatch.setenv("HME_OUTPUTS", str(tmp_path / "outputs"))
    data = tmp_path / "data"
    db = build_store(data)
    return {"db": db, "params": params, "data": data, "tmp": tmp_path,
            "reports": tmp_path / "outputs" / "reports" / "2025"}


def _publish(setup, *extra):
    return main(["publish", "--year", "2025", "--to", str(setup["tmp"] / "web"),
                 "--db", str(setup["db"]), *extra])


def _folder(setup, unit):
    """The report folder of `unit` in the store's 2025 tree (as it is now)."""
    with Store.open(setup["db"], read_only=True) as store:
        return setup["reports"] / unit_folders(store.load_org(2025))[unit]


def test_a_unit_gone_from_a_corrected_tree_is_removed_and_never_published(setup, capsys):
    run_batch(2025, setup["db"], formats=("html",))
    old_a2 = _folder(setup, "a2")
    data = setup["data"]  # a2's 3 people belong to a1; a2 never existed
    (data / "org2.csv").write_text((data / "org.csv").read_text().replace(
        'a2;Avdelning 2 "Öst";A\n', ""), encoding="utf-8")
    (data / "r2025b.csv").write_text((data / "r2025.csv").read_text().replace(";a2;", ";a1;"),
                                     encoding="utf-8")
    (data / "hc2.csv").write_text("\n".join(line for line in (data / "hc.csv").read_text()
                                            .splitlines() if not line.startswith("a2;")) + "\n")
    ingest_files(setup["db"], data / "r2025b.csv", 2025, data / "org2.csv", data / "hc2.csv",
                 replace=True)
    # published before `hme reports` runs again: every report is older than the store
    assert _publish(setup) == 2
    text = capsys.readouterr().err
    assert "older than the store" in text and "--units" in text
    assert not (setup["tmp"] / "web" / "2025").exists()
    notes = []
    run_batch(2025, setup["db"], formats=("html",), notice=notes.append)
    assert not old_a2.exists()
    assert any("no longer in the 2025 org tree" in n and old_a2.name in n for n in notes)
    assert _publish(setup) == 0, capsys.readouterr().err
    published = {p.name for p in (setup["tmp"] / "web" / "2025").iterdir()}
    assert old_a2.name not in published and len(published) == 1 + 3  # index, R, A, a1


def test_a_report_made_under_a_lower_threshold_is_refused_after_a_rescore(setup, capsys):
    run_batch(2025, setup["db"], formats=("html",))
    a1 = _folder(setup, "a1")
    assert "58,3" in (a1 / "report.html").read_text()  # a1's HME (12 answers)
    config = setup["params"] / "config.yaml"
    config.write_text(re.sub(r"(?m)^min_n_index: 5$", "min_n_index: 13", config.read_text()))
    rescore_year(setup["db"], 2024)
    rescore_year(setup["db"], 2025)  # a1 (12 answers) is hidden now
    run_batch(2025, setup["db"], units=["R"], formats=("html",))
    assert "58,3" in (a1 / "report.html").read_text()  # still there, under the old rule
    assert _publish(setup) == 2
    text = capsys.readouterr().err
    assert "'hme reports --year 2025 --units " in text and "a1" in text
    assert not (setup["tmp"] / "web" / "2025").exists()
    assert _publish(setup, "--skip-stale") == 0
    text = capsys.readouterr().err
    assert "Left out" in text and "a1" in text
    assert not (setup["tmp"] / "web" / "2025" / a1.name).exists()
    shown = (setup["tmp"] / "web" / "2025" / "index.html").read_text()
    assert "58,3" not in shown


def test_an_ingest_during_a_batch_changes_the_store_not_the_batch(setup, monkeypatch):
    """One late respondent arrives while the batch renders: the reports and the index page
    all show the store as it was (A: 20 answers), never 21 in some and 20 in others."""
    from hme_core.batch import run

    data = setup["data"]
    late = (data / "r2025.csv").read_text() + "late-1;a1;Kvinna;Medarbetare;" + \
        ";".join(["1"] * 9) + ";0\n"
    (data / "r2025late.csv").write_text(late, encoding="utf-8")
    render_jobs = run.render_jobs

    def ingest_midway(jobs, *args, **kwargs):  # the first jobs render, then the store changes
        first = render_jobs(jobs[:1], *args, **kwargs)
        ingest_files(setup["db"], data / "r2025late.csv", 2025, data / "org.csv",
                     data / "hc.csv", replace=True)
        return first + render_jobs(jobs[1:], *args, **kwargs)

    monkeypatch.setattr(run, "render_jobs", ingest_midway)
    notes = []
    outcomes = run_batch(2025, setup["db"], formats=("html",), notice=notes.append)
    assert all(o.ok for o in outcomes)
    assert len(notes) == 1 and "written (hme ingest or rescore) while this batch ran" in notes[0]
    a_report = (_folder(setup, "A") / "report.html").read_text()
    index = (setup["reports"] / "index.html").read_text()
    r_report = (_folder(setup, "R") / "report.html").read_text()
    for page in (a_report, index, r_report):  # A's HME with 20 answers: 60,0; with 21: 57,1
        assert "60,0" in page and "57,1" not in page
    assert _publish(setup) == 2  # the reports are older than the store now
