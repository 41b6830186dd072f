"""CPU seconds per stage of one unit's report: where a render's time goes.

`stage_cpu(db, units, params, outputs)` renders the given units as `hme reports` does (the
in-process notebook engine, each unit in a fresh fork of a warmed-up parent, HTML and PDF) and
returns the median CPU seconds per unit of each stage:

- ``data``: the notebook's execution without the figures (data loading, blocks, both
  renderings of every section);
- ``figures``: the charts: their descriptions and their SVG drawings (once for the HTML, once
  for the Typst markup);
- ``notebook``: the whole notebook execution (``data`` + ``figures`` + papermill);
- ``html``: nbconvert's export and the page around it;
- ``pdf``: the Typst document from the executed notebook and its compilation (PDF/UA-1);
- ``total``: the unit's whole render (including writing the files).

As in a batch, the parent warms up and takes the store's read-only copy of the units' data
(`store.snapshot`) before it forks. Stages are timed by wrapping the render functions' module attributes in the forked child only:
the render code carries no timing hook and costs nothing when not benchmarked. CPU time is
`time.process_time` of the child (user + system), undisturbed by other processes on the machine.

Run alone: ``python -m tools.bench_stages --db outputs/hme.duckdb --units R,R.HSF.KIR``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import pickle
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

STAGES = ("data", "figures", "notebook", "html", "pdf", "total")
FIGURES = {"hme_core.report.charts": ("index_comparison", "stoplight", "enps"),
           "hme_core.report.to_html": ("chart_svg",), "hme_core.report.to_typst": ("chart_svg",)}


def _timed(func: Callable, totals: dict, stage: str, depth: list[int]) -> Callable:
    """`func` adding its CPU seconds to `totals[stage]` (outermost call only, so nested timed
    calls of the same stage are not counted twice)."""

    def wrapper(*args, **kwargs):
        depth[0] += 1
        t0 = time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                totals[stage] += time.process_time() - t0

    return wrapper


def _instrument(totals: dict) -> None:
    """Wrap the figure functions and the render stages (in this process only)."""
    import importlib

    from hme_core.render import notebook as render

    fig_depth = [0]
    for module_name, names in FIGURES.items():
        module = importlib.import_module(module_name)
        for name in names:
            setattr(module, name, _timed(getattr(module, name), totals, "figures", fig_depth))
    render.execute_notebook = _timed(render.execute_notebook, totals, "notebook", [0])
    render.notebook_body = _timed(render.notebook_body, totals, "html", [0])
    render.page = _timed(render.page, totals, "html", [0])
    render.write_pdf = _timed(render.write_pdf, totals, "pdf", [0])


def _render_one(job) -> dict[str, float]:
    from hme_core.batch.jobs import render_unit

    totals: dict[str, float] = defaultdict(float)
    _instrument(totals)
    t0 = time.process_time()
    outcome = render_unit(job)
    totals["total"] = time.process_time() - t0
    if not outcome.ok:
        raise RuntimeError(f"{job.unit}: {outcome.error}")
    totals["data"] = totals["notebook"] - totals["figures"]
    return {s: float(totals[s]) for s in STAGES}


def _in_fork(func: Callable, arg) -> dict[str, float]:
    """`func(arg)` in a forked child (a fresh copy of the warmed-up parent); its result."""
    from hme_core.batch.forkpool import CHILD_GC_THRESHOLD

    with tempfile.NamedTemporaryFile(suffix=".pkl", delete=False) as fh:
        path = fh.name
    pid = os.fork()
    if pid == 0:  # child, collecting as the fork pool's children do
        gc.set_threshold(*CHILD_GC_THRESHOLD)
        code = 1
        try:
            result = func(arg)
            with open(path, "wb") as out:
                pickle.dump(result, out)
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    try:
        if status != 0:
            raise RuntimeError(f"stage_cpu: rendering {getattr(arg, 'unit', arg)} failed")
        with open(path, "rb") as fh:
            return pickle.load(fh)
    finally:
        os.unlink(path)


def stage_cpu(db: str | Path, units: list[str], params: str | Path | None = None,
              outputs: str | Path | None = None, year: int = 2025,
              lang: str = "sv") -> dict[str, float]:
    """Median CPU seconds per unit of each stage in `STAGES`, over `units` (rendered into
    `outputs`/stage_cpu, HTML and PDF, with the settings of `params`)."""
    if params is not None:
        os.environ["HME_PARAMS"] = str(params)
    if outputs is not None:
        os.environ["HME_OUTPUTS"] = str(outputs)
    os.environ.setdefault("MPLBACKEND", "Agg")
    from hme_core.batch.jobs import UnitJob
    from hme_core.batch.run import read_units
    from hme_core.orgtree import Tree
    from hme_core.paths import notebooks_dir, outputs_dir
    from hme_core.render.notebook import warm_up
    from hme_core.store.duckdb_store import Store
    from hme_core.store.snapshot import take_snapshot

    with Store.open(Path(db), read_only=True) as store:
        org = store.load_org(year)
    names = org.set_index("unit")["name"].astype(str).to_dict()
    warm_up()  # as the batch's parent does before forking
    # and its read-only copy of what the reports read: `hme reports --year Y` renders every
    # unit, so its copy holds every unit's rows (the top report reads them all)
    take_snapshot(Path(db), read_units(Tree(org), org["unit"].astype(str).tolist()))
    out = Path(outputs) if outputs is not None else outputs_dir()
    gc.collect()
    gc.freeze()  # as the fork pool: the children never walk the parent's objects
    per_stage: dict[str, list[float]] = defaultdict(list)
    for unit in units:
        job = UnitJob(year=year, unit=unit, name=names.get(unit, unit),
                      folder=out / "stage_cpu" / unit.replace("/", "_"), lang=lang, db=Path(db),
                      formats=("html", "pdf"), notebook=notebooks_dir() / "unit_report.ipynb")
        result = _in_fork(_render_one, job) if hasattr(os, "fork") else _render_one(job)
        for stage, seconds in result.items():
            per_stage[stage].append(seconds)
    return {s: round(statistics.median(per_stage[s]), 3) for s in STAGES}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--units", required=True, help="comma-separated unit ids")
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--repeat", type=int, default=1, help="render each unit this many times")
    args = ap.parse_args(argv)
    units = [u for u in args.units.split(",") if u] * args.repeat
    print(json.dumps(stage_cpu(args.db, units, os.environ.get("HME_PARAMS"),
                               os.environ.get("HME_OUTPUTS"), year=args.year), indent=1))


if __name__ == "__main__":
    main()
