"""The data one unit report shows, read from stored results (no scoring happens here).

Comparisons (docs/sources.md, Reference vendor report): the unit next to each level above it up to
the top, and to the same unit's earlier years. Values of suppressed cells are already NaN in the
stored results, so nothing here can show them; this module only selects and joins.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hme_core.config import Settings, with_organisation
from hme_core.instruments import InstrumentSet
from hme_core.orgtree import Tree, levels
from hme_core.scoring.indices import change_within_noise
from hme_core.store.duckdb_store import Store


@dataclass
class ReportData:
    """Everything a unit report shows. Frames are tidy; values of suppressed cells are NaN."""

    year: int
    unit: str
    name: str
    path: list[str]
    level: int
    is_leaf: bool
    respondents: int
    employees: float
    response_rate: float
    suppressed: bool  # nothing of the unit is published anywhere: the report is empty
    settings: Settings
    comparison: pd.DataFrame  # series, series_kind, unit, year, index, n, value, se
    changes: pd.DataFrame  # index, value, previous, diff, within_noise
    statements: pd.DataFrame  # instrument, item, role, n, value, previous, diff, parent_value, ...
    distributions: pd.DataFrame  # instrument, item, code, n, count, share
    enps: pd.DataFrame  # series, series_kind, n, *_pct, enps, se
    breakdowns: pd.DataFrame  # variable, group, index, n, value
    instruments_present: list[str] = field(default_factory=list)
    previous_year: int | None = None
    participation: pd.DataFrame = field(default_factory=pd.DataFrame)  # year, respondents, ...
    # year, item, code, n, share of this unit for every stored year (published rows only)
    distribution_history: pd.DataFrame = field(default_factory=pd.DataFrame)
    audiences: dict[str, int] = field(default_factory=dict)  # instrument -> respondents asked
    # why the report is empty ('' when something is published), why the HME total is hidden
    # ('' when shown): 'no_data', 'primary' (too few answers) or 'secondary' (hidden so that a
    # smaller unit's or group's results cannot be worked out); see `hidden_reason`
    empty_reason: str = ""
    hme_reason: str = ""
    # names of the units whose one result this unit shows (a reporting group), [] when alone
    reporting_group: list[str] = field(default_factory=list)


def _series_label(name: str, year: int) -> str:
    return f"{name} {year}"


def _distinct_series(out: pd.DataFrame) -> pd.DataFrame:
    """Series labels name one unit and year each: a unit named like its parent (common in real
    trees) gets its code added, 'Kirurgi (K1) 2025' beside 'Kirurgi (K) 2025'."""
    owners = out.drop_duplicates(["series", "unit", "year"]).groupby("series")["unit"].nunique()
    shared = set(owners[owners > 1].index)
    if not shared:
        return out
    relabel = [
        f"{s[: -len(str(y)) - 1]} ({u}) {y}" if s in shared else s
        for s, u, y in zip(out["series"], out["unit"], out["year"], strict=True)
    ]
    return out.assign(series=relabel)


def _comparison_rows(
    scores_by_year: dict[int, pd.DataFrame], year: int, unit: str, chain: list[str]
) -> pd.DataFrame:
    """Rows for the unit and its ancestors this year, then the unit in earlier years."""
    rows = []
    now = scores_by_year[year]
    for kind, u in [("unit", unit), *(("ancestor", a) for a in chain)]:
        part = now[now["unit"] == u]
        if len(part):
            label = _series_label(str(part["unit_name"].iloc[0]), year)
            rows.append(part.assign(series=label, series_kind=kind))
    for y in sorted((y for y in scores_by_year if y < year), reverse=True):
        part = scores_by_year[y][scores_by_year[y]["unit"] == unit]
        if len(part):
            label = _series_label(str(part["unit_name"].iloc[0]), y)
            rows.append(part.assign(series=label, series_kind="previous"))
    if not rows:
        return pd.DataFrame(columns=["series", "series_kind", "unit", "year", "index", "n",
                                     "value", "se", "suppression"])
    out = _distinct_series(pd.concat(rows, ignore_index=True))
    return out[["series", "series_kind", "unit", "year", "index", "n", "value", "se",
                "suppression"]]


def index_changes(comparison: pd.DataFrame, year: int, previous_year: int | None) -> pd.DataFrame:
    """Change of each index from the previous year, with the noise rule of `scoring`."""
    now = comparison[(comparison["series_kind"] == "unit")].set_index("index")
    before = comparison[
        (comparison["series_kind"] == "previous") & (comparison["year"] == previous_year)
    ].set_index("index")
    rows = []
    for ix, r in now.iterrows():
        prev = before["value"].get(ix, np.nan)
        diff = r["value"] - prev
        noise = (
            change_within_noise(diff, r["se"], before["se"].get(ix, np.nan))
            if np.isfinite(diff) else True
        )
        rows.append({"index": ix, "value": r["value"], "previous": prev, "diff": diff,
                     "within_noise": noise})
    return pd.DataFrame(rows, columns=["index", "value", "previous", "diff", "within_noise"])


def _statement_rows(store: Store, year: int, previous_year: int | None, unit: str,
                    parent: str | None) -> pd.DataFrame:
    st = store.load_result("statements", year, units=[unit])
    cols = ["instrument", "item", "role", "n", "value", "suppression", "distribution_shown", "se"]
    st = st[cols] if len(st) else pd.DataFrame(columns=cols)
    prev = (store.load_result("statements", previous_year, units=[unit])
            if previous_year else pd.DataFrame())
    prev_v = prev.set_index("item")["value"] if len(prev) else pd.Series(dtype=float)
    prev_se = prev.set_index("item")["se"] if len(prev) else pd.Series(dtype=float)
    par = store.load_result("statements", year, units=[parent]) if parent else pd.DataFrame()
    par_v = par.set_index("item")["value"] if len(par) else pd.Series(dtype=float)
    st = st.assign(
        previous=st["item"].map(prev_v).astype(float),
        previous_se=st["item"].map(prev_se).astype(float),
        parent_value=st["item"].map(par_v).astype(float),
    )
    st["diff"] = st["value"] - st["previous"]
    st["within_noise"] = [
        change_within_noise(d, a, b) if np.isfinite(d) else True
        for d, a, b in zip(st["diff"], st["se"], st["previous_se"], strict=True)
    ]
    return st.reset_index(drop=True)


def _enps_rows(store: Store, years: list[int], year: int, unit: str, chain: list[str],
               names: dict[int, pd.Series]) -> pd.DataFrame:
    rows = []
    now = store.load_result("enps", year, units=[unit, *chain])
    se = store.load_result("scores", year, units=[unit, *chain])
    se = se[se["index"] == "enps"].set_index("unit")["se"] if len(se) else pd.Series(dtype=float)
    for kind, u in [("unit", unit), *(("ancestor", a) for a in chain)]:
        part = now[now["unit"] == u] if len(now) else now
        if len(part):
            rows.append(part.assign(series=_series_label(names[year].get(u, u), year),
                                    series_kind=kind, se=se.get(u, np.nan)))
    before = [y for y in years if y < year]
    last = (store.load_result("enps", max(before), units=[unit, *chain]) if before
            else pd.DataFrame())
    last_by_unit = last.set_index("unit")["enps"] if len(last) else pd.Series(dtype=float)
    for y in sorted(before, reverse=True):
        part = store.load_result("enps", y, units=[unit])
        if len(part):
            rows.append(part.assign(series=_series_label(names[y].get(unit, unit), y),
                                    series_kind="previous", se=np.nan))
    if not rows:
        return pd.DataFrame()
    out = pd.concat(rows, ignore_index=True)
    out = _distinct_series(out)
    out["previous_enps"] = out["unit"].map(last_by_unit).where(out["series_kind"] != "previous")
    return out


def hidden_reason(rows: pd.DataFrame) -> str:
    """Why nothing of `rows` (a unit's stored results: n, value, suppression) is shown: ''
    when some value is; 'no_data' when nobody answered; 'primary' when every hidden value
    had too few answers; else 'secondary' (enough answers, hidden so that a smaller unit's or
    group's results cannot be worked out)."""
    if len(rows) and rows["value"].notna().any():
        return ""
    if not len(rows) or not (rows["n"].fillna(0) > 0).any():
        return "no_data"
    labels = set(rows.loc[rows["n"].fillna(0) > 0, "suppression"].fillna("primary"))
    return "secondary" if "secondary" in labels else "primary"


def _published_anywhere(own: pd.DataFrame, statements: pd.DataFrame, enps: pd.DataFrame) -> bool:
    """Some value of the unit is published: an index or eNPS in the score table (what
    `hme score`, the heat maps and the Kolada export show), a statement, eNPS shares."""
    shares = [c for c in ("promoters_pct", "detractors_pct", "passive_pct") if c in enps]
    return bool(own["value"].notna().any()
                or (len(statements) and statements["value"].notna().any())
                or (len(enps) and shares and enps[shares].notna().any().any()))


def load_report_data(
    store: Store, year: int, unit: str, instruments: InstrumentSet, settings: Settings
) -> ReportData:
    """Assemble one unit's report data from the store."""
    org = store.load_org(year)
    if unit not in set(org["unit"]):
        from hme_core.errors import StoreError

        raise StoreError(f"unit {unit!r} is not in the {year} org tree")
    settings = with_organisation(settings, org)
    years = [y for y in store.years() if y <= year]
    previous_year = max((y for y in years if y < year), default=None)
    tree = Tree(org)  # indexed once: ancestors and path names in time proportional to depth
    chain = tree.ancestors(unit)
    scores_by_year = {y: store.load_result("scores", y, units=[unit, *chain] if y == year
                                           else [unit]) for y in years}
    names = {y: store.load_org(y).set_index("unit")["name"] for y in years}
    comparison = _comparison_rows(scores_by_year, year, unit, chain)
    own = scores_by_year[year]
    own = own[own["unit"] == unit]
    hme = own[own["index"] == "hme"]
    own_statements = store.load_result("statements", year, units=[unit])
    own_enps = store.load_result("enps", year, units=[unit])
    suppressed = not _published_anywhere(own, own_statements, own_enps)
    st_items = set(own_statements.get("item", []))
    present = [
        ins.id for ins in instruments
        if ins.id not in ("hme", "enps") and (
            own["index"].isin([ix.id for ix in ins.indices]).any()
            or (not ins.indices and bool(st_items & set(ins.item_ids))))
    ]
    history = [store.load_result("distributions", y, units=[unit]) for y in years]
    aud = store.load_result("audiences", year, units=[unit])
    first = own.iloc[0] if len(own) else None
    dist = store.load_result("distributions", year, units=[unit])
    bd = store.load_result("breakdowns", year, units=[unit])
    return ReportData(
        year=year,
        unit=unit,
        name=str(names[year][unit]),
        path=tree.path_names(unit),
        level=int(levels(org)[unit]),
        is_leaf=not (org["parent"] == unit).any(),
        respondents=int(first["respondents"]) if first is not None else 0,
        employees=float(first["employees"]) if first is not None else np.nan,
        response_rate=float(first["response_rate"]) if first is not None else np.nan,
        suppressed=suppressed,
        settings=settings,
        comparison=comparison,
        changes=index_changes(comparison, year, previous_year),
        statements=_statement_rows(store, year, previous_year, unit, chain[0] if chain else None),
        distributions=dist,
        enps=_enps_rows(store, years, year, unit, chain, names),
        breakdowns=bd,  # every group, with the n of each value; hidden values NaN
        instruments_present=present,
        previous_year=previous_year,
        participation=_participation(scores_by_year, unit),
        distribution_history=(pd.concat([h for h in history if len(h)], ignore_index=True)
                              if any(len(h) for h in history) else pd.DataFrame()),
        audiences=({str(r.instrument): int(r.respondents) for r in aud.itertuples()}
                   if len(aud) else {}),
        reporting_group=_reporting_group(org, unit, names[year]),
        empty_reason=hidden_reason(own) if suppressed else "",
        hme_reason=hidden_reason(hme),
    )


def _reporting_group(org: pd.DataFrame, unit: str, names: pd.Series) -> list[str]:
    """The names of the units `unit` reports with (`params/reporting_groups.yaml`, as the
    results were computed: the results fingerprint covers the file); a parent member stands
    for its own respondents."""  # names only: the report's language words the sentence
    from hme_core.disclosure.reporting_groups import (
        applicable_groups,
        group_of,
        load_reporting_groups,
    )
    from hme_core.paths import params_dir

    groups, _ = applicable_groups(load_reporting_groups(params_dir()), org)
    group = group_of(groups, unit)
    if group is None:
        return []
    return [str(names.get(u, u)) for u in group.units]


def _participation(scores_by_year: dict[int, pd.DataFrame], unit: str) -> pd.DataFrame:
    """Respondents, employees and response rate of `unit` for every stored year (counts are public)."""
    rows = []
    for y, frame in sorted(scores_by_year.items()):
        own = frame[frame["unit"] == unit]
        if len(own):
            r = own.iloc[0]
            rows.append({"year": y, "respondents": int(r["respondents"]),
                         "employees": float(r["employees"]), "response_rate": float(r["response_rate"])})
    return pd.DataFrame(rows, columns=["year", "respondents", "employees", "response_rate"])
