"""Helpers shared by the tests: response tables from plain rows, and small stores.

`build_store` makes a two-year store for report tests; expected numbers worked out by hand:

Tree: R (region) -> A (area, with 5 respondents of its own) -> a1 (12 respondents), a2 (3).

2025, every respondent answers all nine HME statements with one code:
  a1: 8 x code 4 (75) and 4 x code 2 (25) -> each statement (8*75 + 4*25)/12 = 58.33 -> HME 58,3
      eNPS: 8 x 9 (promoters), 4 x 6 (detractors) -> 66.67 % - 33.33 % = 33,3
  a2: 3 x code 1 -> below min_n_index 5: suppressed
  A direct: 5 x code 5 (100)
  A subtree: (8*75 + 4*25 + 3*0 + 5*100)/20 = 1200/20 = 60,0 (n 20)
2024: a1 has 12 x code 3 (50) -> change +8,3 ▲; everyone else as in 2025.
Head counts: a1 15, a2 6, A 5 -> a1 response rate 12/15 = 80,0 %.

`synthetic_store` makes a region of leaf units for the research tests.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pandas as pd

from hme_core.config import Settings
from hme_core.instruments import load_instruments
from hme_core.results.pipeline import ingest_files
from hme_core.results.tables import year_results
from hme_core.store.duckdb_store import Store


def make_responses(rows: list[dict]) -> pd.DataFrame:
    """A canonical response table from dicts of unit and item codes (None = missing)."""
    df = pd.DataFrame(rows)
    for col in df.columns:
        if col.startswith(("hme", "hse", "enps")):
            df[col] = pd.array(df[col].tolist(), dtype="Int16")
        else:
            df[col] = df[col].astype("string")
    return df


def hme_row(unit: str, codes, **extra) -> dict:
    """One respondent answering hme1..hme9 with `codes` (a list of 9, None = skipped)."""
    return {"unit": unit, **{f"hme{i + 1}": c for i, c in enumerate(codes)}, **extra}


ORG = "unit;name;parent\nR;Region Test;\nA;Område Å;R\na1;Avdelning 1;A\na2;Avdelning 2 \"Öst\";A\n"
HEADCOUNT = "unit;year;employees\na1;2024;15\na2;2024;6\nA;2024;5\na1;2025;15\na2;2025;6\nA;2025;5\n"


def _responses(year: int) -> str:
    head = "respondent_id;unit;sex;role;" + ";".join(f"hme{i}" for i in range(1, 10)) + ";enps"
    rows, k = [head], 0

    def add(unit, code, enps, sex="Kvinna", role="Medarbetare"):
        nonlocal k
        k += 1
        rows.append(f"{year}-{k};{unit};{sex};{role};" + ";".join([str(code)] * 9) + f";{enps}")

    if year == 2025:
        for i in range(8):
            add("a1", 4, 9, sex="Kvinna" if i % 2 else "Man")
        for i in range(4):
            add("a1", 2, 6, sex="Kvinna" if i % 2 else "Man")
    else:
        for _ in range(12):
            add("a1", 3, 8)
    for _ in range(3):
        add("a2", 1, 2)
    for _ in range(5):  # not all "Chef": a role breakdown of A would isolate this group, and
        add("A", 5, 10)  # then a2 = A - a1 - direct by subtraction (secondary suppression)
    return "\n".join(rows) + "\n"


def build_store(folder: Path) -> Path:
    """Write the input files, ingest both years, return the database path."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "hme.duckdb"
    (folder / "org.csv").write_text(ORG, encoding="utf-8")
    (folder / "hc.csv").write_text(HEADCOUNT, encoding="utf-8")
    for year in (2024, 2025):
        (folder / f"r{year}.csv").write_text(_responses(year), encoding="utf-8")
        ingest_files(db, folder / f"r{year}.csv", year, folder / "org.csv", folder / "hc.csv")
    return db


def store_year(db: Path, year: int, org: pd.DataFrame, responses: pd.DataFrame,
               headcounts: pd.DataFrame | None = None) -> None:
    """Score a year with the default settings and write it into the store at `db`."""
    results = year_results(responses, org, headcounts, load_instruments(), Settings(), year)
    with Store.open(db) as store:
        store.ingest(year, responses, org, headcounts, results)


def synthetic_store(db: Path, years=(2024, 2025), n_units: int = 12, per_unit: int = 8,
                    seed: int = 7) -> pd.DataFrame:
    """Region R with `n_units` leaf units of `per_unit` respondents whose answers follow a unit
    engagement level; plus unit U00 with only 3 respondents (suppressed). Returns the outcomes
    (sick leave falls with engagement) in long form."""
    rng = np.random.default_rng(seed)
    units = [f"U{i:02d}" for i in range(n_units + 1)]
    org = pd.DataFrame({"unit": ["R", *units], "name": ["Region", *units],
                        "parent": [None, *["R"] * len(units)]}).astype("string")
    level = rng.normal(0, 0.6, len(units))
    outcomes = []
    for t, year in enumerate(years):
        rows = []
        for u, unit in enumerate(units):
            size = 3 if unit == "U00" else per_unit
            for _ in range(size):
                person = level[u] + 0.1 * t + rng.normal(0, 0.7)
                codes = np.clip(np.round(3.8 + person + rng.normal(0, 0.6, 9)), 1, 5).astype(int)
                rows.append(hme_row(unit, codes.tolist(), sex="kvinna" if rng.random() < 0.7 else "man"))
        store_year(db, year, org, make_responses(rows))
        sick = 6 - 1.5 * level + rng.normal(0, 0.5, len(units))
        outcomes.append(pd.DataFrame({"unit": units, "year": year, "indicator": "sick_leave_rate",
                                      "value": sick.round(2), "unit_of_measure": "%"}))
    return pd.concat(outcomes, ignore_index=True)


def write_outcomes_csv(path: Path, outcomes: pd.DataFrame) -> Path:
    """As Swedish exports: `;`, decimal comma, UTF-8 with BOM."""
    outcomes.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig")
    return path


def page_fill(pdf: Path, dpi: int = 30, top_mm: float = 22, bottom_mm: float = 20) -> list[float]:
    """Per page of `pdf`, how far down its content area the content reaches (0 empty, 1 full).

    Pages are rasterised with poppler's `pdftoppm` (greyscale). The content area is the page
    without its top and bottom margins (running header and page number live there; defaults
    are report.css's A4 margins); a pixel row is used when any pixel is darker than 240 of 255.
    The fill is the position of the lowest used row in that area, so 0.4 means 60 % of the
    page below the content is blank.
    """
    import subprocess
    import tempfile

    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(pdf), f"{tmp}/p"], check=True)
        fills = []
        for png in sorted(Path(tmp).glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[-1])):
            pixels = np.asarray(Image.open(png))
            px_per_mm = pixels.shape[0] / 297.0
            area = pixels[round(top_mm * px_per_mm):pixels.shape[0] - round(bottom_mm * px_per_mm)]
            used = np.flatnonzero((area < 240).any(axis=1))
            fills.append(float((used[-1] + 1) / len(area)) if len(used) else 0.0)
    return fills


def file_mode(path) -> int:
    """A file's permission bits, e.g. 0o644."""
    return stat.S_IMODE(os.stat(path).st_mode)


def in_child(func, *args):
    """`func(*args)` in a forked child process, its (picklable) result: for tests that make a
    PDF with Typst, since a process that has compiled must not fork again (render/pdf.py), and
    later tests fork this one (the batch's fork pool)."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    with ProcessPoolExecutor(1, mp_context=get_context("fork")) as pool:
        return pool.submit(func, *args).result()
