"""`hme reports`: render every selected unit of a year into outputs/reports/<year>/.

Each unit renders in a worker process (papermill's `cwd` handling is a process-wide
`chdir`); one unit failing never stops the others. Results are recomputed once, before
the workers start, so every report of the batch reads the same stored numbers.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

import pandas as pd

from hme_core.atomic import atomic_write, machine_problem
from hme_core.batch.jobs import UnitJob, UnitOutcome, died, render_unit
from hme_core.batch.keys import index_key_file_name, key_file_name, year_keys
from hme_core.batch.tidy import remove_orphans, sweep_temporary_files
from hme_core.errors import HMEError, StoreError
from hme_core.orgtree import Tree, levels, tree_order
from hme_core.paths import notebooks_dir, outputs_dir
from hme_core.store.duckdb_store import Store
from hme_core.unit_files import report_file

REPORT_NOTEBOOK = "unit_report.ipynb"


class ReportsFailed(HMEError):
    """Raised after a batch in which some units failed (the others were rendered), or whose
    index page the machine refused to write."""

    exit_code = 1


def failure_message(outcomes: list[UnitOutcome], year: int, index_problem: str | None = None) -> str:
    """The one message of a batch that did not fully succeed: first what the machine refused
    (disk full, read-only folder), once, naming the path and what to do; then every failed unit;
    then whether the index page was written."""
    failed = [o for o in outcomes if not o.ok]
    refused = next((o.error for o in failed if o.error.startswith("cannot write ")), index_problem)
    lines = []
    if refused:
        lines.append(f"{refused}. Free space or make the folder writable, then run 'hme reports "
                     f"--year {year} --resume': finished reports were kept, none is half-written.")
    if failed:
        lines.append(f"{len(failed)} of {len(outcomes)} unit(s) failed:")
        lines += [f"  - {o.unit}: {o.error}" for o in failed]
    if index_problem:
        lines.append(f"The index page was not written ({index_problem}).")
    return "\n".join(lines)


def select_units(org: pd.DataFrame, units: list[str] | None, level: int | None) -> list[str]:
    """Units in tree order: all, the named ones (codes, names or paths: `units_named`), or
    those at one level (root = 1)."""
    from hme_core.inputs.units import units_named

    order = tree_order(org)
    if units:
        wanted = set(units_named(org, units))
        return [u for u in order if u in wanted]
    if level is not None:
        lv = levels(org)
        if level not in set(lv):
            raise HMEError(f"--level: expected one of {sorted(set(lv))}, got {level}")
        return [u for u in order if lv[u] == level]
    return order


#: Above this many units, keys read every unit's results: one scan of a table costs about the
#: same as looking up this many units in it (5,000 of 50,000 units: 0.5 s, all: 3 s of CPU).
FEW_UNITS = 5_000


def compared_units(tree: Tree, selected: list[str]) -> list[str] | None:
    """The units whose stored results the cache keys of `selected` read: each selected unit,
    its ancestors (a report compares a unit with the units above it) and its children (its
    heat map shows them), so a one-unit run
    reads a few units' rows, not the organisation's. None (read every unit) when the root is
    selected (its report shows every unit's targets) or when they are more than `FEW_UNITS`.

    >>> org = pd.DataFrame({"unit": ["R", "A", "a1", "B"], "parent": [None, "R", "A", "R"]})
    >>> compared_units(Tree(org), ["A"]), compared_units(Tree(org), ["R", "a1"])
    (['A', 'R', 'a1'], None)
    """
    wanted: set[str] = set()
    for unit in selected:
        chain = tree.ancestors(unit)
        if not chain:  # the root
            return None
        wanted.update([unit, *chain, *tree.children(unit)])
        if len(wanted) > FEW_UNITS:
            return None
    return sorted(wanted)


def read_units(tree: Tree, units: list[str]) -> set[str]:
    """The units whose stored results the reports of `units` read: each unit, the units above
    it (comparisons) and its child units (heat map, escalations).

    >>> org = pd.DataFrame({"unit": ["R", "A", "a1", "B"], "parent": [None, "R", "A", "R"]})
    >>> sorted(read_units(Tree(org), ["A"]))
    ['A', 'R', 'a1']
    """
    return {u for unit in units for u in (unit, *tree.ancestors(unit), *tree.children(unit))}


def run_batch(
    year: int,
    db: Path,
    units: list[str] | None = None,
    level: int | None = None,
    formats: tuple[str, ...] = ("html", "pdf"),
    workers: int = 2,
    lang: str = "sv",
    out_root: Path | None = None,
    progress=None,
    notebook: Path | None = None,
    pool: str = "auto",
    mode: str = "incremental",
    scheduler: str | None = None,
    on_plan=None,
    notice=None,
    security=None,
) -> list[UnitOutcome]:
    """Render the selected units in parallel and write the index page; returns outcomes.

    `pool` (the CLI's `--engine`): "fork" renders each unit in a fresh fork of this (warmed-up)
    process, the notebook run in-process; "kernel" uses a pool of worker processes, each
    notebook in its own Jupyter kernel (papermill's default); "auto" picks fork where the OS
    has it.
    `mode`: "incremental" skips units whose cache key (see `cache`) is unchanged and whose
    files exist; "resume" does the same (it used to trust any existing files, which kept reports
    made under results now stale, e.g. a unit now suppressed); "force" renders everything.
    `scheduler`: a dask.distributed address, or "local" for a LocalCluster (see `batch.cluster`);
    `security` its TLS files (`cluster.TLSFiles`) for a `tls://` address.
    `on_plan(to_render, up_to_date)` is called once the units to render are known, before any
    renders; `progress(outcome)` after each rendered unit; `notice(text)` says what the user
    should know (the store changed during the batch).

    The whole batch (keys, reports, index page) reads one version of the store: a copy of what
    reports read, taken once (`store.snapshot.batch_copy`, owner-only, removed after). Report
    folders of units no longer in the year's tree are removed (`remove_orphans`).
    """
    from hme_core.batch.forkpool import fork_available
    from hme_core.store.snapshot import batch_copy, batch_folder

    allowed = {"html", "pdf"}
    if not set(formats) <= allowed or not formats:
        raise HMEError(f"--formats: expected a comma-separated subset of html,pdf, got {formats}")
    if mode not in ("incremental", "resume", "force"):
        raise HMEError(f"mode must be incremental, resume or force, got {mode!r}")
    if pool == "auto":
        pool = "fork" if fork_available() else "kernel"
    if pool not in ("fork", "kernel"):
        raise HMEError(f"--engine: expected fork or kernel, got {pool!r}")
    db = Path(db).resolve()
    if not db.exists():
        raise StoreError(f"{db}: no database here; run 'hme ingest' first")
    folder = batch_folder(db)  # owner-only: the batch's copy of the store lives here
    try:
        copy = folder / "batch.duckdb"
        version = batch_copy(db, copy)  # one version for every report and the index page
        outcomes = _render_version(
            year, db, copy, units, level, formats, workers, lang, out_root, progress,
            Path(notebook) if notebook else notebooks_dir() / REPORT_NOTEBOOK, pool, mode,
            scheduler, on_plan, security, notice)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    moved_on = store_moved_on(db, version)
    if moved_on and notice:
        notice(moved_on.format(year=year))
    return outcomes


def store_moved_on(db: Path, version: int) -> str:
    """'' when the store is still at `version`, else what a batch rendered from that version
    says (with `{year}` to fill in)."""
    try:
        with Store.open(db, read_only=True) as store:
            now = store.version()
    except StoreError:  # held by a writer right now: it has moved on
        now = None
    if now == version:
        return ""
    return (f"Note: the store {db} was written (hme ingest or rescore) while this batch ran. "
            "Every report and the index page show the store as it was when the batch started "
            "(one version, never a mix); run 'hme reports --year {year}' again to render what "
            "changed ('hme publish' refuses reports older than the store).")


#: The deepest level a unit report is rendered for (root = 1). A report compares its unit with
#: every unit above it, so its size grows with the depth (200 levels: ~80 s for one report; a
#: 10,000-level chain ran out of memory at 5.8 GB); real organisations have fewer than 15.
MAX_REPORT_DEPTH = 30


def too_deep(unit: str, level: int) -> str:
    """Why `unit` at `level` gets no report (refused before any work).

    >>> too_deep("U9", 10_000)[:48]
    'level 10000 of the org tree: reports are made fo'
    """
    return (f"level {level} of the org tree: reports are made for units at most "
            f"{MAX_REPORT_DEPTH} levels deep, since a report compares its unit with every unit "
            f"above it. An org tree this deep is almost always a wrong parent column (each "
            f"unit the parent of the next); check it with 'hme inspect' and ingest it again "
            f"with --replace")


def _render_version(year, db, copy, units, level, formats, workers, lang, out_root, progress,
                    notebook, pool, mode, scheduler, on_plan, security,
                    notice) -> list[UnitOutcome]:
    """The batch on the store's copy `copy` (messages name the store, `db`)."""
    from hme_core.report.index_page import write_index
    from hme_core.store.snapshot import drop_snapshot, take_snapshot

    with Store.open(copy, read_only=True) as store:
        try:
            if year not in store.years():
                raise StoreError(f"{copy}: year {year} is not in the store "
                                 f"(years: {store.years()})")
            for y in [y for y in store.years() if y <= year]:
                store.require_current_results(y)  # refused, never rescored here
        except StoreError as exc:
            raise StoreError(str(exc).replace(str(copy), str(db))) from None
        plan = year_keys(store, year, notebook, selected=lambda org, tree: compared_units(
            tree, select_units(org, units, level)))
        selected = select_units(plan.org, units, level)
        index_key = plan.index_key(store, lang)
    tree, folders = plan.tree, plan.folders[year]
    names = dict(zip(plan.org["unit"].tolist(), plan.org["name"].astype(str).tolist(),
                     strict=True))
    root = (out_root or outputs_dir() / "reports") / str(year)
    sweep_temporary_files(root)
    executor = "inprocess" if pool == "fork" else "kernel"
    jobs, skipped, refused = [], [], []
    for u in selected:
        if len(tree.ancestors(u)) >= MAX_REPORT_DEPTH:
            refused.append(UnitOutcome(u, root / folders[u], False, 0.0, error=too_deep(
                u, len(tree.ancestors(u)) + 1)))
            continue
        job = UnitJob(year, u, names[u], root / folders[u], lang, copy, tuple(formats),
                      notebook, executor, plan.key(u, lang, formats))
        if _up_to_date(job, mode):
            skipped.append(UnitOutcome(u, job.folder, True, 0.0, skipped=True))
        else:
            jobs.append(job)
    if on_plan:
        on_plan(len(jobs), len(skipped))
    workers = max(1, min(workers, len(jobs) or 1))
    if not jobs:
        outcomes = []
    elif scheduler:
        from hme_core.batch.cluster import render_on_cluster

        needed = (read_units(tree, [job.unit for job in jobs])  # the root's reads every unit
                  if compared_units(tree, [job.unit for job in jobs]) is not None else None)
        outcomes = render_on_cluster(jobs, scheduler, workers, progress, read_units=needed,
                                     security=security)
    else:
        if pool == "fork" and len(jobs) > workers:  # read once here, not ~20 times per report
            take_snapshot(copy, read_units(tree, [job.unit for job in jobs]))
        try:
            outcomes = render_jobs(jobs, workers, pool, progress)
        finally:
            drop_snapshot()
    outcomes = refused + outcomes
    for outcome in outcomes:  # errors name the store, not the batch's copy
        outcome.error = outcome.error.replace(str(copy), str(db))
    try:  # written whenever the machine lets us, failed units marked on it
        write_index(root, year, copy, folders, outcomes + skipped, lang)
        atomic_write(root / index_key_file_name(lang), index_key)
    except OSError as exc:
        problem = machine_problem(exc, root)
        if problem is None:
            raise
        raise ReportsFailed(failure_message(outcomes + skipped, year, problem)) from exc
    orphans = remove_orphans(root, set(folders.values()))
    if orphans and notice:
        kept = [p.name for p in orphans if p.exists()]
        notice(f"Removed the reports of {len(orphans)} unit folder(s) no longer in the {year} "
               f"org tree: {', '.join(p.name for p in orphans[:20])}"
               + (f" (kept, holding other files, and never published: {', '.join(kept)})"
                  if kept else ""))
    return outcomes + skipped


def _up_to_date(job: UnitJob, mode: str) -> bool:
    files = [job.folder / report_file(f, job.lang) for f in job.formats]
    if mode == "force" or not all(f.exists() for f in files):
        return False
    key_file = job.folder / key_file_name(job.lang)
    return key_file.exists() and key_file.read_text(encoding="utf-8").strip() == job.key


def render_jobs(jobs: list[UnitJob], workers: int, pool: str, progress=None) -> list[UnitOutcome]:
    """Render `jobs` with `workers` processes: forks of this process (`pool` "fork"), or a
    pool of spawned processes running each notebook in a Jupyter kernel ("kernel")."""
    if pool == "fork":
        from hme_core.batch.forkpool import run_forked

        os.environ.setdefault("MPLBACKEND", "Agg")
        if len(jobs) > workers:  # with no more jobs than workers, children import in parallel
            from hme_core.render.notebook import warm_up

            warm_up()
        return run_forked(jobs, render_unit, workers, died, progress)
    outcomes: list[UnitOutcome] = []
    env_before = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "Agg"
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as processes:
            futures = [processes.submit(render_unit, job) for job in jobs]
            for fut in as_completed(futures):
                outcomes.append(fut.result())
                if progress:
                    progress(outcomes[-1])
    finally:
        if env_before is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = env_before
    return outcomes
