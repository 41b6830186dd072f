"""The disk fills up during `hme reports`: one clear message naming the path, exit 1, the
failed units listed, the index page written when the machine allows it, no partial file."""

from __future__ import annotations

import errno
import os
import signal
from pathlib import Path

import pytest

from hme_core.batch.forkpool import run_forked
from hme_core.batch.jobs import UnitJob, died
from hme_core.cli import main
from hme_core.paths import outputs_dir
from tests.fixtures import build_store

pytestmark = pytest.mark.slow


def _disk_full_for(monkeypatch, refuse) -> None:
    """Writes of `Path.write_bytes` (every report, index and key file goes through it) to a path
    for which `refuse(path)` is true put half the bytes on disk, then fail as a full disk does:
    ENOSPC from write(), which names no file. The fork pool's children inherit this."""
    real = Path.write_bytes

    def write_bytes(self, data):
        if refuse(self):
            with open(self, "wb") as fh:
                fh.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)


def _in_a2(path: Path) -> bool:
    return path.parent.name.endswith("_a2")


def _index(path: Path) -> bool:
    return path.parent.name == "2025" and path.suffix == ".html"


def _reports(capsys, *extra):
    db = build_store(outputs_dir().parent / "data")
    code = main(["reports", "--year", "2025", "--db", str(db), "--formats", "html",
                 "--workers", "1", *extra])
    return code, capsys.readouterr().err


def _partial_files() -> list[str]:
    return sorted(p.name for p in outputs_dir().rglob(".tmp-*"))


def test_disk_full_for_one_unit_fails_that_unit_and_the_batch_goes_on(monkeypatch, capsys):
    _disk_full_for(monkeypatch, _in_a2)
    code, err = _reports(capsys)
    root = outputs_dir() / "reports" / "2025"
    a2 = next(root.glob("*_a2"))
    assert code == 1 and "Traceback" not in err
    # one message naming the real file (not a temporary name), and what to do
    assert f"Error: cannot write {a2 / 'report.html'}: No space left on device. Free space" in err
    assert "'hme reports --year 2025 --resume'" in err
    assert "1 of 4 unit(s) failed:\n  - a2: cannot write" in err
    assert (root / "index.html").is_file()  # the index is still written, a2 marked failed
    assert all((d / "report.html").is_file() for d in root.iterdir() if d.is_dir() and d != a2)
    assert not (a2 / "report.html").exists()
    assert _partial_files() == []  # no half-written report


def test_when_the_index_cannot_be_written_the_summary_is_still_printed(monkeypatch, capsys):
    _disk_full_for(monkeypatch, lambda p: _in_a2(p) or _index(p))
    code, err = _reports(capsys, "--units", "a1,a2")
    index = outputs_dir() / "reports" / "2025" / "index.html"
    assert code == 1 and "Traceback" not in err and "a bug in hme" not in err
    assert err.count("Free space or make the folder writable") == 1
    assert "1 of 2 unit(s) failed:\n  - a2: cannot write" in err  # before: no summary at all
    assert f"The index page was not written (cannot write {index}: No space left on device)" in err
    assert not index.exists() and _partial_files() == []


def test_a_worker_killed_mid_write_leaves_no_temporary_file_in_its_folder(tmp_path):
    folder = tmp_path / "reports" / "2025" / "Avd_a2"
    folder.mkdir(parents=True)
    (folder / "report.html").write_text("the last complete report")
    job = UnitJob(2025, "a2", "Avd", folder, "sv", tmp_path / "db", ("html",), tmp_path / "nb")

    def render(job):
        (job.folder / ".tmp-k2j3.pdf").write_bytes(b"%PDF-1.7 half")  # then the OOM killer
        os.kill(os.getpid(), signal.SIGKILL)

    [outcome] = run_forked([job], render, workers=1, on_failure=died)
    assert not outcome.ok and outcome.error == "worker process killed by signal 9"
    assert sorted(p.name for p in folder.iterdir()) == ["report.html"]
