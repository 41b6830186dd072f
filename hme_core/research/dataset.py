"""The tables the research workbook analyses, assembled from the store.

- `analysis_table`: one row per (year, unit) at a chosen org level: index values joined with
  outcome indicators (wide). Privacy (`disclosure`): ONLY units whose indices are
  published enter, i.e. every requested index has a value in the published score table (each of
  its statements has >= `min_n_index` answers, and no secondary suppression protects a smaller
  unit with it) and n >= `min_n_index`. Units left out are listed with the reason, so the
  workbook can say how many.
- `respondent_table`: one row per respondent with item scores (0-100) and the unit at the chosen
  level, for reliability, factor structure and ICC. Only units whose indices of the instrument
  are all published enter; the others are left out (and counted), as in every unit-level
  analysis.

`level` is an org level (root = 1) or "leaf" (units without children, at any depth).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hme_core.config import Settings, load_settings
from hme_core.instruments import InstrumentSet, load_instruments
from hme_core.orgtree import closure, levels
from hme_core.results.tables import score_table
from hme_core.scoring.statistics import recode_answers
from hme_core.vocabulary import HME_INDICES

SUPPRESSED = "suppressed (too few answers, or it would reveal a smaller group)"
NO_OUTCOMES = "no outcome data"
UNIT_COLUMNS = ["year", "unit", "unit_name", "level", "n", "employees", "response_rate"]


@dataclass(frozen=True)
class AnalysisTable:
    """`frame`: the units that enter; `excluded`: year, unit, unit_name, n, reason."""

    frame: pd.DataFrame
    excluded: pd.DataFrame
    indices: tuple[str, ...]
    indicators: tuple[str, ...]
    min_n: int

    def summary(self) -> pd.DataFrame:
        """How many unit-years entered and how many were left out, by reason."""
        counts = self.excluded.groupby("reason").size()
        rows = [("entered", len(self.frame))] + [(f"left out: {r}", int(c)) for r, c in counts.items()]
        return pd.DataFrame(rows, columns=["units", "count"])


def units_at_level(org: pd.DataFrame, level: int | str) -> list[str]:
    """Unit codes at org `level` (root = 1), or every leaf for `level="leaf"`."""
    if level == "leaf":
        return org.loc[~org["unit"].isin(org["parent"].dropna()), "unit"].tolist()
    depth = levels(org)
    return depth[depth == int(level)].index.tolist()


def build_analysis_table(
    scores: pd.DataFrame,
    outcomes: pd.DataFrame,
    units: pd.DataFrame,
    indices: Sequence[str] = HME_INDICES,
    indicators: Sequence[str] | None = None,
    min_n: int = 5,
) -> AnalysisTable:
    """Join scores (long, as `results.score_table`) with outcomes (long) for the given units.

    `units` has `year, unit`: the units at the chosen level per year. A unit-year is left out as
    suppressed when any requested index is NaN or has n < `min_n`; then as having no outcome data
    when none of the requested indicators has a value for it.
    """
    indices = tuple(indices)
    keys = units[["year", "unit"]].astype({"year": "int64", "unit": "string"})
    sc = scores.astype({"unit": "string"}).merge(keys, on=["year", "unit"])
    sc = sc[sc["index"].isin(indices)]
    wide = sc.pivot(index=["year", "unit"], columns="index", values="value")
    wide = wide.reindex(columns=list(indices))
    n_min = sc.groupby(["year", "unit"])["n"].min()
    hme_n = sc[sc["index"] == indices[0]].set_index(["year", "unit"])
    info = hme_n[[c for c in UNIT_COLUMNS if c not in ("year", "unit")]]
    table = info.join(wide, how="right").reset_index()
    n_of = n_min.reindex(pd.MultiIndex.from_frame(table[["year", "unit"]])).to_numpy()
    shown = table[list(indices)].notna().all(axis=1).to_numpy() & (np.nan_to_num(n_of) >= min_n)
    if indicators is None:
        indicators = sorted(outcomes["indicator"].dropna().unique()) if len(outcomes) else []
    indicators = tuple(indicators)
    oc = outcomes[outcomes["indicator"].isin(indicators)].astype({"unit": "string"})
    oc_wide = oc.pivot_table(index=["year", "unit"], columns="indicator", values="value")
    oc_wide = oc_wide.reindex(columns=list(indicators))
    table = table.merge(oc_wide.reset_index(), on=["year", "unit"], how="left")
    has_outcome = table[list(indicators)].notna().any(axis=1).to_numpy() if indicators else shown
    reason = np.where(~shown, SUPPRESSED, np.where(~has_outcome, NO_OUTCOMES, ""))
    excluded = table.loc[reason != "", ["year", "unit", "unit_name", "n"]].assign(
        reason=reason[reason != ""])
    frame = table.loc[reason == "", [*UNIT_COLUMNS, *indices, *indicators]]
    return AnalysisTable(
        frame=frame.reset_index(drop=True), excluded=excluded.reset_index(drop=True),
        indices=indices, indicators=indicators, min_n=min_n)


def _parse_years(years: Sequence[int] | str | int | None, available: Sequence[int]) -> list[int]:
    if years is None or years == "" or years == "all":
        return list(available)
    if isinstance(years, str):
        years = [y for y in years.replace(";", ",").split(",") if y.strip()]
    elif isinstance(years, int):
        years = [years]
    return [int(y) for y in years]


def year_scores(store, year: int, instruments: InstrumentSet, settings: Settings) -> pd.DataFrame:
    """The score table of a stored year, computed with the current settings (pure scoring).

    A year whose stored results were computed under other params or code is refused, as every
    report refuses it (`Store.require_current_results`): the workbook must show what the
    published reports show, so the units it leaves out as suppressed are the reports' own.
    """
    store.require_current_results(year)
    return score_table(store.load_responses(year), store.load_org(year),
                       store.load_headcounts(year), instruments, settings, year)


def analysis_table(
    store,
    years: Sequence[int] | str | None = None,
    level: int | str = "leaf",
    indices: Sequence[str] = HME_INDICES,
    indicators: Sequence[str] | None = None,
    settings: Settings | None = None,
    instruments: InstrumentSet | None = None,
) -> AnalysisTable:
    """Scores at `level` joined with stored outcomes for `years` (default: every stored year)."""
    from hme_core.inputs.outcomes import load_outcomes_frame

    settings = settings or load_settings()
    instruments = instruments or load_instruments()
    years = _parse_years(years, store.years())
    scores, units = [], []
    for y in years:
        scores.append(year_scores(store, y, instruments, settings))
        units.append(pd.DataFrame({"year": y, "unit": units_at_level(store.load_org(y), level)}))
    outcomes = load_outcomes_frame(store.con, years, indicators)
    return build_analysis_table(pd.concat(scores), outcomes, pd.concat(units), indices,
                                indicators, settings.min_n_index)


def person_scores(
    responses: pd.DataFrame, instruments: InstrumentSet, instrument: str = "hme"
) -> pd.DataFrame:
    """Item scores 0-100 and each index's person mean (mean of the items the person answered)."""
    ins = instruments[instrument]
    items = recode_answers(responses[[c for c in ins.item_ids if c in responses]], instruments)
    means = {ix.id: items[ix.items].mean(axis=1) for ix in ins.indices}
    return items.assign(**means)


