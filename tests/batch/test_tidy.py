"""A year's report folder stays true to the store: temporary files a killed render left are
swept by the next batch (also under --resume and --force), a running writer's are kept;
folders of units no longer in the tree are removed; messages name the report, not the
temporary file; a unit too deep for a report is refused before any work."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd

from hme_core.atomic import temp_path
from hme_core.batch.jobs import target_names
from hme_core.batch.run import MAX_REPORT_DEPTH, run_batch
from hme_core.batch.tidy import remove_orphans, sweep_temporary_files
from hme_core.store.duckdb_store import Store
from tests.fixtures import build_store, store_year


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_temporary_files_of_dead_writers_are_swept_and_a_live_ones_kept(tmp_path):
    unit = tmp_path / "2025" / "avd_a1"
    unit.mkdir(parents=True)
    dead = unit / f".tmp-{_dead_pid()}-ab12.ipynb"
    dead.write_bytes(b"")
    os.chmod(dead, 0o600)  # as a killed render leaves it
    live = temp_path(unit / "report.html")  # this process is writing it
    unmarked_old = unit / ".tmp-x8k2.ipynb"  # named before writers were marked
    unmarked_old.write_bytes(b"")
    os.utime(unmarked_old, (0, 0))
    report = unit / "report.html"
    report.write_text("kept")
    removed = sweep_temporary_files(tmp_path / "2025")
    assert sorted(removed) == sorted([dead, unmarked_old])
    assert live.exists() and report.exists() and live.name.startswith(f".tmp-{os.getpid()}-")


def test_a_batch_sweeps_what_a_killed_batch_left_even_when_nothing_is_rendered(tmp_path):
    db = build_store(tmp_path / "s")
    out = tmp_path / "out"
    outcomes = run_batch(2025, db, units=["a2"], formats=("html",), out_root=out)
    folder = outcomes[0].folder
    left = folder / f".tmp-{_dead_pid()}-zz.ipynb"
    left.write_bytes(b"")
    again = run_batch(2025, db, units=["a2"], formats=("html",), out_root=out, mode="resume")
    assert again[0].skipped and not left.exists()


def test_orphan_folders_lose_hmes_files_and_a_folder_with_others_is_kept(tmp_path):
    year = tmp_path / "2025"
    for name in ("avd_a1", "avd_gone", "avd_gone_with_notes"):
        (year / name).mkdir(parents=True)
        for f in ("report.html", "report.en.pdf", "report.ipynb", ".cache-key", ".cache-key.en"):
            (year / name / f).write_text("old")
    (year / "avd_gone_with_notes" / "notes.txt").write_text("someone's")
    found = remove_orphans(year, {"avd_a1"})
    assert [p.name for p in found] == ["avd_gone", "avd_gone_with_notes"]
    assert not (year / "avd_gone").exists()
    assert [p.name for p in (year / "avd_gone_with_notes").iterdir()] == ["notes.txt"]
    assert len(list((year / "avd_a1").iterdir())) == 5


def test_messages_name_the_report_not_its_temporary_file():
    msg = "cannot write /o/2025/avd_a1/.tmp-4242-k3j_x.ipynb: No space left on device"
    assert target_names(msg, "sv") == "cannot write /o/2025/avd_a1/report.ipynb: No space left on device"
    assert target_names(msg.replace("ipynb", "pdf"), "en").endswith("report.en.pdf: No space left on device")


def test_a_unit_deeper_than_reports_go_is_refused_before_any_work(tmp_path):
    depth = MAX_REPORT_DEPTH + 5
    units = [f"U{i:03d}" for i in range(depth)]
    org = pd.DataFrame({"unit": units, "name": units,
                        "parent": [None, *units[:-1]]}).astype("string")
    rows = [{"unit": units[-1], **{f"hme{i}": 3 for i in range(1, 10)}}] * 6
    responses = pd.DataFrame(rows).astype({f"hme{i}": "Int16" for i in range(1, 10)})
    responses["unit"] = responses["unit"].astype("string")
    db = tmp_path / "chain.duckdb"
    store_year(db, 2025, org, responses)
    outcomes = run_batch(2025, db, units=[units[-1]], formats=("html",), out_root=tmp_path / "o")
    assert len(outcomes) == 1 and not outcomes[0].ok
    assert f"level {depth} of the org tree" in outcomes[0].error
    assert f"at most {MAX_REPORT_DEPTH} levels deep" in outcomes[0].error
    with Store.open(db, read_only=True) as store:
        assert store.years() == [2025]
