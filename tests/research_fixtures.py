"""Small stores for the research tests: an org tree, responses, head counts and scores per year."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from conftest import hme_row, make_responses

from hme_core.config import Settings
from hme_core.instruments import load_instruments
from hme_core.results import year_results
from hme_core.store import Store


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
