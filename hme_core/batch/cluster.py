"""Render a batch on a dask.distributed cluster: `hme reports ... --scheduler ADDRESS|local`.

Workers need hme_core installed (same version) but no shared file system: the database, the
notebook and params/ are sent to every worker once (`Client.scatter(..., broadcast=True)`),
cached there by content hash, and each worker returns the rendered files, which are written into
the output folder here. On a worker every notebook runs in its own Jupyter kernel (papermill's
default engine), so no state passes between units.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
from pathlib import Path

from hme_core.atomic import atomic_write
from hme_core.batch.jobs import UnitJob, UnitOutcome, render_unit
from hme_core.batch.keys import KEY_FILE
from hme_core.paths import params_dir


def _cached(content: bytes, suffix: str) -> Path:
    folder = Path(tempfile.gettempdir()) / "hme-dask"
    folder.mkdir(exist_ok=True)
    path = folder / f"{hashlib.sha256(content).hexdigest()[:24]}{suffix}"
    if not path.exists():
        atomic_write(path, content)
    return path


def _params_bundle() -> dict[str, bytes]:
    root = params_dir()
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _materialise_params(bundle: dict[str, bytes]) -> Path:
    digest = hashlib.sha256(repr(sorted((k, hashlib.sha256(v).hexdigest())
                                        for k, v in bundle.items())).encode()).hexdigest()[:24]
    root = Path(tempfile.gettempdir()) / "hme-dask" / f"params-{digest}"
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
    """Submit every job to the cluster and gather the files into each job's folder."""
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        db_f, nb_f, params_f = client.scatter(
            [jobs[0].db.read_bytes(), jobs[0].notebook.read_bytes(), _params_bundle()],
            broadcast=True)
        by_future = {
            client.submit(render_remote, dataclasses.asdict(job) | {"folder": str(job.folder),
                          "db": str(job.db), "notebook": str(job.notebook)},
                          db_f, nb_f, params_f, pure=False): job
            for job in jobs
        }
        outcomes = []
        for fut in as_completed(by_future):
            job = by_future[fut]
            remote, files = fut.result()
            for name, content in files.items():
                atomic_write(job.folder / name, content)
            if remote.ok and job.key:
                atomic_write(job.folder / KEY_FILE, job.key)
            outcome = dataclasses.replace(remote, folder=job.folder, error=remote.error.replace(
                str(Path(tempfile.gettempdir())), "<worker tmp>"))
            outcomes.append(outcome)
            if progress:
                progress(outcome)
        return outcomes
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
