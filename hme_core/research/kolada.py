"""National benchmarks from Kolada, and the organisation's own totals in Kolada's shape.

Kolada (kolada.se, RKA) publishes HME per municipality and region, split by gender (T total,
K women, M men; docs/sources.md, Kolada): U00200 total, U00201 motivation, U00202 leadership, U00203
governance for municipalities; U60200-U60203 for regions. Real files come from Kolada's API
(JSON, read by `kolada_api`) or the export on kolada.se, flattened to
`municipality_id, municipality, year, kpi, gender, value` (one row per value).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from hme_core.config import Settings, load_settings, with_organisation
from hme_core.disclosure.publish import Publication, decide_publication
from hme_core.errors import HMEError, InputError
from hme_core.inputs.outcomes import parse_number, parse_year
from hme_core.inputs.readers import read_table
from hme_core.instruments import InstrumentSet, load_instruments
from hme_core.orgtree import root
from hme_core.results.tables import breakdown_table, score_table
from hme_core.vocabulary import KOLADA_GENDER

KPIS: dict[str, dict[str, str]] = {
    "municipality": {"U00200": "hme", "U00201": "motivation", "U00202": "leadership",
                     "U00203": "governance"},
    "region": {"U60200": "hme", "U60201": "motivation", "U60202": "leadership",
               "U60203": "governance"},
}
KIND_OF_KPI = {kpi: kind for kind, m in KPIS.items() for kpi in m}
INDEX_OF_KPI = {kpi: ix for m in KPIS.values() for kpi, ix in m.items()}
GENDERS = ("T", "K", "M")
#: canonical `sex` of the response table -> Kolada gender code
COLUMNS = ["municipality_id", "municipality", "year", "kpi", "gender", "value"]
#: headers of kolada.se's CSV/Excel export (Swedish) -> our columns
ALIASES = {"kommun-id": "municipality_id", "kommunid": "municipality_id", "id": "municipality_id",
           "region-id": "municipality_id", "kommun": "municipality", "region": "municipality",
           "år": "year", "period": "year", "nyckeltal": "kpi", "kpi-id": "kpi", "kön": "gender",
           "värde": "value"}
#: gender as words in the export -> Kolada's codes
GENDER_WORDS = {"totalt": "T", "total": "T", "kvinnor": "K", "women": "K", "män": "M", "men": "M"}


def read_kolada(path: str | Path) -> pd.DataFrame:
    """Read and validate a Kolada-style HME file; adds `kind` and `index` columns.

    Rules: the six `COLUMNS` (headers ignoring case; kolada.se's Swedish export headers
    `ALIASES` and gender words Totalt/Kvinnor/Män are accepted too); `kpi` one of `KIND_OF_KPI`; `gender` T/K/M;
    `year` four digits; `value` a number (decimal comma or point) or blank (Kolada has no value,
    e.g. too few answers: NaN). All-digit ids are zero-padded to four digits (Excel drops zeros).
    """
    raw = read_table(path)
    by_key = {ALIASES.get(h.strip().casefold(), h.strip().casefold()): h for h in raw.frame.columns}
    found = ", ".join(f"'{h}'" for h in raw.frame.columns)
    missing = [c for c in COLUMNS if c not in by_key]
    if missing:
        raise InputError([raw.issue(None, c, None, f"a column '{c}' (found columns {found})")
                          for c in missing])
    text = {c: raw.frame[by_key[c]].str.strip() for c in COLUMNS}
    text["gender"] = text["gender"].map(lambda g: GENDER_WORDS.get(g.casefold(), g)
                                        if isinstance(g, str) else g)
    rows = np.asarray(raw.row_numbers)
    issues = []

    def bad(mask, column, expected):
        for i in np.flatnonzero(np.asarray(mask)):
            value = text[column].iloc[i]
            issues.append(raw.issue(int(rows[i]), by_key[column], value, expected))

    ids = text["municipality_id"].where(~text["municipality_id"].str.fullmatch(r"\d{1,4}", na=False),
                                        text["municipality_id"].str.zfill(4))
    bad(ids.isna(), "municipality_id", "a Kolada id such as 1480 (blank is not allowed)")
    years = text["year"].map(lambda t: parse_year(t) if isinstance(t, str) else None)
    bad(years.isna(), "year", "a four-digit year such as 2024")
    bad(~text["kpi"].isin(list(KIND_OF_KPI)), "kpi", f"one of {', '.join(KIND_OF_KPI)}")
    bad(~text["gender"].isin(GENDERS), "gender", "T (total), K (women) or M (men)")
    values = text["value"].map(lambda t: parse_number(t) if isinstance(t, str) else np.nan)
    bad(values.isna() & text["value"].notna(), "value", "a number such as 78 or 78,5, or blank")
    if issues:
        raise InputError(sorted(issues, key=lambda x: (x.row or 0, str(x.column))))
    out = pd.DataFrame({
        "municipality_id": ids.astype("string"), "municipality": text["municipality"],
        "year": years.astype("int64"), "kpi": text["kpi"], "gender": text["gender"],
        "value": values.astype(float),
    })
    out["kind"] = out["kpi"].map(KIND_OF_KPI)
    out["index"] = out["kpi"].map(INDEX_OF_KPI)
    return out


def _check_kind(kind: str) -> dict[str, str]:
    if kind not in KPIS:
        raise HMEError(f"kind={kind!r} is not supported; expected one of {list(KPIS)}")
    return KPIS[kind]


def gender_scores(
    responses: pd.DataFrame, instruments: InstrumentSet, settings: Settings,
    org: pd.DataFrame | None = None, publication: Publication | None = None,
) -> pd.DataFrame:
    """HME indices of the whole organisation for women (K) and men (M) separately.

    As published (`disclosure`): the root unit's sex breakdown, so a group is NaN unless each
    of its statements has >= `min_n_index` answers AND the other groups (men, 'annat', sex
    missing) could not be recomputed from it and the total T. Without `org`, every unit in
    the responses hangs under one root. Returns `gender, index, n, value`.
    """
    if org is None:
        units = sorted(responses["unit"].dropna().astype(str).unique())
        org = pd.DataFrame({"unit": ["(all)", *units], "name": ["(all)", *units],
                            "parent": [None, *["(all)"] * len(units)]}).astype("string")
    if publication is None:
        publication = decide_publication(responses, org, instruments, settings)
    table = breakdown_table(responses, org, instruments, settings, publication=publication)
    top = table[(table["unit"] == root(org)) & (table["variable"] == "sex")
                & table["group"].isin(list(KOLADA_GENDER))]
    out = top.assign(gender=top["group"].map(KOLADA_GENDER))
    return out.reindex(columns=["gender", "index", "n", "value"]).reset_index(drop=True)


def kolada_rows(
    totals: pd.DataFrame, genders: pd.DataFrame, year: int, municipality_id: str,
    municipality: str, kind: str = "region", own: Sequence[str] = (),
) -> pd.DataFrame:
    """Own values in Kolada's shape from totals (`index, value`) and `gender_scores` (pure).

    `own`: further indices (the organisation's own instruments, HSE, eNPS) as Kolada-like rows
    after the KPIs, their index id as `kpi`, with the same T/K/M and publication rules.
    """
    kpis = dict(_check_kind(kind))
    kpis.update({ix: ix for ix in own if ix not in kpis.values()})
    total = totals.set_index("index")["value"]
    by_gender = genders.set_index(["gender", "index"])["value"]
    rows = []
    for kpi, ix in kpis.items():
        for gender in GENDERS:
            value = total.get(ix, np.nan) if gender == "T" else by_gender.get((gender, ix), np.nan)
            rows.append([municipality_id, municipality, int(year), kpi, gender, float(value)])
    return pd.DataFrame(rows, columns=COLUMNS)


def export_kolada(
    store, year: int, municipality_id: str = "0000", municipality: str | None = None,
    kind: str = "region", settings: Settings | None = None,
    instruments: InstrumentSet | None = None, with_own: bool = False,
) -> pd.DataFrame:
    """The organisation's HME totals for `year` in Kolada's shape (12 rows: 4 KPIs x T/K/M).

    T is the root unit's value in the year's score table; K and M are the root's published sex
    breakdown (`gender_scores`): the same publication decision as every report, so a group
    below `min_n_index`, or one that would reveal such a group against T, gets no value (NaN,
    written blank), never a number. Results stored under other params or code are refused
    (`Store.require_current_results`), as reports refuse them: an export must agree with the
    published reports, so params changed since the ingest need `hme rescore` first.
    `with_own` adds Kolada-like rows for every other index (`kolada_rows`' `own`).
    """
    _check_kind(kind)
    store.require_current_results(year)
    settings = settings or load_settings()
    instruments = instruments or load_instruments()
    responses, org = store.load_responses(year), store.load_org(year)
    publication = decide_publication(responses, org, instruments, settings)
    scores = score_table(responses, org, store.load_headcounts(year), instruments, settings,
                         year, publication=publication)
    totals = scores[scores["level"] == 1]
    genders = gender_scores(responses, instruments, settings, org, publication)
    name = municipality or with_organisation(settings, org).organisation_name
    own = ([ix for ix in instruments.index_ids if ix in set(totals["index"])
            and ix not in KPIS[kind].values()] if with_own else [])
    return kolada_rows(totals, genders, year, municipality_id, name, kind, own)


def benchmark_comparison(
    benchmark: pd.DataFrame, own: pd.DataFrame, similar: Sequence[str] | None = None
) -> pd.DataFrame:
    """The organisation against all others (and a chosen set of similar ones) per year, index
    and gender.

    Returns `year, index, gender, own, n_others, mean_all, median_all, min_all, max_all,
    percentile, diff_mean_all` (+ `mean_similar`, `diff_mean_similar` if `similar` is given).
    `percentile` = share (%) of others with a lower value plus half the ties (mid-rank).
    The organisation's own id is removed from `benchmark` first.
    """
    own_ids = set(own["municipality_id"].astype(str))
    others = benchmark[~benchmark["municipality_id"].astype(str).isin(own_ids)].dropna(
        subset=["value"])
    keys = ["year", "kpi", "gender"]
    rows = []
    for _, o in own.dropna(subset=["value"]).iterrows():
        peer = others.loc[(others[keys] == o[keys]).all(axis=1), ["municipality_id", "value"]]
        v = peer["value"].to_numpy(float)
        row = {
            "year": int(o["year"]), "index": INDEX_OF_KPI[o["kpi"]], "gender": o["gender"],
            "own": float(o["value"]), "n_others": len(v),
            "mean_all": v.mean() if len(v) else np.nan,
            "median_all": float(np.median(v)) if len(v) else np.nan,
            "min_all": v.min() if len(v) else np.nan, "max_all": v.max() if len(v) else np.nan,
            "percentile": 100 * (np.sum(v < o["value"]) + 0.5 * np.sum(v == o["value"])) / len(v)
            if len(v) else np.nan,
        }
        row["diff_mean_all"] = row["own"] - row["mean_all"]
        if similar is not None:
            s = peer.loc[peer["municipality_id"].astype(str).isin(list(similar)), "value"]
            row["mean_similar"] = s.mean() if len(s) else np.nan
            row["diff_mean_similar"] = row["own"] - row["mean_similar"]
        rows.append(row)
    return pd.DataFrame(rows)
