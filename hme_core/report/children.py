"""Views for units that have units below them: the child-unit heat map and the dialogue questions.

Heat map: one row per direct child unit (or, on the index page, per unit of the whole
organisation), one column per index of the stored scores table in its stored order (HME total,
subindices, eNPS, HSE and whatever else an instrument adds, so new indices show up without code),
with n (respondents), response rate and each value's change from last year. Only published
values are read: a value the disclosure rules hid (primary: too few answers; secondary: it would
reveal another unit) is NaN in the store, so its cell stays empty and a footnote gives the
reason; a change is shown only when both years' values are published. Cell colours come from
`heatmap_bands` (0-100 indices) and `heatmap_enps_bands` (eNPS, -100..100) in params/config.yaml.
The five questions for the management dialogue follow the vendor report's process for
non-leaf levels (see docs/sources.md, Reference vendor report).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Collection
from pathlib import Path

import pandas as pd

from hme_core.i18n import fmt_int, fmt_percent, fmt_signed, t
from hme_core.report.document import BulletList, Cell, Paragraph, Section, Table
from hme_core.report.hidden import reason_text
from hme_core.store.duckdb_store import Store

BAND_CLASSES = ("band-low", "band-mid", "band-good", "band-high")
MARKS = {"primary": "¹", "secondary": "²"}
DIALOGUE_QUESTIONS = ("dialogue_q1", "dialogue_q2", "dialogue_q3", "dialogue_q4", "dialogue_q5")


def band(value: float, index: str, bands: list[float], enps_bands: list[float]) -> str:
    """The colour class of a value: below the first threshold 'band-low', ..., from the last 'band-high'.

    >>> band(64.9, "hme", [65, 75, 85], [-20, 0, 20]), band(85, "hme", [65, 75, 85], [-20, 0, 20])
    ('band-low', 'band-high')
    >>> band(0, "enps", [65, 75, 85], [-20, 0, 20])
    'band-good'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    cuts = enps_bands if index == "enps" else bands
    return BAND_CLASSES[min(bisect.bisect_right(cuts, float(value)), len(BAND_CLASSES) - 1)]


def load_scores(db: Path, year: int, parent: str | None = None
                ) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame]:
    """(scores this year, scores of the previous stored year or None, org tree this year);
    with `parent`, the scores of its children only (a report's heat map reads its own rows,
    not the organisation's)."""
    with Store.open(Path(db), read_only=True) as store:
        org = store.load_org(year)
        kids = None if parent is None else org.loc[org["parent"] == parent, "unit"].tolist()
        scores = store.load_result("scores", year, units=kids)
        earlier = [y for y in store.years() if y < year]
        prev = store.load_result("scores", max(earlier), units=kids) if earlier else None
    return scores, prev, org


