"""The score table: one row per (unit, index) for a year, as `hme score` publishes it.

Columns (CLI contract): year, unit, unit_name, parent, level, index, n, value, employees,
response_rate, plus suppression. `value` is NaN when suppressed and never rounded. Employees
and respondents are summed over each unit's subtree, like the answers (HME.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .answer_stats import answer_statistics, rollup_statistics
from .config import Settings
from .instruments import InstrumentSet
from .orgtree import closure, levels, tree_order
from .scoring import PRIMARY, index_results

SCORE_COLUMNS = [
    "year", "unit", "unit_name", "parent", "level", "index", "n", "value",
    "employees", "response_rate", "suppression",
]


def unit_statistics(
    responses: pd.DataFrame,
    org: pd.DataFrame,
    instruments: InstrumentSet,
    by: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Answer statistics of every unit's subtree, optionally split by group columns `by`."""
    stats = answer_statistics(responses, instruments, by=("unit", *by))
    return rollup_statistics(stats, closure(org))


def subtree_employees(org: pd.DataFrame, headcounts: pd.DataFrame | None) -> pd.Series:
    """Employees per unit summed over its subtree; NaN where no head count covers the subtree.

    Head counts are direct employees of a unit (not including its children).
    """
    if headcounts is None or headcounts.empty:
        return pd.Series(np.nan, index=pd.Index(org["unit"], name="unit"), name="employees")
    c = closure(org).merge(headcounts[["unit", "employees"]], on="unit", how="inner")
    summed = c.groupby("ancestor")["employees"].sum().astype(float)
    return summed.reindex(org["unit"]).rename_axis("unit").rename("employees")


def score_table(
    responses: pd.DataFrame,
    org: pd.DataFrame,
    headcounts: pd.DataFrame | None,
    instruments: InstrumentSet,
    settings: Settings,
    year: int,
) -> pd.DataFrame:
    """Every unit of the year's tree × every index the data has (pure; no I/O)."""
    stats = unit_statistics(responses, org, instruments)
    idx = index_results(stats, instruments, settings)
    index_ids = [i for i in instruments.index_ids if i in set(idx.get("index", []))]
    order = tree_order(org)
    grid = pd.MultiIndex.from_product([order, index_ids], names=["unit", "index"]).to_frame(
        index=False
    )
    table = grid.merge(idx.drop(columns="instrument"), on=["unit", "index"], how="left")
    table["n"] = table["n"].fillna(0).astype(int)
    table["suppression"] = table["suppression"].fillna(PRIMARY)
    info = org.set_index("unit")
    respondents = stats["respondents"].reindex(order).fillna(0)
    employees = subtree_employees(org, headcounts)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = (respondents / employees.reindex(order)).where(lambda s: np.isfinite(s))
    table["year"] = int(year)
    table["unit_name"] = table["unit"].map(info["name"])
    table["parent"] = table["unit"].map(info["parent"])
    table["level"] = table["unit"].map(levels(org)).astype(int)
    table["employees"] = table["unit"].map(employees)
    table["response_rate"] = table["unit"].map(rate)
    return table[SCORE_COLUMNS]
