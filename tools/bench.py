"""`make bench`: measured numbers for the batch and for scoring, written to outputs/bench/.

In one run, on the demo data:
- baseline: what a user does without us, per unit: the `papermill` CLI, then
  `jupyter nbconvert --to html --no-input`, then HTML -> PDF with weasyprint's CLI. Measured
  serially on a sample of units and scaled to the batch size (recorded as such);
- naive with our exporter (for information): the same loop with the PDF made by
  `jupyter nbconvert --to hme-pdf` (Typst) instead of WeasyPrint (`baseline_typst_*`);
- ours: `hme reports` for the same units and formats (fresh render, --force);
- incremental: one unit's narrative changed, the same batch run again;
- scoring: the scoring with rollup (`results.score_table`) of 1,000,000 generated respondents
  over a 5-level tree, plus, for information, all stored results (`year_results`);
- the strongest peer (`tools.bench_peers`): papermill's Python API in a process pool of as many
  processes as cores, nbconvert's HTMLExporter, WeasyPrint's API, against `hme reports` on the
  same sample of units (`pool_ratio`), and `hme reports` on a real dask scheduler with two
  workers (units per minute);
- CPU per stage of one unit's render (`tools.bench_stages`), median over a leaf, an area, the top;
- scale (`tools.bench_scale`): disclosure at region scale and its growth, a 50,000-unit
  organisation's ingest and one report, a 5,000-level tree's ingest.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from hme_core.paths import REPO_ROOT, notebooks_dir, outputs_dir

BIN = Path(sys.executable).parent


def _run(cmd: list[str], env: dict | None = None) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return seconds, proc.stderr + proc.stdout


def _children_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def prepare(root: Path, env: dict) -> Path:
    demo, db = root / "demo", root / "private" / "hme.duckdb"
    db.unlink(missing_ok=True)
    _run([str(BIN / "hme"), "demo-data", "--out", str(demo), "--years", "2024,2025"], env)
    for year in (2024, 2025):
        _run([str(BIN / "hme"), "ingest", str(demo / f"responses_{year}.csv"), "--year", str(year),
              "--org", str(demo / f"org_{year}.csv"), "--headcount", str(demo / "headcount.csv"),
              "--db", str(db)], env)
    return db


def pick_units(db: Path, count: int) -> list[str]:
    from hme_core.orgtree import tree_order
    from hme_core.store.duckdb_store import Store

    with Store.open(db, read_only=True) as store:
        return tree_order(store.load_org(2025))[:count]


def baseline(db: Path, units: list[str], work: Path, env: dict, pdf: str = "weasyprint"
             ) -> list[float]:
    """Seconds per unit of papermill CLI + nbconvert CLI + a PDF, run serially: weasyprint's
    CLI on the HTML (`pdf="weasyprint"`, what a user has without us), or our nbconvert
    exporter on the executed notebook (`pdf="hme-pdf"`, Typst)."""
    per_unit = []
    for unit in units:
        out = work / re.sub(r"[^A-Za-z0-9]+", "_", unit)
        out.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        _run([str(BIN / "papermill"), str(notebooks_dir() / "unit_report.ipynb"),
              str(out / "report.ipynb"), "-p", "year", "2025", "-p", "unit", unit,
              "-p", "db", str(db), "-p", "lang", "sv", "--no-progress-bar"], env)
        _run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
              str(out / "report.ipynb")], env)
        if pdf == "weasyprint":
            _run([str(BIN / "weasyprint"), str(out / "report.html"), str(out / "report.pdf")],
                 env)
        else:  # by name if the package is installed, else by class (same exporter)
            _run([str(BIN / "jupyter"), "nbconvert", "--to", _exporter_name(),
                  str(out / "report.ipynb")], env)
        per_unit.append(time.perf_counter() - t0)
    return per_unit


def _exporter_name() -> str:
    """`hme-pdf` where the entry point is installed, else the exporter's class path."""
    from importlib.metadata import entry_points

    names = {ep.name for ep in entry_points(group="nbconvert.exporters")}
    return "hme-pdf" if "hme-pdf" in names else "hme_core.render.pdf.TypstPDFExporter"


def _rendered(output: str) -> int:
    m = re.search(r"Rendered (\d+) of (\d+)", output)
    return int(m.group(1)) if m else -1


def ours(db: Path, units: list[str], env: dict, force: bool, workers: int) -> tuple[float, int]:
    cmd = [str(BIN / "hme"), "reports", "--year", "2025", "--units", ",".join(units),
           "--formats", "html,pdf", "--workers", str(workers), "--db", str(db)]
    seconds, out = _run(cmd + (["--force"] if force else []), env)
    return seconds, _rendered(out)