def heatmap_table(units: list[str], names: dict[str, str], scores: pd.DataFrame,
                  prev: pd.DataFrame | None, index_label, lang: str, decimals: int,
                  bands: list[float], enps_bands: list[float], caption: str,
                  min_n: int | None = None, themes: Collection[str] = ()) -> list:
    """The heat-map table (a `Table` block and its footnote) of `units` with every index in `scores` but `themes` (the
    themes of a dimension, `InstrumentSet.theme_ids`: the heat map shows the dimension, as the
    vendor report does, and the report its themes; a column per theme would not fit A4), and
    its footnote
    (a hidden cell's reason in the words of every report table, `hidden.reason_text`;
    `min_n`: the publication limit it names, by default the configured index limit)."""
    from hme_core.i18n import fmt_number, round_half_up

    if min_n is None:
        from hme_core.config import load_settings

        min_n = load_settings().min_n_index

    indices = [ix for ix in dict.fromkeys(scores["index"]) if ix not in themes]
    # plain dicts, built once: linear in the organisation's size (no pandas lookup per cell)
    # columns as Python lists first: iterating Arrow-backed strings element by element is slow
    col = {c: scores[c].tolist() for c in ("unit", "index", "value", "suppression")}
    keys = list(zip(col["unit"], col["index"], strict=True))
    now = dict(zip(keys, zip(col["value"], col["suppression"], strict=True), strict=True))
    # nobody answered the index's items there (HSE where no one has patient contact): an empty
    # cell, as for an index not asked, not "too few answers"
    unanswered = ({k for k, n in zip(keys, scores["n"].tolist(), strict=True) if not n}
                  if "n" in scores else set())
    firsts = scores.drop_duplicates("unit")
    sizes = dict(zip(firsts["unit"].tolist(), zip(firsts["respondents"].tolist(),
                                                  firsts["response_rate"].tolist(),
                                                  strict=True), strict=True))
    before = (dict(zip(zip(prev["unit"].tolist(), prev["index"].tolist(), strict=True),
                       prev["value"].tolist(), strict=True))
              if prev is not None else {})
    formatted: dict[tuple, str] = {}

    def number(x: float, signed: bool = False) -> str:
        """fmt_number / fmt_signed, once per distinct rounded value (a large organisation's
        heat map has tens of thousands of cells, but few distinct values)."""
        key = (round_half_up(x, decimals), signed)
        if key not in formatted:
            formatted[key] = (fmt_signed if signed else fmt_number)(float(key[0]), decimals,
                                                                    lang)
        return formatted[key]

    reasons_text = {why: reason_text(why, lang, min_n) for why in MARKS}
    header = [t("index_col_unit", lang), "n", t("response_rate", lang),
              *(index_label(ix) for ix in indices)]
    rows, reasons, empty = [], set(), False
    for u in units:
        n_raw, rate_raw = sizes.get(u, (0, math.nan))
        n = int(n_raw) if pd.notna(n_raw) else 0
        rate = float(rate_raw) if pd.notna(rate_raw) else math.nan
        cells: list = [names.get(u, u), fmt_int(n, lang), fmt_percent(rate, decimals, lang)]
        for ix in indices:
            if (u, ix) not in now or (u, ix) in unanswered:
                empty |= (u, ix) in unanswered
                cells.append("")
                continue
            raw, suppression = now[(u, ix)]
            value = float(raw) if pd.notna(raw) else math.nan
            if math.isnan(value):
                why = str(suppression or "primary") if pd.notna(suppression) else "primary"
                why = why if why in MARKS else "primary"
                reasons.add(why)
                cells.append(Cell(MARKS[why], style="suppressed", title=reasons_text[why]))
                continue
            old = before.get((u, ix), math.nan)
            diff = value - float(old) if pd.notna(old) else math.nan
            cells.append(Cell(number(value), sub="" if math.isnan(diff) else number(diff, True),
                              fill=band(value, ix, bands, enps_bands)))
        rows.append(cells)
    notes = [t("heatmap_change_note", lang)] + [
        f"{MARKS.get(w, '¹')} {reason_text(w, lang, min_n)}" for w in sorted(reasons)]
    if empty:
        notes.append(t("heatmap_unanswered_note", lang))
    ncols = len(header)
    return [Table(header, rows, caption=caption, numeric=[False] + [True] * (ncols - 1),
                  # no `auto` track: Typst would measure every cell of the column first
                  # (~0.015 CPU-s of a heat map); n fits a 1fr track up to 5 digits at 7 pt
                  style="data heatmap", widths=["17%", "1fr", "1.3fr", *(["1fr"] * (ncols - 3))]),
            Paragraph(" ".join(notes), "footnote")]


def children_section(report, db: Path) -> Section | None:
    """The heat map of a unit's direct children (None for a leaf unit)."""
    d = report.data
    scores, prev, org = load_scores(db, d.year, parent=d.unit)
    below = org[org["parent"] == d.unit]
    kids = below["unit"].tolist()
    if not kids:
        return None
    names = dict(zip(kids, below["name"].astype(str), strict=True))
    s = d.settings
    low, high = report.num(s.heatmap_bands[0]), report.num(s.heatmap_bands[-1])
    body = [Paragraph(report.t("heatmap_intro", low=low, high=high)), *heatmap_table(
        kids, names, scores, prev, report.index_label, report.lang,
        report.dec, s.heatmap_bands, s.heatmap_enps_bands,
        report.t("heatmap_caption", unit=d.name, year=d.year), s.min_n_index,
        report.instruments.theme_ids)]
    return Section(report.t("heatmap_heading"), body, "children")


def dialogue_section(report) -> Section | None:
    """The five questions for the management dialogue, in reports of units with child units."""
    if report.data.is_leaf:
        return None
    body = [Paragraph(report.t("dialogue_intro")),
            BulletList([report.t(k) for k in DIALOGUE_QUESTIONS], ordered=True, style="dialogue")]
    return Section(report.t("dialogue_heading"), body, "dialogue analysis-question")
