"""Scale benchmarks: costs that must grow linearly with the organisation (issue 14).

`run(workdir)` measures, in one run on generated data:
- disclosure: all results of a year (`results.tables.year_results`: scoring, primary and
  secondary suppression with its audit, every table) for a region-scale tree of small units
  (leaves of ~12 respondents, sex and role breakdowns), plus the growth at ~1k / 4k / 16k units;
  each size in a fresh subprocess, with its CPU seconds and peak resident memory;
- big organisation: `hme ingest` of a 50,000-unit tree (CSV files as a user has them) and
  `hme reports --units CODE` of one unit in it (the report notebook plus the index page);
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


def disclosure(units: int) -> dict:
    """`disclosure_once` in a fresh interpreter, so that its peak memory is its own."""
    proc = subprocess.run([sys.executable, "-m", "tools.bench_scale", "--disclosure-once",
                           str(units)], capture_output=True, text=True, env=dict(os.environ))
    if proc.returncode:
        raise RuntimeError(f"disclosure at {units} units failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--disclosure-once", type=int)
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args(argv)
    if args.disclosure_once:
        print(json.dumps(disclosure_once(args.disclosure_once)))
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
