"""`hme reports --scheduler tcp://...` on a real cluster: `dask scheduler` and two `dask worker`
processes on 127.0.0.1 (tools/bench_peers.py · local_dask_cluster), each test with its own.

What is compared with a local run: the HTML without papermill's random cell ids, and the PDF's
text (pdftotext, layout kept); both runs are on the same day, so dates agree.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hme_core.batch.run import run_batch
from tests.fixtures import build_store
from tools.bench_peers import local_dask_cluster

pytestmark = pytest.mark.slow

UNITS = ["A", "a1", "a2"]  # of the fixture tree (see tests/fixtures.py): a parent and two leaves


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("cluster-data"))


@pytest.fixture
def cluster():
    with local_dask_cluster(workers=2, nthreads=1) as procs:
        yield procs


def _hme_reports(db: Path, outputs: Path, address: str, *extra: str, env: dict | None = None,
                 units: list[str] = UNITS) -> subprocess.Popen:
    """`hme reports` as a user runs it, in its own process."""
    cmd = [sys.executable, "-m", "hme_core.cli", "reports", "--year", "2025", "--units",
           ",".join(units), "--db", str(db), "--outputs", str(outputs), "--scheduler", address,
           *extra]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "MPLBACKEND": "Agg", **(env or {})})


def _finish(proc: subprocess.Popen, cluster) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=150)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"hme reports hung\n{err}\n{cluster.log_text()}")
    return proc.returncode, out, err


def _wait_for_first_report(outputs: Path, proc: subprocess.Popen) -> Path:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        done = list((outputs / "reports" / "2025").glob("*/report.html"))
        if done:
            return done[0]
        time.sleep(0.1)
    pytest.fail("no unit finished on the cluster")


def _normalised_html(path: Path) -> str:
    return re.sub(r'id="cell-id=[^"]*"', "", path.read_text(encoding="utf-8"))


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_reports_on_a_scheduler_with_two_workers_equal_the_local_run(db, cluster, tmp_path):
    local = {o.unit: o.folder for o in run_batch(2025, db, units=UNITS, out_root=tmp_path / "l")}
    proc = _hme_reports(db, tmp_path / "out", cluster.address, units=UNITS)
    code, out, err = _finish(proc, cluster)
    assert code == 0, err + cluster.log_text()
    assert out == ""  # summaries and progress go to stderr; a script's stdout stays clean
    assert "Rendered 3 of 3 units" in err
    year = tmp_path / "out" / "reports" / "2025"
    for unit, folder in local.items():
        remote = year / folder.name
        assert _normalised_html(remote / "report.html") == _normalised_html(folder / "report.html")
        assert _pdf_text(remote / "report.pdf") == _pdf_text(folder / "report.pdf"), unit
        assert (remote / "report.ipynb").exists()
    assert (year / "index.html").exists()


def _a_worker_rendering(client, proc: subprocess.Popen) -> str:
    """The address of a worker with a unit's render assigned to it, as soon as there is one
    (polled every 20 ms from the submission on, not after the first report: with warm
    helpers a unit takes ~1 s, and waiting for a report left no task running 1 run in 8)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        busy = sorted(a for a, keys in client.processing().items()
                      if any(str(k).startswith("render_remote") for k in keys))
        if busy:
            return busy[0]
        time.sleep(0.02)
    pytest.fail("no unit was ever running on the cluster")


def test_a_worker_killed_mid_batch_loses_no_unit(db, cluster, tmp_path):
    from dask.distributed import Client

    outputs = tmp_path / "out"
    with Client(cluster.address, timeout=10) as client:  # connected before the batch
        proc = _hme_reports(db, outputs, cluster.address)
        try:
            busy = _a_worker_rendering(client, proc)
            names = {a: w["name"] for a, w in client.scheduler_info()["workers"].items()}
            cluster.kill_worker(int(names[busy][1:]))  # worker "w0" / "w1", with its nanny
        finally:
            code, _, err = _finish(proc, cluster)
    assert code == 0, err + cluster.log_text()
    assert "Rendered 3 of 3 units" in err
    assert len(list((outputs / "reports" / "2025").glob("*/report.html"))) == 3


def _held_by_the_busy_worker_only(client) -> str | None:
    """The worker rendering the batch's unit when it alone holds the batch's data (the store,
    notebook and params/ scattered to both: dask's Active Memory Manager drops the copy on the
    idle worker within a few seconds), else None."""
    busy = [a for a, keys in client.processing().items() if keys]
    data = {k: set(w) for k, w in client.who_has().items() if not k.startswith("render_remote")}
    if len(busy) == 1 and data and all(w == {busy[0]} for w in data.values()):
        return busy[0]
    return None


def test_a_killed_worker_that_alone_held_the_data_loses_no_unit(db, cluster, tmp_path):
    from dask.distributed import Client

    outputs = tmp_path / "out"
    proc = _hme_reports(db, outputs, cluster.address, "--formats", "html", units=["a1"])
    try:
        with Client(cluster.address, timeout=10) as client:
            deadline, alone = time.monotonic() + 30, None
            while alone is None and time.monotonic() < deadline and proc.poll() is None:
                alone = _held_by_the_busy_worker_only(client)
                time.sleep(0.1)
            names = {a: w["name"] for a, w in client.scheduler_info()["workers"].items()}
        assert alone, "the batch's data was never on the busy worker only"
        assert not list(outputs.glob("reports/2025/*/report.html")), "rendered before the kill"
        cluster.kill_worker(int(names[alone][1:]))
    finally:
        code, _, err = _finish(proc, cluster)
    assert code == 0, err + cluster.log_text()
    assert "Rendered 1 of 1 units" in err
    assert len(list((outputs / "reports" / "2025").glob("*/report.html"))) == 1


@pytest.mark.parametrize("lost", ["both workers", "the scheduler"])
def test_units_the_cluster_cannot_recover_are_each_reported_without_a_traceback(
        db, cluster, tmp_path, lost):
    outputs = tmp_path / "out"
    proc = _hme_reports(db, outputs, cluster.address, "--formats", "html",
                        env={"DASK_DISTRIBUTED__SCHEDULER__NO_WORKERS_TIMEOUT": "3s"})
    try:
        first = _wait_for_first_report(outputs, proc)
        if lost == "both workers":
            cluster.kill_worker(0)
            cluster.kill_worker(1)
        else:
            cluster.kill_scheduler()
    finally:
        code, _, err = _finish(proc, cluster)
    rendered = list((outputs / "reports" / "2025").glob("*/report.html"))
    failed = re.findall(r"^  - (\S+): (.*)$", err, re.M)
    assert code == 1, err
    assert "Traceback" not in err
    assert f"{len(failed)} of 3 unit(s) failed" in err
    assert len(rendered) + len(failed) == 3  # every unit either rendered or named as failed
    assert first in rendered  # what was rendered before the loss is kept
    why = "dask worker" if lost == "both workers" else "dask scheduler"
    assert all(why in message for _, message in failed), failed
