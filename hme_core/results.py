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
    stats: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every unit of the year's tree × every index the data has (pure; no I/O)."""
    if stats is None:
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


BREAKDOWN_VARIABLES = ("sex", "role")
UNKNOWN_GROUP = "uppgift saknas"


def breakdown_table(
    responses: pd.DataFrame, org: pd.DataFrame, instruments: InstrumentSet, settings: Settings,
    variables: tuple[str, ...] = BREAKDOWN_VARIABLES,
) -> pd.DataFrame:
    """Index values per (unit, variable, group), published only where EVERY group qualifies.

    A breakdown of a unit by e.g. sex is shown only if each group with respondents in the
    unit's subtree (respondents with the variable missing count as a group of their own) has
    every index above the threshold and there are at least two groups; otherwise all its groups
    are suppressed, since one shown group and the total would reveal the other.
    """
    frames = []
    for var in variables:
        if var not in responses.columns or responses[var].isna().all():
            continue
        filled = responses.assign(**{var: responses[var].fillna(UNKNOWN_GROUP)})
        stats = unit_statistics(filled, org, instruments, by=(var,))
        res = index_results(stats, instruments, settings).rename(columns={var: "group"})
        res = res[res["instrument"] != "enps"] if "instrument" in res else res
        ok = res.groupby("unit")["suppression"].transform(lambda s: (s == "").all())
        groups = res.groupby("unit")["group"].transform("nunique")
        publish = ok & (groups >= 2)
        res.loc[~publish, "value"] = np.nan
        res.loc[~publish & (res["suppression"] == ""), "suppression"] = "secondary"
        frames.append(res[res["group"] != UNKNOWN_GROUP].assign(variable=var))
    if not frames:
        return pd.DataFrame(columns=["unit", "variable", "group", "index", "n", "value",
                                     "suppression"])
    out = pd.concat(frames, ignore_index=True)
    return out[["unit", "variable", "group", "index", "n", "value", "suppression"]]


def year_results(
    responses: pd.DataFrame,
    org: pd.DataFrame,
    headcounts: pd.DataFrame | None,
    instruments: InstrumentSet,
    settings: Settings,
    year: int,
) -> dict[str, pd.DataFrame]:
    """Everything reports publish for a year, computed once for all units (pure).

    Tables: `scores` (the CLI contract plus `se`), `statements`, `distributions` (only rows
    that may be shown), `enps`, `breakdowns`. Values of suppressed cells are already NaN.
    """
    from .scoring import distribution_results, enps_results, index_standard_errors
    from .scoring import statement_results

    stats = unit_statistics(responses, org, instruments)
    se = index_standard_errors(stats, instruments)
    scores = score_table(responses, org, headcounts, instruments, settings, year, stats=stats)
    scores = scores.merge(se, on=["unit", "index"], how="left")
    scores["respondents"] = scores["unit"].map(stats["respondents"]).fillna(0).astype(int)
    statements = statement_results(stats, instruments, settings).merge(
        se.rename(columns={"index": "item"}), on=["unit", "item"], how="left")
    dist = distribution_results(stats, instruments, settings)
    dist = dist[dist["share"].notna()]
    tables = {"scores": scores, "statements": statements, "distributions": dist}
    if "enps" in [i.id for i in instruments] and "n|enps" in stats:
        tables["enps"] = enps_results(stats, instruments["enps"], settings)
    tables["breakdowns"] = breakdown_table(responses, org, instruments, settings)
    return {
        name: frame if "year" in frame else frame.assign(year=int(year))[["year", *frame.columns]]
        for name, frame in tables.items()
    }
