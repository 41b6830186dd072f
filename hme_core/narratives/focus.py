"""Focus areas per unit: what to prioritise, from the organisation's drivers and the unit's gaps.

The management dialogue asks for "the five areas most important to prioritise" (docs/sources.md,
"Reference vendor report"). Like the engagement platforms' focus areas (docs/sources.md,
"Impact × gap"), each statement or theme is ranked by

    priority = weight × shortfall

- `weight`: the organisation's driver weight of the statement or theme for the chosen outcome
  (LMG share of the outcome's variance, with its bootstrap interval; `results/drivers.py`,
  stored as `res_drivers`);
- `shortfall`: the organisation's published value minus the unit's published value (points on
  the 0–100 scale), or the unit's target value minus its value where `params/targets.yaml` sets
  a target value for that indicator and unit (scope; no group);
- counted only when the shortfall is larger than the margin of error, `Z` × the unit's standard
  error (the organisation's value and a target are taken as fixed references).

Up to `FOCUS_N` (5) focus areas, highest priority first, and up to `STRENGTHS_N` (3) strengths to
keep: value above the organisation's by more than the margin, ranked by weight × the surplus.

Only published values are read: a unit whose values are hidden gets no block, a hidden value
(NaN in the stored results) is never a candidate, and nothing here reads a standard error
without its published value, so changing a hidden value cannot change a ranking.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from hme_core.i18n import fmt_int, fmt_number, fmt_percent, fmt_signed, t
from hme_core.instruments import InstrumentSet
from hme_core.narratives.targets import Target, load_targets, scope_unit
from hme_core.orgtree import root
from hme_core.results.unit_data import ReportData
from hme_core.store.duckdb_store import Store

FOCUS_N = 5
STRENGTHS_N = 3
#: The margin of error is Z standard errors of the unit's value (a 95 % interval).
Z = 1.96
VALUE_COLUMNS = ["predictor", "value", "se"]


@dataclass(frozen=True)
class Area:
    """One statement or theme in a unit's block, with the numbers that put it there."""

    predictor: str
    kind: str  # 'item' (a statement) or 'index' (a theme)
    weight: float  # LMG share (0-1) of the outcome's variance
    ci_low: float
    ci_high: float
    value: float  # the unit's published value
    reference: float  # the organisation's published value, or the unit's target
    against: str  # 'organisation' or 'target'
    gap: float  # points below the reference (focus) or above the organisation (strength)
    margin: float  # Z × the unit's standard error
    priority: float  # weight × gap


@dataclass(frozen=True)
class FocusBlock:
    outcome: str
    n: int  # respondents the weights rest on (the largest set)
    focus: tuple[Area, ...]
    strengths: tuple[Area, ...]
    sets: tuple[tuple[str, int], ...] = ()  # (predictor set, respondents) behind the weights
    #: The heaviest predictors with the unit's published value (priority = weight), shown in
    #: the organisation's own report, where nothing lies below the organisation.
    drivers: tuple[Area, ...] = ()
    is_organisation: bool = False


# ---- published values ------------------------------------------------------------------
def published_values(data: ReportData, hidden: frozenset[str] = frozenset()) -> pd.DataFrame:
    """`VALUE_COLUMNS` of the unit's published statements and indices: a statement marked
    suppressed, an index in `hidden` (its suppression flag) and any missing value are left out."""
    frames = []
    st = data.statements
    if len(st):
        shown = st["value"].notna()
        if "suppression" in st:
            shown &= st["suppression"].fillna("").eq("")
        frames.append(st.loc[shown, ["item", "value", "se"]].rename(columns={"item": "predictor"}))
    cmp = data.comparison
    if len(cmp):
        own = cmp[(cmp["series_kind"] == "unit") & cmp["value"].notna()
                  & ~cmp["index"].isin(hidden)]
        frames.append(own[["index", "value", "se"]].rename(columns={"index": "predictor"}))
    if not frames:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    out = pd.concat(frames, ignore_index=True).drop_duplicates("predictor")
    return out.astype({"value": float, "se": float})[VALUE_COLUMNS]


