"""The fork pool leaves no temporary folder behind: a child killed with SIGKILL, the parent
stopped with SIGTERM, or the parent killed with SIGKILL (its children die with it, the next run
removes its folder)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from hme_core.batch.forkpool import run_forked, sweep_orphans


@pytest.fixture
def tmp(tmp_path, monkeypatch):
    """A temporary-files folder of the test's own, so leftovers can be counted."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*"))


def _write_temp_then(action: str):
    def work(i):
        with tempfile.NamedTemporaryFile(prefix="work-", delete=False) as fh:
            fh.write(b"half a report")  # a library's temporary file, e.g. a chart or a PDF
        if action == "kill" and i == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        return i
    return work


def test_a_child_killed_with_sigkill_leaves_no_temporary_files(tmp):
    done = run_forked([0, 1, 2], _write_temp_then("kill"), workers=2,
                      on_failure=lambda t, why: (t, why))
    assert sorted(map(str, done)) == ["(1, 'worker process killed by signal 9')", "0", "2"]
    assert _leftovers(tmp) == []  # before: work-* files of every child stayed in the temp folder


def test_each_task_folder_is_removed_as_soon_as_its_child_ends(tmp):
    seen = []

    def work(i):
        return i

    run_forked([0, 1, 2], work, workers=1, on_failure=lambda t, why: why,
               on_done=lambda r: seen.append(_leftovers(tmp)))
    run_folder = [name for name in seen[0] if "/" not in name]
    assert len(run_folder) == 1 and run_folder[0].startswith(f"hme-fork-{os.getpid()}-")
    assert seen == [run_folder] * 3  # only the run's (empty) folder while the batch goes on


PARENT = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from hme_core.batch.forkpool import run_forked

    started = Path(sys.argv[1])

    def work(i):
        (started / f"{os.getpid()}").write_text("x")
        time.sleep(120)
        return i

    run_forked(list(range(4)), work, workers=2, on_failure=lambda t, why: why)
    print("finished")
""")


@pytest.fixture
def started(tmp_path):
    """Children write their pid here; any still running when the test ends are killed."""
    folder = tmp_path / "started"
    folder.mkdir()
    yield folder
    for p in folder.iterdir():
        try:  # only a process still running this test's script (a pid may be reused)
            if "time.sleep(120)" in Path(f"/proc/{p.name}/cmdline").read_text(errors="replace"):
                os.kill(int(p.name), signal.SIGKILL)
        except OSError:
            pass


def _start_parent(tmp: Path, started: Path) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-c", PARENT, str(started)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for _ in range(600):  # until both children run (at most a minute on a loaded machine)
        if len(list(started.iterdir())) == 2:
            break
        time.sleep(0.1)
    assert len(list(started.iterdir())) == 2, proc.stderr.read() if proc.poll() is not None else ""
    return proc


def _gone(pid: int) -> bool:
    """The process no longer runs (a zombie nobody reaped counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def _wait_gone(pids: list[int]) -> bool:
    for _ in range(300):
        if all(_gone(p) for p in pids):
            return True
        time.sleep(0.1)
    return False


def test_sigterm_to_the_parent_stops_its_children_and_removes_the_folders(tmp, started):
    proc = _start_parent(tmp, started)
    children = [int(p.name) for p in started.iterdir()]
    assert _leftovers(tmp) != []  # the run's folder exists while it runs
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGTERM  # it still dies of SIGTERM
    assert _wait_gone(children)  # before: the children slept on, orphaned
    assert _leftovers(tmp) == []  # before: hme-fork-* stayed


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_after_sigkill_of_the_parent_children_die_and_the_next_run_removes_its_folder(
        tmp, started):
    proc = _start_parent(tmp, started)
    children = [int(p.name) for p in started.iterdir()]
    proc.kill()
    proc.wait(timeout=60)
    assert _wait_gone(children)  # they got SIGTERM when their parent died
    left = [p for p in tmp.iterdir() if p.name.startswith(f"hme-fork-{proc.pid}-")]
    assert len(left) == 1  # nothing can clean up inside a SIGKILLed process...
    assert sweep_orphans(tmp) == left  # ...the next run does (run_forked calls this first)
    assert _leftovers(tmp) == []


def test_the_sweep_keeps_folders_of_runs_still_going(tmp):
    mine = tmp / f"hme-fork-{os.getpid()}-abc"
    mine.mkdir()
    assert sweep_orphans(tmp) == [] and mine.is_dir()
