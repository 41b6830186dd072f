"""Peers for `make bench`: a real dask cluster on this machine, and the strongest user script.

- `local_dask_cluster`: `dask scheduler` and `dask worker` processes on 127.0.0.1 (free ports,
  no dashboard), each in its own process group, all killed on exit (also on failure). The
  cluster test (`tests/batch/test_real_cluster.py`) uses it too.
- `cluster_units_per_minute`: `hme reports --scheduler tcp://...` on such a cluster with two
  single-threaded workers.
- `peer_pool`: the script a capable analyst would write without us (papermill's Python API in a
  process pool, one fresh kernel per unit, nbconvert's HTMLExporter with inputs excluded,
  WeasyPrint's Python API). It deliberately imports nothing of hme_core's render code: it is the
  comparison, not our code.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent


@dataclass
class DaskProcesses:
    """A running scheduler and its workers (`Popen`s, each the leader of its process group)."""

    address: str
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen] = field(default_factory=list)
    logs: Path | None = None

    def kill_worker(self, index: int) -> None:
        """SIGKILL a worker with everything it started (nanny, worker, kernels), as a crash would."""
        _kill_group(self.workers[index])

    def kill_scheduler(self) -> None:
        """SIGKILL the scheduler."""
        _kill_group(self.scheduler)

    def log_text(self) -> str:
        """The processes' logs (for a failing test's message)."""
        if self.logs is None:
            return ""
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
                         for p in sorted(self.logs.glob("*.log")))


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def _wait_for(check, seconds: float, what: str, procs: DaskProcesses) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise RuntimeError(f"dask cluster: {what} not ready after {seconds:.0f} s\n{procs.log_text()}")


@contextlib.contextmanager
def local_dask_cluster(workers: int = 2, nthreads: int = 1, env: dict | None = None,
                       start_timeout: float = 60.0) -> Iterator[DaskProcesses]:
    """`dask scheduler` + `workers` x `dask worker --nthreads N` on 127.0.0.1; yields them.

    The scheduler picks a free port (`--port 0`) and writes its address to a scheduler file;
    the workers connect to that address. On exit every process group is killed with SIGKILL.
    """
    run_env = {**os.environ, **(env or {}), "MPLBACKEND": "Agg"}
    with tempfile.TemporaryDirectory(prefix="hme-dask-cluster-") as tmp:
        folder = Path(tmp)
        sched_file = folder / "scheduler.json"

        def start(name: str, args: list[str]) -> subprocess.Popen:
            log = (folder / f"{name}.log").open("wb")
            return subprocess.Popen([str(BIN / "dask"), *args], stdout=log, stderr=subprocess.STDOUT,
                                    env=run_env, cwd=tmp, start_new_session=True)

        scheduler = start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", "0",
                                        "--no-dashboard", "--scheduler-file", str(sched_file)])
        procs = DaskProcesses("", scheduler, logs=folder)
        try:
            _wait_for(sched_file.exists, start_timeout, "scheduler file", procs)
            _wait_for(lambda: "address" in sched_file.read_text() or False, 10, "scheduler file",
                      procs)
            procs.address = json.loads(sched_file.read_text())["address"]
            for i in range(workers):
                procs.workers.append(start(f"worker{i}", [
                    "worker", procs.address, "--nthreads", str(nthreads), "--nworkers", "1",
                    "--host", "127.0.0.1", "--no-dashboard", "--name", f"w{i}",
                    "--local-directory", str(folder / f"w{i}")]))
            _wait_for_workers(procs, workers, start_timeout)
            yield procs
        finally:
            for proc in [*procs.workers, procs.scheduler]:
                _kill_group(proc)


def _wait_for_workers(procs: DaskProcesses, count: int, seconds: float) -> None:
    from dask.distributed import Client

    try:
        with Client(procs.address, timeout=seconds) as client:
            client.wait_for_workers(count, timeout=seconds)
    except (OSError, TimeoutError) as exc:
        raise RuntimeError(f"dask cluster: {count} workers not ready after {seconds:.0f} s "
                           f"({exc})\n{procs.log_text()}") from exc


def cluster_units_per_minute(db: Path, units: list[str], env: dict, workers: int = 2) -> dict:
    """`hme reports --force --scheduler tcp://...` for `units` (HTML + PDF) on a scheduler and
    `workers` single-threaded `dask worker`s started here; units per minute of the command
    (connecting, sending the data, rendering, writing the files and the index page)."""
    with local_dask_cluster(workers=workers, nthreads=1, env=env) as cluster:
        cmd = [str(BIN / "hme"), "reports", "--year", "2025", "--units", ",".join(units),
               "--formats", "html,pdf", "--force", "--db", str(db), "--scheduler",
               cluster.address]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True)
        seconds = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(f"hme reports on the cluster failed ({proc.returncode}):\n"
                               f"{proc.stderr[-2000:]}\n{cluster.log_text()}")
    rendered = re.search(r"Rendered (\d+) of", proc.stderr)
    return {"cluster_workers": workers,
            "cluster_seconds": round(seconds, 1),
            "cluster_units_rendered": int(rendered.group(1)) if rendered else -1,
            "cluster_units_per_minute": round(60 * len(units) / seconds, 1)}


# ---- The strongest peer: what a capable analyst writes without us. ------------------------

def _analyst_report(notebook: str, db: str, unit: str, out_dir: str) -> str:
    """One unit, as the analyst's script does it: papermill, nbconvert, WeasyPrint."""
    import nbformat
    import papermill as pm
    from nbconvert import HTMLExporter
    from weasyprint import HTML

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    executed = out / "report.ipynb"
    pm.execute_notebook(notebook, str(executed), progress_bar=False,
                        parameters={"year": 2025, "unit": unit, "db": db, "lang": "sv"})
    body, _ = HTMLExporter(exclude_input=True).from_notebook_node(
        nbformat.read(executed, as_version=4))
    (out / "report.html").write_text(body, encoding="utf-8")
    HTML(string=body, base_url=str(out)).write_pdf(str(out / "report.pdf"))
    return unit