def unit_targets(targets: list[Target], unit: str, org: pd.DataFrame) -> dict[str, float]:
    """{indicator: target value} of the targets set for `unit` itself (no group, with a value)."""
    return {tg.indicator: float(tg.target) for tg in targets
            if tg.group is None and tg.target is not None and scope_unit(tg, org) == unit}


# ---- the ranking (pure) ----------------------------------------------------------------
def rank_focus(weights: pd.DataFrame, unit: pd.DataFrame, organisation: pd.DataFrame,
               targets: Mapping[str, float] | None = None, z: float = Z,
               focus_n: int = FOCUS_N, strengths_n: int = STRENGTHS_N) -> FocusBlock | None:
    """The unit's focus areas and strengths (module docstring), or None without weights.

    `weights`: rows of `res_drivers` (predictor, kind, weight, ci_low, ci_high, n, outcome);
    `unit`, `organisation`: `VALUE_COLUMNS` of published values; `targets`: {predictor: value}.
    Rows with a missing value or standard error are never candidates. Ties keep the weights'
    order.
    """
    if weights is None or weights.empty:
        return None
    targets = dict(targets or {})
    own = unit.dropna(subset=["value", "se"]).drop_duplicates("predictor")
    own = dict(zip(own["predictor"], zip(own["value"], own["se"], strict=True), strict=True))
    ref = organisation.dropna(subset=["value"]).drop_duplicates("predictor")
    ref = dict(zip(ref["predictor"], ref["value"], strict=True))
    focus, strengths, drivers = [], [], []
    for order, w in enumerate(weights.itertuples(index=False)):
        p = str(w.predictor)
        if p not in own or not np.isfinite(w.weight):
            continue
        value, margin = float(own[p][0]), z * float(own[p][1])
        org_value = float(ref.get(p, np.nan))
        against, reference = (("target", targets[p]) if p in targets
                              else ("organisation", org_value))
        common = {"predictor": p, "kind": str(w.kind), "weight": float(w.weight),
                  "ci_low": float(w.ci_low), "ci_high": float(w.ci_high), "value": value,
                  "margin": margin}
        drivers.append((-w.weight, order, Area(**common, reference=org_value,
                                               against="organisation", gap=value - org_value,
                                               priority=float(w.weight))))
        if np.isfinite(reference) and reference - value > margin:
            gap = reference - value
            focus.append((-w.weight * gap, order, Area(**common, reference=reference,
                                                       against=against, gap=gap,
                                                       priority=w.weight * gap)))
        if np.isfinite(org_value) and value - org_value > margin:
            gap = value - org_value
            strengths.append((-w.weight * gap, order, Area(**common, reference=org_value,
                                                           against="organisation", gap=gap,
                                                           priority=w.weight * gap)))
    pick = lambda found, n: tuple(a for *_, a in sorted(found, key=lambda x: x[:2])[:n])  # noqa: E731
    sets = tuple((str(k), int(n)) for k, n in weights.groupby("predictor_set", sort=False)["n"]
                 .max().items()) if "predictor_set" in weights else ()
    return FocusBlock(outcome=str(weights["outcome"].iloc[0]), n=int(weights["n"].max()),
                      sets=sets,
                      focus=pick(focus, focus_n), strengths=pick(strengths, strengths_n),
                      drivers=pick(drivers, focus_n))


# ---- reading the store -----------------------------------------------------------------
_ORGANISATION: dict[tuple, tuple] = {}


def hidden_indices(store: Store, year: int, unit: str) -> frozenset[str]:
    """The indices of `unit` whose suppression flag is set (flags are public, like n)."""
    flags = store.load_result("scores", year, units=[unit])
    if flags.empty:
        return frozenset()
    return frozenset(flags.loc[flags["suppression"].fillna("").ne(""), "index"].astype(str))


def _file_state(path: Path) -> tuple:
    """Size and modification time of the store file and its WAL (a re-ingest changes them)."""
    return tuple((st.st_size, st.st_mtime_ns) for p in (path, Path(f"{path}.wal"))
                 if (st := (p.stat() if p.exists() else None)) is not None)