def generated_respondents(n: int = 1_000_000, seed: int = 1):
    """n respondents over a 5-level tree (1 + 10 + 60 + 300 + 1,500 units), answers 1-5."""
    rng = np.random.default_rng(seed)
    units, parents, previous = ["R"], [None], ["R"]
    for depth, count in enumerate([10, 60, 300, 1500], start=2):
        current = [f"L{depth}_{i}" for i in range(count)]
        units += current
        parents += list(rng.choice(previous, size=count))
        previous = current
    org = pd.DataFrame({"unit": units, "name": units, "parent": parents}).astype("string")
    leaves = np.array(previous)
    s = "string"
    df = pd.DataFrame({
        "source_row": np.arange(n) + 2, "respondent_id": pd.array([None] * n, dtype=s),
        "unit": pd.array(leaves[rng.integers(0, len(leaves), n)], dtype=s),
        "sex": pd.array(rng.choice(["kvinna", "man"], n), dtype=s),
        "role": pd.array(rng.choice(["chef", "medarbetare"], n, p=[0.07, 0.93]), dtype=s),
        "profession": pd.array([None] * n, dtype=s), "age_group": pd.array([None] * n, dtype=s)})
    base = rng.normal(0, 1, n)
    for i in range(1, 10):
        codes = np.clip(np.round(3.8 + 0.8 * base + rng.normal(0, 0.8, n)), 1, 5)
        codes[rng.random(n) < 0.02] = np.nan
        df[f"hme{i}"] = pd.array(codes, dtype="Int16")
    df["enps"] = pd.array(np.clip(np.round(7 + 2 * base + rng.normal(0, 1.5, n)), 0, 10),
                          dtype="Int16")
    hc = pd.DataFrame({"unit": leaves, "year": 2025, "employees": 800})
    return df, org, hc