def peer_pool(db: Path, units: list[str], env: dict, workdir: Path) -> dict:
    """Seconds for `units` (HTML + PDF) with papermill's Python API in a process pool of as
    many processes as cores (a fresh kernel per unit, as papermill does), nbconvert's
    `HTMLExporter(exclude_input=True)` and WeasyPrint's `HTML(...).write_pdf`."""
    from concurrent.futures import ProcessPoolExecutor

    notebook = str(Path(__file__).resolve().parents[1] / "notebooks" / "unit_report.ipynb")
    processes = os.cpu_count() or 1
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=processes, initializer=os.environ.update,
                             initargs=({**env, "MPLBACKEND": "Agg"},)) as pool:
        done = list(pool.map(_analyst_report, [notebook] * len(units), [str(db)] * len(units),
                             units, [str(workdir / f"{i:04d}") for i in range(len(units))]))
    seconds = time.perf_counter() - t0
    return {"peer_pool_seconds": round(seconds, 1),
            "peer_pool_units": len(done),
            "peer_pool_processes": processes,
            "peer_pool_seconds_per_unit": round(seconds / len(done), 2)}


def main(argv: list[str] | None = None) -> int:
    """Both peers on the demo data (as `make bench` prepares it), in a scratch folder."""
    import argparse
    import shutil

    from tools.bench import pick_units, prepare

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--units", type=int, default=8)
    ap.add_argument("--root", type=Path, default=Path(tempfile.gettempdir()) / "hme-bench-peers")
    ap.add_argument("--db", type=Path, help="use this store instead of preparing the demo")
    args = ap.parse_args(argv)
    root = args.root.resolve()
    params = root / "params"
    if not params.exists():
        shutil.copytree(Path(__file__).resolve().parents[1] / "params", params,
                        ignore=shutil.ignore_patterns("narratives"))
    env = {"HME_PARAMS": str(params), "HME_OUTPUTS": str(root / "outputs"), "MPLBACKEND": "Agg"}
    db = args.db or prepare(root, env)
    units = pick_units(db, args.units)
    results = peer_pool(db, units, env, root / "peer") | cluster_units_per_minute(db, units, env)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