def organisation_values(store: Store, year: int, top: str) -> pd.DataFrame:
    """`VALUE_COLUMNS` of the organisation's published statements and indices: the root unit's
    rows of the stored result tables, as a report of the root shows them (a row whose
    suppression flag is set, or without a value, is left out). Two small reads, so a report in
    a fresh process does not load the root's whole report data for a reference."""
    frames = []
    for name, key in (("statements", "item"), ("scores", "index")):
        rows = store.load_result(name, year, units=[top])
        if len(rows):
            shown = rows["suppression"].fillna("").eq("") & rows["value"].notna()
            frames.append(rows.loc[shown, [key, "value", "se"]].rename(columns={key: "predictor"}))
    if not frames:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    out = pd.concat(frames, ignore_index=True).drop_duplicates("predictor")
    return out.astype({"value": float, "se": float})[VALUE_COLUMNS]


def _organisation(store: Store, year: int) -> tuple[pd.DataFrame, str, pd.DataFrame, pd.DataFrame]:
    """(org tree, root unit, stored weights, the root's published values) of a year, read once
    per process while the store file is unchanged (narrative files are made for every unit)."""
    path = Path(store.path).resolve()
    key = (str(path), _file_state(path), year, store.results_fingerprint(year))
    if key not in _ORGANISATION:
        org = store.load_org(year)
        top = root(org)
        weights = store.load_result("drivers", year, units=[top])
        _ORGANISATION.clear()
        _ORGANISATION[key] = (org, top, weights, organisation_values(store, year, top))
    return _ORGANISATION[key]


def load_focus(store: Store, data: ReportData, instruments: InstrumentSet,
               targets: list[Target] | None = None) -> FocusBlock | None:
    """The block of the unit of `data` (its published values) against the organisation's
    published values, the stored weights of the year and the unit's targets; None for a unit
    whose values are hidden (its HME total is suppressed) or a year without weights."""
    hidden = hidden_indices(store, data.year, data.unit)
    if data.suppressed or "hme" in hidden:
        return None
    org, top, weights, organisation = _organisation(store, data.year)
    if weights.empty:
        return None
    if targets is None:
        targets = load_targets(instruments=instruments)
    block = rank_focus(weights, published_values(data, hidden), organisation,
                       unit_targets(targets, data.unit, org))
    return replace(block, is_organisation=data.unit == top) if block else None


# ---- texts ---------------------------------------------------------------------------
def outcome_label(outcome: str, instruments: InstrumentSet, lang: str,
                  organisation: str = "") -> str:
    """'eNPS' for the recommendation question, else the question's text in quotes."""
    if outcome == "enps":
        return "eNPS"
    text = instruments.instrument_of_item(outcome).item(outcome).text(lang, organisation)
    return f"”{text.rstrip('. ')}”" if lang == "sv" else f"“{text.rstrip('. ')}”"


def predictor_label(area: Area, instruments: InstrumentSet, lang: str,
                    organisation: str = "") -> str:
    """A statement's text (without its full stop) or a theme's name."""
    if area.kind == "item":
        item = instruments.instrument_of_item(area.predictor).item(area.predictor)
        return item.text(lang, organisation).rstrip(". ")
    return instruments.index_name(area.predictor, lang)


def _interval(area: Area, lang: str) -> str:
    if not (np.isfinite(area.ci_low) and np.isfinite(area.ci_high)):
        return ""
    return t("focus_interval", lang, low=fmt_percent(area.ci_low, 1, lang),
             high=fmt_percent(area.ci_high, 1, lang))


def area_numbers(area: Area, lang: str, decimals: int, outcome: str) -> str:
    """The numbers that put an area in the block, as one phrase: value, reference, difference,
    margin of error, weight with its interval, priority."""
    key = "focus_numbers_target" if area.against == "target" else "focus_numbers"
    interval = _interval(area, lang)
    return t(key, lang, value=fmt_number(area.value, decimals, lang),
             reference=fmt_number(area.reference, decimals, lang),
             gap=fmt_signed(area.value - area.reference, decimals, lang),
             margin=fmt_number(area.margin, decimals, lang),
             weight=fmt_percent(area.weight, 1, lang), interval=interval, outcome=outcome,
             priority=fmt_number(area.priority, 2, lang))


