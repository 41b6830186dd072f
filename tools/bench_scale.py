"""Scale benchmarks: costs that must grow linearly with the size of the organisation.

`run(workdir)` measures, in one run on generated data:
- disclosure: all results of a year (`results.tables.year_results`: scoring, primary and
  secondary suppression with its audit, every table) for a region-scale tree of small units
  (leaves of ~12 respondents, sex and role breakdowns), plus the growth at ~1k / 4k / 16k units;
  each size in a fresh subprocess, with its CPU seconds and peak resident memory;
- big organisation: `hme ingest` of a 50,000-unit tree (CSV files as a user has them) and
  `hme reports --units CODE` of one unit in it (the report notebook plus the index page: a row
  per unit in its list, its organisation heat map the upper levels only; wall and CPU seconds);
- deep tree: `hme ingest` of a chain 5,000 levels deep.
Ingest and report run through the real CLI in subprocesses; peak memory is each child's
`ru_maxrss`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

BIN = Path(sys.executable).parent
ITEMS = [f"hme{i}" for i in range(1, 10)]


# --------------------------------------------------------------------------- generated data


def region_tree(units: int, seed: int = 7) -> pd.DataFrame:
    """A region-like tree of about `units` units over 5 levels; ~94 % of the units are leaves
    (workplaces), each level ~10x the one above (about 16 leaves per level-4 unit)."""
    rng = np.random.default_rng(seed)
    leaves = max(8, round(units * 16 / 17.1))
    sizes = [1, max(2, leaves // 1600), max(3, leaves // 180), max(4, leaves // 16), leaves]
    codes, parents, previous = ["R"], [None], ["R"]
    for depth, count in enumerate(sizes[1:], start=2):
        current = [f"E{depth}-{i:05d}" for i in range(count)]
        # every unit above gets at least one child, the rest at random
        up = np.concatenate([np.arange(len(previous)),
                             rng.integers(0, len(previous), count - len(previous))])
        codes += current
        parents += [previous[i] for i in up[:count]]
        previous = current
    names = [f"Enhet {c}" for c in codes]
    return pd.DataFrame({"unit": codes, "name": names, "parent": parents}).astype("string")


def region_respondents(org: pd.DataFrame, seed: int = 7, per_leaf: float = 12.0,
                       direct_share: float = 0.3) -> pd.DataFrame:
    """Respondents in the canonical response shape: ~`per_leaf` (Poisson) per leaf, 1-3 coded
    directly to `direct_share` of the non-leaf units; sex (a few missing), role (7 % chef)."""
    rng = np.random.default_rng(seed)
    nonleaf = set(org["parent"].dropna())
    leaves = np.array([u for u in org["unit"] if u not in nonleaf])
    inner = np.array(sorted(nonleaf))
    direct = inner[rng.random(len(inner)) < direct_share]
    units = np.concatenate([np.repeat(leaves, rng.poisson(per_leaf, len(leaves))),
                            np.repeat(direct, rng.integers(1, 4, len(direct)))])
    n = len(units)
    s = "string"
    sex = rng.choice(np.array(["kvinna", "man", None], dtype=object), n, p=[0.74, 0.24, 0.02])
    df = pd.DataFrame({
        "source_row": np.arange(n) + 2, "respondent_id": pd.array([None] * n, dtype=s),
        "unit": pd.array(units, dtype=s), "sex": pd.array(sex, dtype=s),
        "role": pd.array(rng.choice(["chef", "medarbetare"], n, p=[0.07, 0.93]), dtype=s),
        "profession": pd.array([None] * n, dtype=s), "age_group": pd.array([None] * n, dtype=s)})
    base = rng.normal(0, 1, n)
    for item in ITEMS:
        codes = np.clip(np.round(3.8 + 0.8 * base + rng.normal(0, 0.8, n)), 1, 5)
        codes[rng.random(n) < 0.03] = np.nan
        df[item] = pd.array(codes, dtype="Int16")
    df["enps"] = pd.array(np.clip(np.round(7 + 2 * base + rng.normal(0, 1.5, n)), 0, 10),
                          dtype="Int16")
    return df


def region_headcounts(org: pd.DataFrame, responses: pd.DataFrame, year: int) -> pd.DataFrame:
    counts = responses["unit"].value_counts()
    units = counts.index.astype(str)
    return pd.DataFrame({"unit": units, "year": year,
                         "employees": np.ceil(counts.to_numpy() * 1.25).astype(int)})


def big_org_tree(units: int = 50_051) -> pd.DataFrame:
    """A wide organisation: root, 50 administrations, 2,000 areas, the rest workplaces."""
    sizes = [1, 50, 2_000]
    sizes.append(max(1, units - sum(sizes)))
    codes, parents, previous = ["R"], [None], ["R"]
    for depth, count in enumerate(sizes[1:], start=2):
        current = [f"{previous[i % len(previous)]}.{depth}{i:05d}" for i in range(count)]
        codes += current
        parents += [previous[i % len(previous)] for i in range(count)]
        previous = current
    return pd.DataFrame({"unit": codes, "name": [f"Enhet {i}" for i in range(len(codes))],
                         "parent": parents})


def chain_tree(levels: int = 5_000) -> pd.DataFrame:
    """A tree `levels` deep: every unit the only child of the one above."""
    codes = [f"D{i:05d}" for i in range(levels)]
    return pd.DataFrame({"unit": codes, "name": [f"Nivå {i + 1}" for i in range(levels)],
                         "parent": [None, *codes[:-1]]})


def write_inputs(folder: Path, org: pd.DataFrame, per_leaf: float, year: int = 2025,
                 seed: int = 3, everywhere: bool = False) -> dict[str, Path]:
    """CSV files as HR and the survey vendor deliver them (';', UTF-8 with BOM, Swedish
    labels): org tree, responses (~`per_leaf` per leaf, or per unit with `everywhere`) and
    head counts. Returns their paths and the number of respondents."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    nonleaf = set(org["parent"].dropna())
    where = org["unit"].to_numpy() if everywhere else np.array(
        [u for u in org["unit"] if u not in nonleaf])
    units = np.repeat(where, rng.poisson(per_leaf, len(where)))
    n = len(units)
    base = rng.normal(0, 1, n)
    answers = {item: np.clip(np.round(3.8 + 0.8 * base + rng.normal(0, 0.8, n)), 1, 5)
               for item in ITEMS}
    enps = np.clip(np.round(7 + 2 * base + rng.normal(0, 1.5, n)), 0, 10)
    responses = pd.DataFrame({
        "respondent_id": [f"{year}-{i:07d}" for i in range(n)], "unit": units,
        "sex": rng.choice(["Kvinna", "Man"], n, p=[0.75, 0.25]),
        "role": rng.choice(["Chef", "Medarbetare"], n, p=[0.07, 0.93]),
        **{k: v.astype(int) for k, v in answers.items()}, "enps": enps.astype(int)})
    counts = responses["unit"].value_counts()
    headcount = pd.DataFrame({"unit": counts.index, "year": year,
                              "employees": np.ceil(counts.to_numpy() * 1.3).astype(int)})
    paths = {"org": folder / "org.csv", "responses": folder / "responses.csv",
             "headcount": folder / "headcount.csv"}
    for key, frame in (("org", org), ("responses", responses), ("headcount", headcount)):
        frame.to_csv(paths[key], sep=";", index=False, encoding="utf-8-sig",
                     quoting=csv.QUOTE_MINIMAL)
    return {**paths, "respondents": n}


