"""Stores generated from a known factor model, for the research workbook's tests.

`factor_store` writes a region of leaf units (under areas when there are more than 12) whose
respondents answer HME 1-9 (codes 1-5) and eNPS (0-10) from one of three models:
- "three": three correlated factors (r = 0.5, 0.4, 0.45), statements 1-3, 4-6, 7-9 on one each,
  loadings 0.8 (the structure of HME);
- "one": one factor behind all nine statements (loadings 0.8): the three subindices cannot be
  told apart, so a three-factor fit is expected to be improper or no better than one factor;
- "noise": independent answers, no factor at all (unit effects too are independent per
  statement).
A unit effect (sd 0.35) shifts every answer of a unit (each statement's own effect for "noise"),
so units differ; sick leave falls with the unit effect (unrelated to the answers for "noise"),
staff turnover is noise. `ids=False` writes no
respondent ids (as many exports), `outcomes=False` no outcomes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from hme_core.inputs.outcomes import store_outcomes
from hme_core.store.duckdb_store import Store
from tests.fixtures import make_responses, store_year

PHI = np.array([[1, 0.5, 0.4], [0.5, 1, 0.45], [0.4, 0.45, 1]])


def _latent(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """n x 9 continuous answers (before the unit effect and rounding)."""
    if kind == "three":
        f = rng.multivariate_normal(np.zeros(3), PHI, size=n)
        return np.column_stack([0.8 * f[:, j // 3] for j in range(9)]) + 0.6 * rng.normal(size=(n, 9))
    if kind == "one":
        g = rng.normal(size=(n, 1))
        return 0.8 * g + 0.6 * rng.normal(size=(n, 9))
    if kind == "noise":
        return rng.normal(size=(n, 9))
    raise ValueError(kind)


def factor_org(n_units: int) -> pd.DataFrame:
    """Region R; leaf units U001...; under areas A1... (10 units each) when more than 12."""
    units = [f"U{i:03d}" for i in range(1, n_units + 1)]
    if n_units <= 12:
        rows = [("R", "Region Test", None)] + [(u, f"Enhet {u}", "R") for u in units]
    else:
        areas = [f"A{k + 1}" for k in range(-(-n_units // 10))]
        rows = [("R", "Region Test", None)] + [(a, f"Område {a}", "R") for a in areas]
        rows += [(u, f"Enhet {u}", areas[i // 10]) for i, u in enumerate(units)]
    return pd.DataFrame(rows, columns=["unit", "name", "parent"]).astype("string")


def factor_responses(kind: str, n_units: int, per_unit: int | tuple[int, int], year: int,
                     rng: np.random.Generator, effects: np.ndarray,
                     ids: bool = True) -> pd.DataFrame:
    """One row per respondent: unit, sex, role, hme1-hme9, enps (and respondent_id if `ids`)."""
    low, high = (per_unit, per_unit) if isinstance(per_unit, int) else per_unit
    sizes = rng.integers(low, high + 1, n_units)
    unit_of = np.repeat([f"U{i:03d}" for i in range(1, n_units + 1)], sizes)
    n = len(unit_of)
    shift = (rng.normal(0, 0.35, (n_units, 9)) if kind == "noise"
             else np.repeat(effects[:, None], 9, axis=1))
    x = _latent(kind, n, rng) + np.repeat(shift, sizes, axis=0)
    codes = np.clip(np.round(3.4 + x), 1, 5).astype(int)
    mean = x.mean(axis=1)
    enps = np.clip(np.round(7 + 2.2 * mean + rng.normal(0, 1.3, n)), 0, 10).astype(int)
    rows = []
    for i in range(n):
        row = {"unit": unit_of[i], **{f"hme{j + 1}": int(codes[i, j]) for j in range(9)},
               "enps": int(enps[i]), "sex": "Kvinna" if rng.random() < 0.7 else "Man",
               "role": "Medarbetare"}
        if ids:
            row = {"respondent_id": f"{year}-{i + 1:06d}", **row}
        rows.append(row)
    return make_responses(rows)


def factor_store(db: Path, kind: str = "three", years=(2025,), n_units: int = 30,
                 per_unit: int | tuple[int, int] = 12, ids: bool = True, outcomes: bool = True,
                 outcome_years=None, seed: int = 1) -> pd.DataFrame:
    """Write the store at `db` (see the module's docstring); return the outcomes written."""
    rng = np.random.default_rng(seed)
    org = factor_org(n_units)
    effects = rng.normal(0, 0.35, n_units)
    frames = []
    for year in years:
        yearly = effects + rng.normal(0, 0.1, n_units)
        store_year(db, year, org, factor_responses(kind, n_units, per_unit, year, rng, yearly, ids))
        if outcomes and (outcome_years is None or year in outcome_years):
            units = [f"U{i:03d}" for i in range(1, n_units + 1)]
            sick = 6 - 3 * yearly + rng.normal(0, 0.6, n_units)
            frames += [pd.DataFrame({"unit": units, "year": year, "indicator": "sick_leave_rate",
                                     "value": sick.round(2), "unit_of_measure": "%"}),
                       pd.DataFrame({"unit": units, "year": year, "indicator": "staff_turnover",
                                     "value": rng.normal(10, 2, n_units).round(2),
                                     "unit_of_measure": "%"})]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if len(out):
        with Store.open(db) as store:
            store_outcomes(store.con, out.assign(source_row=range(len(out))))
    return out
