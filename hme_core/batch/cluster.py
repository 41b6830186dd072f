"""Render a batch on a dask.distributed cluster: `hme reports ... --scheduler ADDRESS|local`.

Workers need hme_core installed (same version) but no shared file system: the database, the
notebook and params/ are sent to every worker once (`Client.scatter(..., broadcast=True)`),
cached there by content hash, and each worker returns the rendered files, which are written into
the output folder here. On a worker every notebook runs in its own Jupyter kernel (papermill's
default engine), so no state passes between units.

A worker that dies costs no unit: dask runs its tasks again on another worker. What cannot be
recovered (a unit whose workers keep dying, the scheduler gone, no worker left) comes back as
that unit's failure with one line saying why, never as a traceback.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import os
import tempfile
import time
import traceback
from pathlib import Path

from hme_core.atomic import atomic_write
from hme_core.batch.jobs import UnitJob, UnitOutcome, render_unit
from hme_core.batch.keys import key_file_name
from hme_core.errors import HMEError
from hme_core.paths import params_dir

CONNECT_SECONDS = 20  # to reach the scheduler at the start of a batch
NO_WORKERS_SECONDS = 60.0  # see no_workers_seconds()
POLL_SECONDS = 0.25


def _cache_dir() -> Path:
    """The worker's cache: one folder per user, 0700, since it holds a copy of the store
    (every respondent's answers), which is 0600 like the store itself."""
    folder = Path(tempfile.gettempdir()) / f"hme-dask-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    if folder.is_symlink() or folder.stat().st_uid != os.getuid():
        raise HMEError(f"{folder}: not a folder of this user; remove it and run again")
    folder.chmod(0o700)
    return folder


def _content_name(content: bytes) -> str:
    """A cached file's name: the first 24 hex digits of its content's SHA-256."""
    return hashlib.sha256(content).hexdigest()[:24]


def _cached(content: bytes, suffix: str) -> Path:
    path = _cache_dir() / f"{_content_name(content)}{suffix}"
    if not path.exists():
        atomic_write(path, content, private=True)
    return path


def forget_store(content_digest: str) -> int:
    """Runs on every worker after a batch: remove the cached copy of the store. Returns how
    many files were removed."""
    removed = 0
    for path in _cache_dir().glob(f"{content_digest}*.duckdb*"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def _params_bundle() -> dict[str, bytes]:
    root = params_dir()
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _materialise_params(bundle: dict[str, bytes]) -> Path:
    digest = hashlib.sha256(repr(sorted((k, hashlib.sha256(v).hexdigest())
                                        for k, v in bundle.items())).encode()).hexdigest()[:24]
    root = _cache_dir() / f"params-{digest}"
    if not (root / ".complete").exists():
        for rel, content in bundle.items():
            atomic_write(root / rel, content)
        atomic_write(root / ".complete", b"")
    return root


def render_remote(job: dict, db_bytes: bytes, notebook_bytes: bytes,
                  params: dict[str, bytes]) -> tuple[UnitOutcome, dict[str, bytes]]:
    """Runs on a worker: render one unit into a temporary folder and return its files."""
    os.environ["HME_PARAMS"] = str(_materialise_params(params))
    os.environ.setdefault("MPLBACKEND", "Agg")
    with tempfile.TemporaryDirectory(prefix="hme-unit-") as tmp:
        local = dataclasses.replace(
            UnitJob(**job), folder=Path(tmp) / "out", db=_cached(db_bytes, ".duckdb"),
            notebook=_cached(notebook_bytes, ".ipynb"), executor="kernel", key="")
        outcome = render_unit(local)
        out = Path(tmp) / "out"
        files = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} if out.exists() else {}
    return outcome, files


def render_on_cluster(jobs: list[UnitJob], scheduler: str, workers: int,
                      progress=None) -> list[UnitOutcome]:
    """Submit every job to the cluster and gather the files into each job's folder.

    Nothing the cluster does ends the batch with a traceback: a unit whose worker died is
    retried by dask on another worker (up to `distributed.scheduler.allowed-failures` times,
    then `KilledWorker`); every unit that did not come back, because its workers kept dying,
    the scheduler went away or no worker was left for `no_workers_seconds()`, is returned as a
    failed outcome saying why, and the batch's other units are kept.
    """
    from dask.distributed import LocalCluster

    if not jobs:
        return []
    db_bytes = jobs[0].db.read_bytes()  # read once: sent to the workers, then named to forget
    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
    client = _connect(cluster if cluster is not None else scheduler)
    quiet = _quiet_distributed_logs()
    try:
        return _gather(client, jobs, db_bytes, scheduler, progress)
    finally:
        with contextlib.suppress(Exception):  # the store's copies never outlive the batch
            client.run(forget_store, _content_name(db_bytes))
        with contextlib.suppress(Exception):
            client.close(timeout=10)
        if cluster is not None:
            cluster.close()
        for logger, level in quiet.items():
            logger.setLevel(level)


def _quiet_distributed_logs() -> dict:
    """Silence distributed's loggers (e.g. the client's reconnect tracebacks when the scheduler
    goes away): every unit that does not come back is reported as a failure instead.
    Returns the previous levels."""
    names = ["distributed", *(n for n in logging.root.manager.loggerDict
                              if n.startswith("distributed."))]
    loggers = {logging.getLogger(n): logging.getLogger(n).level for n in names}
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    return loggers


def _connect(address):
    from dask.distributed import Client

    try:
        return Client(address, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as exc:
        raise HMEError(
            f"--scheduler {address}: no dask scheduler answered there ({exc}). Start one with "
            f"`dask scheduler` and workers with `dask worker ADDRESS`, then pass its address "
            f"(tcp://HOST:PORT), or use --scheduler local.") from None


def _gather(client, jobs: list[UnitJob], db_bytes: bytes, scheduler: str,
            progress) -> list[UnitOutcome]:
    from dask.distributed import as_completed

    outcomes: list[UnitOutcome] = []

    def done(outcome: UnitOutcome) -> None:
        outcomes.append(outcome)
        if progress:
            progress(outcome)

    try:
        db_f, nb_f, params_f = client.scatter(
            [db_bytes, jobs[0].notebook.read_bytes(), _params_bundle()],
            broadcast=True)
        by_future = {
            client.submit(render_remote, dataclasses.asdict(job) | {"folder": str(job.folder),
                          "db": str(job.db), "notebook": str(job.notebook)},
                          db_f, nb_f, params_f, pure=False): job
            for job in jobs
        }
    except Exception as exc:  # the scheduler went away, or no worker took the data
        for job in jobs:
            done(_failed(job, cluster_failure(exc, scheduler)))
        return outcomes
    pending = set(by_future)
    finished = as_completed(by_future)
    alone_since = None
    patience = no_workers_seconds()
    while pending:
        batch = finished.next_batch(block=False)
        for fut in batch:
            pending.discard(fut)
            done(_collect(fut, by_future[fut], scheduler))
        if batch or not pending:
            continue
        if _worker_count(client) > 0:
            alone_since = None
        elif alone_since is None:
            alone_since = time.monotonic()
        elif time.monotonic() - alone_since > patience:
            why = (f"no dask worker was connected to the scheduler at {scheduler} for "
                   f"{patience:.0f} s; start workers (`dask worker {scheduler}`) and run again")
            for fut in list(pending):
                fut.cancel()
                done(_failed(by_future[fut], why))
            break
        time.sleep(POLL_SECONDS)
    return outcomes


def _worker_count(client) -> int:
    try:
        return len(client.nthreads())
    except Exception:  # scheduler gone: its futures are cancelled and come back as failures
        return 1


def _collect(fut, job: UnitJob, scheduler: str) -> UnitOutcome:
    """Write a finished unit's files here; a unit that did not come back becomes a failure."""
    try:
        remote, files = fut.result()
    except Exception as exc:
        return _failed(job, cluster_failure(exc, scheduler))
    for name, content in files.items():
        atomic_write(job.folder / name, content)
    if remote.ok and job.key:
        atomic_write(job.folder / key_file_name(job.lang), job.key)
    return dataclasses.replace(remote, folder=job.folder, error=remote.error.replace(
        str(Path(tempfile.gettempdir())), "<worker tmp>"))


def _failed(job: UnitJob, why: str) -> UnitOutcome:
    return UnitOutcome(job.unit, job.folder, False, 0.0, error=why)


def cluster_failure(exc: BaseException, scheduler: str) -> str:
    """One line saying why a unit did not come back from the cluster, and what to do.

    >>> cluster_failure(OSError("Timed out"), "tcp://10.0.0.5:8786")
    'the connection to the dask scheduler at tcp://10.0.0.5:8786 failed (OSError: Timed out); run again once it is reachable: units already rendered are kept'
    """
    from concurrent.futures import CancelledError

    from distributed.scheduler import KilledWorker

    if isinstance(exc, KilledWorker):
        return (f"every dask worker that rendered this unit died ({exc.allowed_failures + 1} "
                f"attempts, the last on {exc.last_worker.address}): see the worker logs (memory "
                f"limit, crash), then run again")
    reason = getattr(exc, "reason", "")
    if isinstance(exc, CancelledError) and reason in ("lost dependencies", "already forgotten"):
        return ("every dask worker holding this batch's data (database, notebook, params) died "
                "before this unit was rendered; run again: units already rendered are kept")
    if isinstance(exc, CancelledError) and reason != "scheduler-connection-lost":
        return f"the dask cluster cancelled this unit ({reason or 'no reason given'}); run again"
    if isinstance(exc, CancelledError):
        return (f"lost the connection to the dask scheduler at {scheduler} before this unit "
                f"finished; run again once it is back: units already rendered are kept")
    what = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    if isinstance(exc, (OSError, TimeoutError)):
        return (f"the connection to the dask scheduler at {scheduler} failed ({what}); run "
                f"again once it is reachable: units already rendered are kept")
    return f"the cluster could not render this unit ({what})"


def no_workers_seconds() -> float:
    """How long a batch waits while no worker is connected before it fails the units left.

    dask's own setting `distributed.scheduler.no-workers-timeout` (also the environment variable
    `DASK_DISTRIBUTED__SCHEDULER__NO_WORKERS_TIMEOUT`, e.g. "30s") when set, else 60 s.
    """
    import dask.config
    from dask.utils import parse_timedelta

    value = dask.config.get("distributed.scheduler.no-workers-timeout", None)
    return float(parse_timedelta(value, default="s")) if value else NO_WORKERS_SECONDS