def scoring(n: int) -> dict:
    from hme_core.config import load_settings
    from hme_core.instruments import load_instruments
    from hme_core.results.tables import score_table, year_results

    df, org, hc = generated_respondents(n)
    ins, settings = load_instruments(), load_settings()
    out = {"scoring_respondents": n, "scoring_units": len(org)}
    for key, fn in (("scoring", lambda: score_table(df, org, hc, ins, settings, 2025)),
                    ("all_results", lambda: year_results(df, org, hc, ins, settings, 2025))):
        t0 = time.perf_counter()  # timed without tracemalloc, which slows allocation down
        fn()
        out[f"{key}_seconds"] = round(time.perf_counter() - t0, 3)
        tracemalloc.start()  # a second run for the peak memory the computation adds
        fn()
        out[f"{key}_peak_mib"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    return out


def peers(db: Path, units: list[str], count: int, workers: int, root: Path, env: dict) -> dict:
    """The analyst's process-pool script, `hme reports` and a real dask cluster, each on the
    same sample of units (HTML + PDF), each into its own folder."""
    from tools.bench_peers import cluster_units_per_minute, peer_pool

    sample = units[:: max(1, len(units) // count)][:count]
    out = peer_pool(db, sample, env, root / "peer")
    ours_env = {**env, "HME_OUTPUTS": str(root / "ours-sample")}
    ours_seconds, _ = ours(db, sample, ours_env, force=True, workers=workers)
    out |= {"pool_ratio_units": len(sample), "pool_ours_seconds": round(ours_seconds, 1),
            "pool_ratio": round(out["peer_pool_seconds"] / ours_seconds, 2)}
    out |= cluster_units_per_minute(db, sample, {**env, "HME_OUTPUTS": str(root / "cluster")})
    return out


STAGE_REPEATS = 3  # renders of each picked unit: a median of 9 fresh forks, not of 3


def stage_cpu_per_unit(db: Path, units: list[str], params: Path, root: Path) -> dict:
    """Median CPU seconds per stage over a leaf, an area and the top unit, each rendered
    `STAGE_REPEATS` times in a fresh fork of one warmed parent (a fresh process)."""
    from hme_core.orgtree import levels
    from hme_core.store.duckdb_store import Store

    with Store.open(db, read_only=True) as store:
        level = levels(store.load_org(2025))
    picks = [min(units, key=lambda u: level[u]), next(u for u in units if level[u] == 2),
             max(units, key=lambda u: level[u])]
    code = ("import json,sys; from tools.bench_stages import stage_cpu; "
            "print(json.dumps(stage_cpu(sys.argv[1], sys.argv[2].split(','), sys.argv[3], "
            "sys.argv[4])))")
    _, output = _run([sys.executable, "-c", code, str(db),
                      ",".join(list(dict.fromkeys(picks)) * STAGE_REPEATS),
                      str(params), str(root / "stages")], {"MPLBACKEND": "Agg"})
    return json.loads(output.strip().splitlines()[-1])


def suppression_vs_optimum(trees: int = 60) -> dict:
    """Secondary suppression: the heuristic against the exact optimum on `trees` small generated
    trees (`hme_core.demo.small_trees`): `suppression_excess_vs_optimum` (mean relative excess
    of n-weighted hidden cells), `units_ge10_blanked` and `units_ge10_blanked_optimum` (units
    with >= 10 answers whose total is hidden, by each). Production decides at the optimum up to
    `partitioned.EXACT_LIMIT` candidate cells, window by window above (measured here with windows cut small)."""
    from hme_core.demo.small_trees import small_tree
    from hme_core.disclosure.partitioned import compare_with_optimum

    start = time.perf_counter()
    out = compare_with_optimum([small_tree(seed)[1:] for seed in range(trees)])
    return out | {"suppression_compare_seconds": round(time.perf_counter() - start, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=100)
    ap.add_argument("--baseline-sample", type=int, default=8)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--respondents", type=int, default=1_000_000)
    ap.add_argument("--peer-units", type=int, default=20,
                    help="units of the peer and cluster comparisons (a sample of the batch)")
    ap.add_argument("--no-scale", action="store_true", help="skip tools.bench_scale (~5 min)")
    args = ap.parse_args(argv)
    root = outputs_dir() / "bench"
    shutil.rmtree(root, ignore_errors=True)
    params = root / "params"
    shutil.copytree(REPO_ROOT / "params", params, ignore=shutil.ignore_patterns("narratives"))
    env = {"HME_PARAMS": str(params), "HME_OUTPUTS": str(root / "outputs"), "MPLBACKEND": "Agg"}
    db = prepare(root, env)
    units = pick_units(db, args.units)
    sample = units[:: max(1, len(units) // args.baseline_sample)][: args.baseline_sample]
    _run([str(BIN / "hme"), "narratives", "init", "--year", "2025", "--db", str(db)], env)
    per_unit = baseline(db, sample, root / "baseline", env)
    per_unit_typst = baseline(db, sample, root / "baseline_typst", env, pdf="hme-pdf")
    batch_seconds, batch_rendered = ours(db, units, env, force=True, workers=args.workers)
    batch_peak = _children_peak_mib()
    from hme_core.store.duckdb_store import Store
    from hme_core.unit_files import narrative_path, unit_folders

    with Store.open(db, read_only=True) as store:
        org = store.load_org(2025)
    narrative = narrative_path(2025, units[-1], unit_folders(org), params)
    with narrative.open("a", encoding="utf-8") as fh:  # an HR partner's edit
        fh.write("\n## Vad är viktigt att bevara?\n\nVårt samarbete på arbetsplatsträffarna.\n")
    inc_seconds, inc_rendered = ours(db, units, env, force=False, workers=args.workers)
    baseline_seconds = float(np.mean(per_unit)) * len(units)
    results = {
        "units": len(units),
        "cores": os.cpu_count(),
        "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "baseline_seconds": round(baseline_seconds, 1),
        "baseline_measured_units": len(sample),
        "baseline_seconds_per_unit": round(float(np.mean(per_unit)), 2),
        "batch_seconds": round(batch_seconds, 1),
        "batch_units_rendered": batch_rendered,
        "batch_ratio": round(baseline_seconds / batch_seconds, 2),
        "batch_units_per_minute": round(60 * len(units) / batch_seconds, 1),
        "baseline_units_per_minute": round(60 / float(np.mean(per_unit)), 1),
        "baseline_typst_seconds_per_unit": round(float(np.mean(per_unit_typst)), 2),
        "batch_ratio_vs_baseline_typst": round(float(np.mean(per_unit_typst)) * len(units)
                                               / batch_seconds, 2),
        "batch_peak_mib": round(batch_peak, 1),
        "incremental_seconds": round(inc_seconds, 1),
        "incremental_units_rendered": inc_rendered,
        "workers": args.workers,
    }
    results |= peers(db, units, args.peer_units, args.workers, root, env)
    results["stage_cpu_per_unit"] = stage_cpu_per_unit(db, units, params, root)
    results |= scoring(args.respondents)
    results |= suppression_vs_optimum()
    if not args.no_scale:
        from tools.bench_scale import run as scale

        results |= scale(root / "scale")
    (root / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    width = max(map(len, results))
    print("\n".join(f"{k:<{width}}  {v}" for k, v in results.items()))
    print(f"\nWritten to {root / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