def respondent_table(
    store,
    years: Sequence[int] | str | None = None,
    level: int | str = "leaf",
    instrument: str = "hme",
    settings: Settings | None = None,
    instruments: InstrumentSet | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(respondents, excluded units): year, respondent_id (may be missing: not every export has
    one), unit (at `level`), sex, role, eNPS answer (0-10, when asked), item scores and person
    index means; units whose indices of `instrument` are not all published
    (`disclosure`) are left out."""
    settings = settings or load_settings()
    instruments = instruments or load_instruments()
    index_ids = [ix.id for ix in instruments[instrument].indices]
    frames, published = [], []
    for y in _parse_years(years, store.years()):
        scores = year_scores(store, y, instruments, settings)
        scores = scores[scores["index"].isin(index_ids)]
        ok = scores.groupby("unit")["suppression"].agg(lambda s: bool((s == "").all()))
        published.append(pd.DataFrame({"year": y, "unit": ok[ok].index.astype(str)}))
        org = store.load_org(y)
        at_level = set(units_at_level(org, level))
        up = closure(org)
        up = up[up["ancestor"].isin(at_level)].set_index("unit")["ancestor"]
        resp = store.load_responses(y).reset_index(drop=True)
        meta = resp[["respondent_id", "unit", "sex", "role"]].assign(
            year=y, unit=resp["unit"].map(up).astype("string"))
        if "enps" in resp:  # by row, not by respondent id: exports often have none
            meta["enps"] = pd.to_numeric(resp["enps"], errors="coerce").astype(float)
        frames.append(meta.join(person_scores(resp, instruments, instrument)))
    people = pd.concat(frames, ignore_index=True).dropna(subset=["unit"])
    shown = pd.MultiIndex.from_frame(pd.concat(published, ignore_index=True))
    enters = pd.MultiIndex.from_frame(people[["year", "unit"]].astype({"unit": str})).isin(shown)
    excluded = people[~enters].groupby(["year", "unit"]).size().rename("n").reset_index().assign(
        reason=SUPPRESSED)
    return people[enters].reset_index(drop=True), excluded