def focus_lines(block: FocusBlock, instruments: InstrumentSet, lang: str, decimals: int,
                organisation: str = "") -> dict[str, list[str]]:
    """Plain-text lines by kind: `focus_areas` (with the meaning sentence last, or the line
    saying there is none) and `focus_strengths` (left out when there is none)."""
    outcome = outcome_label(block.outcome, instruments, lang, organisation)

    def line(area: Area) -> str:
        return (f"{predictor_label(area, instruments, lang, organisation)}: "
                f"{area_numbers(area, lang, decimals, outcome)}")

    none = "focus_none_organisation" if block.is_organisation else "focus_none"
    focus = [line(a) for a in block.focus] or [t(none, lang)]
    out = {"focus_areas": [*focus, focus_meaning(block, instruments, lang, organisation)]}
    if block.strengths:
        out["focus_strengths"] = [line(a) for a in block.strengths]
    if block.is_organisation and block.drivers:
        out["focus_drivers"] = [
            f"{predictor_label(a, instruments, lang, organisation)}: "
            + t("focus_driver_numbers", lang, value=fmt_number(a.value, decimals, lang),
                weight=fmt_percent(a.weight, 1, lang), outcome=outcome,
                interval=_interval(a, lang)) for a in block.drivers]
    return out


def weights_basis(block: FocusBlock, instruments: InstrumentSet, lang: str) -> str:
    """'6 131 svarande för Hållbart medarbetarengagemang (HME), 7 077 för …': who the weights
    rest on, per weighed set (a respondent counts in a set when they answered all of it)."""
    parts = []
    for k, (set_id, n) in enumerate(block.sets or (("", block.n),)):
        try:
            name = instruments[set_id].name(lang)
        except KeyError:
            name = set_id
        key = "focus_basis_first" if k == 0 else "focus_basis_next"
        parts.append(t(key, lang, n=fmt_int(n, lang), name=name).strip())
    return ", ".join(parts)


def focus_meaning(block: FocusBlock, instruments: InstrumentSet, lang: str,
                  organisation: str = "") -> str:
    """The one sentence on what the ranking does and does not mean."""
    return t("focus_meaning", lang, outcome=outcome_label(block.outcome, instruments, lang,
                                                          organisation))


def focus_table(areas: tuple[Area, ...], instruments: InstrumentSet, lang: str, decimals: int,
                outcome: str, organisation: str = "") -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a table of areas for any renderer: statement or theme, the unit's
    value, the reference (the organisation's value, or the unit's target marked as such), the
    difference with the margin of error, the weight with its interval, the priority."""
    header = [t("focus_col_area", lang), t("focus_col_value", lang),
              t("focus_col_reference", lang), t("focus_col_diff", lang),
              t("focus_col_weight", lang, outcome=outcome), t("focus_col_priority", lang)]
    rows = []
    for a in areas:
        reference = fmt_number(a.reference, decimals, lang)
        rows.append([
            predictor_label(a, instruments, lang, organisation),
            fmt_number(a.value, decimals, lang),
            t("focus_reference_target", lang, value=reference) if a.against == "target"
            else reference,
            t("focus_diff", lang, diff=fmt_signed(a.value - a.reference, decimals, lang),
              margin=fmt_number(a.margin, decimals, lang)),
            weight_text(a, lang),
            fmt_number(a.priority, 2, lang),
        ])
    return header, rows


def weight_text(area: Area, lang: str) -> str:
    """'57,9 % (50,4–63,2)': the weight as a share of the outcome's variation, with its interval."""
    text = fmt_percent(area.weight, 1, lang)
    if np.isfinite(area.ci_low) and np.isfinite(area.ci_high):
        text += f" ({fmt_number(100 * area.ci_low, 1, lang)}–{fmt_number(100 * area.ci_high, 1, lang)})"
    return text