# --------------------------------------------------------------------------- disclosure


def disclosure_once(units: int) -> dict:
    """All results of a year for a generated tree of ~`units` units, in this process."""
    from hme_core.config import load_settings
    from hme_core.instruments import load_instruments
    from hme_core.results.tables import year_results

    org = region_tree(units)
    df = region_respondents(org)
    hc = region_headcounts(org, df, 2025)
    ins, settings = load_instruments(), load_settings()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.process_time()
    w0 = time.perf_counter()
    tables = year_results(df, org, hc, ins, settings, 2025)
    seconds = time.process_time() - t0
    wall = time.perf_counter() - w0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scores = tables["scores"]
    return {"units": len(org), "respondents": len(df), "seconds": round(seconds, 2),
            "wall_seconds": round(wall, 2), "peak_mib": round(peak / 1024, 1),
            "data_mib": round(before / 1024, 1),
            "secondary": int((scores["suppression"] == "secondary").sum()),
            "primary": int((scores["suppression"] == "primary").sum())}


#: BLAS threads of the disclosure runs: the audit factors thousands of small dense blocks, where
#: a second BLAS thread only spins (CPU seconds of the 17k-unit year: 19 with two, 9 with one).
SINGLE_BLAS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def disclosure(units: int, env: dict | None = None) -> dict:
    """`disclosure_once` in a fresh interpreter, so that its peak memory is its own."""
    proc = subprocess.run([sys.executable, "-m", "tools.bench_scale", "--disclosure-once",
                           str(units)], capture_output=True, text=True,
                          env={**os.environ, **(SINGLE_BLAS if env is None else env)})
    if proc.returncode:
        raise RuntimeError(f"disclosure at {units} units failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _timed(cmd: list[str], env: dict, timeout: float | None = None) -> dict:
    """Run a CLI command; its wall and CPU seconds and peak resident memory (MiB). Past
    `timeout` seconds it is stopped and recorded as {"timed_out": true, "seconds": timeout}."""
    timer = ["/usr/bin/time", "-f", "%M %U %S"] if Path("/usr/bin/time").exists() else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(timer + cmd, env={**os.environ, **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the command and everything it started
        proc.communicate()
        return {"seconds": timeout, "cpu_seconds": None, "peak_mib": None, "timed_out": True}
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr[-3000:]}")
    if timer:
        peak_kib, user, system = stderr.strip().splitlines()[-1].split()
        peak, cpu = float(peak_kib) / 1024, float(user) + float(system)
    else:  # the largest child so far: an upper bound of this one's peak
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak = after.ru_maxrss / 1024
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"seconds": round(wall, 1), "cpu_seconds": round(cpu, 1), "peak_mib": round(peak, 1)}


def _ingest(inputs: dict, db: Path, env: dict) -> dict:
    db.unlink(missing_ok=True)
    return _timed([str(BIN / "hme"), "ingest", str(inputs["responses"]), "--year", "2025",
                   "--org", str(inputs["org"]), "--headcount", str(inputs["headcount"]),
                   "--db", str(db)], env)


def run(workdir: Path, disclosure_units: int = 17_464,
        growth: tuple[int, ...] = (1_000, 4_000, 16_000), big_units: int = 50_051,
        big_respondents: int = 150_575, deep_levels: int = 5_000,
        report_timeout: float = 180.0) -> dict:
    """All scale measurements; returns the keys `tools.bench` records (see module docstring).
    The one-unit report is stopped after `report_timeout` seconds (recorded as timed out)."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    env = {"HME_OUTPUTS": str(workdir / "outputs"), "HME_PARAMS": str(workdir / "params"),
           "MPLBACKEND": "Agg"}
    if not (workdir / "params").exists():
        from hme_core.paths import REPO_ROOT

        shutil.copytree(REPO_ROOT / "params", workdir / "params",
                        ignore=shutil.ignore_patterns("narratives"))
    out: dict = {}
    main = disclosure(disclosure_units)
    out |= {"disclosure_units": main["units"], "disclosure_respondents": main["respondents"],
            "disclosure_seconds": main["seconds"], "disclosure_wall_seconds": main["wall_seconds"],
            "disclosure_peak_mib": main["peak_mib"],
            "disclosure_growth": [{k: r[k] for k in ("units", "respondents", "seconds", "peak_mib")}
                                  for r in map(disclosure, growth)]}
    org = big_org_tree(big_units)
    leaves = len(org) - org["parent"].nunique()
    big = write_inputs(workdir / "big", org, big_respondents / leaves)
    ingest = _ingest(big, workdir / "big.duckdb", env)
    unit = org.loc[org["unit"].str.count(r"\.") == 2, "unit"].iloc[0]  # an area with units below
    report = _timed([str(BIN / "hme"), "reports", "--year", "2025", "--units", unit,
                     "--db", str(workdir / "big.duckdb"), "--workers", "1", "--force"], env,
                    timeout=report_timeout)
    out |= {"big_org_units": len(org), "big_org_respondents": big["respondents"],
            "big_org_ingest_seconds": ingest["seconds"],
            "big_org_ingest_cpu_seconds": ingest["cpu_seconds"],
            "big_org_ingest_peak_mib": ingest["peak_mib"],
            "big_org_one_report_unit": unit,
            "big_org_one_report_seconds": report["seconds"],
            "big_org_one_report_cpu_seconds": report["cpu_seconds"],
            "big_org_one_report_peak_mib": report["peak_mib"],
            "big_org_one_report_timed_out": bool(report.get("timed_out"))}
    deep = write_inputs(workdir / "deep", chain_tree(deep_levels), 2.0, everywhere=True)
    ingest = _ingest(deep, workdir / "deep.duckdb", env)
    out |= {"deep_tree_levels": deep_levels, "deep_tree_respondents": deep["respondents"],
            "deep_tree_ingest_seconds": ingest["seconds"],
            "deep_tree_ingest_cpu_seconds": ingest["cpu_seconds"],
            "deep_tree_ingest_peak_mib": ingest["peak_mib"]}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--disclosure-once", type=int)
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args(argv)
    if args.disclosure_once:
        print(json.dumps(disclosure_once(args.disclosure_once)))
        return 0
    from hme_core.paths import outputs_dir

    workdir = args.workdir or outputs_dir() / "bench" / "scale"
    results = run(workdir)
    (workdir / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
