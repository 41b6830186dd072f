"""Render a batch on a dask.distributed cluster: `hme reports ... --scheduler ADDRESS|local`.

Workers need hme_core installed (same version) but no shared file system: the database, the
notebook and params/ are sent to every worker once (`Client.scatter(..., broadcast=True)`),
cached there by content hash, and each worker returns the rendered files, which are written into
the output folder here. On a worker every unit is rendered in a fresh fork of a warmed-up helper
process (`batch.warm_server`), as `hme reports` does locally, so no state passes between units
(where the OS cannot fork, in its own Jupyter kernel, papermill's default engine).

A worker that dies costs no unit: dask runs its tasks again on another worker, and if the worker
held the last copy of the batch's data (dask keeps as few copies as its running tasks need), the
data is sent again to the workers left and the units that needed it are submitted again. What
cannot be recovered (a unit whose workers keep dying, the scheduler gone, no worker left) comes
back as that unit's failure with one line saying why, never as a traceback.
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
from hme_core.batch.tls import TLSFiles
from hme_core.errors import HMEError
from hme_core.paths import params_dir

CONNECT_SECONDS = 20  # to reach the scheduler at the start of a batch
NO_WORKERS_SECONDS = 60.0  # see no_workers_seconds()
POLL_SECONDS = 0.25
RESEND_ROUNDS = 3  # times a batch's data is sent again after every copy of it was lost
_DATA_LOST = ("every dask worker holding this batch's data (database, notebook, params) died "
              "before this unit was rendered")
_RUN_AGAIN = "; run again: units already rendered are kept"


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
    from hme_core.batch.forkpool import fork_available

    params_root = _materialise_params(params)
    os.environ["HME_PARAMS"] = str(params_root)
    os.environ.setdefault("MPLBACKEND", "Agg")
    warm = fork_available()
    with tempfile.TemporaryDirectory(prefix="hme-unit-") as tmp:
        local = dataclasses.replace(
            UnitJob(**job), folder=Path(tmp) / "out", db=_cached(db_bytes, ".duckdb"),
            notebook=_cached(notebook_bytes, ".ipynb"), executor="kernel", key="")
        if warm:
            from hme_core.batch.warm_server import render_warm

            outcome = render_warm(local, params_root)
        else:
            outcome = render_unit(local)
        out = Path(tmp) / "out"
        files = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} if out.exists() else {}
    return outcome, files


def render_on_cluster(jobs: list[UnitJob], scheduler: str, workers: int,
                      progress=None, read_units: set[str] | None = None,
                      security: TLSFiles | None = None) -> list[UnitOutcome]:
    """Submit every job to the cluster and gather the files into each job's folder.

    Nothing the cluster does ends the batch with a traceback: a unit whose worker died is
    retried by dask on another worker (up to `distributed.scheduler.allowed-failures` times,
    then `KilledWorker`), a unit whose data died with its worker is resubmitted with the data
    sent again (see `_Batch`); every unit that did not come back, because its workers kept dying,
    the scheduler went away or no worker was left for `no_workers_seconds()`, is returned as a
    failed outcome saying why, and the batch's other units are kept.

    The workers get the batch's copy of the store (`jobs[i].db`, no respondent rows), cut
    down to the results of `read_units` (the units, ancestors and children the reports read)
    when given. A `tls://` scheduler is reached with `security` (see `TLSFiles`).
    """
    from dask.distributed import LocalCluster

    if not jobs:
        return []
    db_bytes = _worker_store(jobs[0].db, read_units)  # sent to the workers, then forgotten
    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, host="127.0.0.1")
    client = _connect(cluster if cluster is not None else scheduler, security)
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


def _worker_store(copy: Path, read_units: set[str] | None) -> bytes:
    """The bytes of the store the workers get: the batch's copy, or a copy of it holding only
    the results of `read_units` (written beside it, in the batch's owner-only folder)."""
    if read_units is None:
        return copy.read_bytes()
    from hme_core.store.snapshot import batch_copy

    smaller = copy.with_name("workers.duckdb")
    smaller.unlink(missing_ok=True)
    batch_copy(copy, smaller, units=read_units)
    try:
        return smaller.read_bytes()
    finally:
        smaller.unlink(missing_ok=True)


def _connect(address, security: TLSFiles | None = None):
    from dask.distributed import Client

    tls = security.dask_security() if security is not None else None
    if isinstance(address, str) and address.startswith("tls://") and tls is None:
        tls = TLSFiles().dask_security()  # dask's configuration (distributed.comm.tls.*)
    if isinstance(address, str) and address.startswith("tls://") and tls is None:
        raise HMEError(
            f"--scheduler {address}: a TLS scheduler needs this client's certificate: give "
            "--tls-ca-file, --tls-cert and --tls-key (or set distributed.comm.tls.ca-file, "
            ".client.cert and .client.key in dask's configuration); see README, 'A secured "
            "cluster'.")
    try:
        return Client(address, timeout=CONNECT_SECONDS, security=tls) if tls is not None \
            else Client(address, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as exc:
        if tls is not None:
            raise HMEError(
                f"--scheduler {address}: the TLS connection failed ({exc}). Check that the CA "
                f"file is the one that signed the scheduler's certificate and that this "
                f"client's certificate and key belong together.") from None
        raise HMEError(
            f"--scheduler {address}: no dask scheduler answered there ({exc}). Start one with "
            f"`dask scheduler` and workers with `dask worker ADDRESS`, then pass its address "
            f"(tcp://HOST:PORT), or use --scheduler local.") from None


class _Batch:
    """The batch's units on the cluster, and the data they need.

    The data is scattered to every worker connected at the start, but that is only where it
    starts: the scheduler's Active Memory Manager (on by default, `ReduceReplicas`) soon drops
    every copy no task running there needs, often down to one worker. When the last worker
    holding it dies, dask cancels the units still waiting for it ("lost dependencies"); those
    units are resubmitted with the data sent again to the workers left, at most
    `RESEND_ROUNDS` times per batch.
    """

    def __init__(self, client, jobs: list[UnitJob], db_bytes: bytes, scheduler: str) -> None:
        from dask.distributed import as_completed

        self.client, self.scheduler, self.jobs, self.db_bytes = client, scheduler, jobs, db_bytes
        self.payload: list | None = None  # the store, notebook and params/: see send()
        self.patience = no_workers_seconds()
        self.no_worker = (
            f"no dask worker was connected to the scheduler at {scheduler} for "
            f"{self.patience:.0f} s; start workers (`dask worker {scheduler}`) and run again")
        self.finished = as_completed()
        self.by_future: dict = {}  # future -> (job, the round of the data it was given)
        self.round, self.data, self.gave_up = -1, None, ""

    def send(self) -> str:
        """Scatter the data to the workers connected now (waiting for one if none is);
        '' when sent, else why not."""
        try:
            self.client.wait_for_workers(1, timeout=self.patience)
        except TimeoutError:
            return self.no_worker
        except Exception as exc:  # the scheduler went away
            return cluster_failure(exc, self.scheduler)
        try:
            if self.payload is None:
                self.payload = [self.db_bytes, self.jobs[0].notebook.read_bytes(),
                                _params_bundle()]
            self.data = self.client.scatter(self.payload, broadcast=True, hash=False)
        except Exception as exc:
            return cluster_failure(exc, self.scheduler)
        self.round += 1
        return ""

    def submit(self, jobs: list[UnitJob]) -> str:
        """Submit `jobs` with the data last sent; '' when submitted, else why not."""
        try:
            for job in jobs:
                fut = self.client.submit(
                    render_remote, dataclasses.asdict(job) | {
                        "folder": str(job.folder), "db": str(job.db),
                        "notebook": str(job.notebook)},
                    *self.data, pure=False)
                self.by_future[fut] = (job, self.round)
                self.finished.add(fut)
        except Exception as exc:
            return cluster_failure(exc, self.scheduler)
        return ""

    def resubmit(self, job: UnitJob, data_round: int) -> str:
        """Submit again a unit whose data was lost: with the data sent again unless that was
        done since this unit was submitted. '' when resubmitted, else why not."""
        if not self.gave_up and data_round == self.round:
            if self.round >= RESEND_ROUNDS:
                self.gave_up = _DATA_LOST + f" ({RESEND_ROUNDS + 1} times)" + _RUN_AGAIN
            else:
                self.gave_up = self.send()
        return self.gave_up or self.submit([job])


def _gather(client, jobs: list[UnitJob], db_bytes: bytes, scheduler: str,
            progress) -> list[UnitOutcome]:
    outcomes: list[UnitOutcome] = []

    def done(outcome: UnitOutcome) -> None:
        outcomes.append(outcome)
        if progress:
            progress(outcome)

    batch = _Batch(client, jobs, db_bytes, scheduler)
    why = batch.send() or batch.submit(jobs)
    if why:  # the scheduler went away, or no worker took the data
        for fut in batch.by_future:
            fut.cancel()
        for job in jobs:
            done(_failed(job, why))
        return outcomes
    alone_since = None
    while batch.by_future:
        ready = batch.finished.next_batch(block=False)
        for fut in ready:
            job, data_round = batch.by_future.pop(fut)
            try:
                result = fut.result()
            except Exception as exc:
                why = cluster_failure(exc, scheduler)
                if _data_lost(exc):
                    why = batch.resubmit(job, data_round)
                if why:
                    done(_failed(job, why))
            else:
                done(_write(result, job))
        if ready or not batch.by_future:
            continue
        if _worker_count(client) > 0:
            alone_since = None
        elif alone_since is None:
            alone_since = time.monotonic()
        elif time.monotonic() - alone_since > batch.patience:
            for fut, (job, _) in list(batch.by_future.items()):
                fut.cancel()
                done(_failed(job, batch.no_worker))
            break
        time.sleep(POLL_SECONDS)
    return outcomes


def _worker_count(client) -> int:
    try:
        return len(client.nthreads())
    except Exception:  # scheduler gone: its futures are cancelled and come back as failures
        return 1


def _write(result: tuple[UnitOutcome, dict[str, bytes]], job: UnitJob) -> UnitOutcome:
    """Write a finished unit's files here."""
    remote, files = result
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
    if _data_lost(exc):
        return _DATA_LOST + _RUN_AGAIN
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


def _data_lost(exc: BaseException) -> bool:
    """Whether dask cancelled a unit because every copy of the batch's data was lost."""
    from concurrent.futures import CancelledError

    return isinstance(exc, CancelledError) and getattr(exc, "reason", "") in (
        "lost dependencies", "already forgotten")


def no_workers_seconds() -> float:
    """How long a batch waits while no worker is connected before it fails the units left.

    dask's own setting `distributed.scheduler.no-workers-timeout` (also the environment variable
    `DASK_DISTRIBUTED__SCHEDULER__NO_WORKERS_TIMEOUT`, e.g. "30s") when set, else 60 s.
    """
    import dask.config
    from dask.utils import parse_timedelta

    value = dask.config.get("distributed.scheduler.no-workers-timeout", None)
    return float(parse_timedelta(value, default="s")) if value else NO_WORKERS_SECONDS
