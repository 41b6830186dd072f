"""Report charts as descriptions: what each kind shows (data, colours, printed texts), not how
it is drawn. `report/svg.py` draws a description as SVG, the same picture in the HTML page
(inline) and in the PDF (an SVG image); each chart's legend is text under it
(`report/legend.py` in HTML, the Typst renderer in the PDF).

Kinds: the index comparison (`IndexChart`: one row per index, the unit's value as a bar,
comparisons as markers), and 100 % stacked bars (`StackedChart`: stoplights of answer shares,
eNPS groups). Every row of a stacked chart carries its own segments with their category label
and colour in the order the caller gives: a scale whose favourable answer is its first code,
or a scale with its own colours, is data here, not code.

Colour never carries meaning alone: bars have their value printed, comparison markers differ
by shape or fill as well as colour, and the tables under the charts carry every number.
Missing or suppressed values (NaN) draw nothing; a unit's missing bar is labelled '–'.
Palettes: docs/sources.md (stoplight colours of the vendor report).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from hme_core.i18n import MISSING, check_lang, fmt_number, fmt_percent, fmt_signed, t
from hme_core.report.document import Chart
from hme_core.report.legend import LegendKey

UNIT_COLOUR = "#1B4F72"  # the unit's own current result: strong navy
# comparison markers (shape, colour): parent, grandparent, …: filled; earlier years: open; the
# shapes are those the HTML legend can draw (legend.SHAPES)
ANCESTOR_MARKERS = (("D", "#C0561B"), ("s", "#6C3483"), ("^", "#1E8449"), ("o", "#7B7D7D"))
PREVIOUS_MARKERS = (("o", "#1F2933"), ("s", "#5D6D7E"), ("D", "#85929E"))
# Stoplight (docs/sources.md): dark red (1) → red → yellow → light green → dark green (5).
STOPLIGHT_COLOURS = {1: "#A3262A", 2: "#E0705F", 3: "#F2C94C", 4: "#9ACB84", 5: "#2F7D45"}
ENPS_COLOURS = {"promoters": STOPLIGHT_COLOURS[5], "passive": STOPLIGHT_COLOURS[3],
                "detractors": STOPLIGHT_COLOURS[2]}
STOPLIGHT_MIN_SHARE, ENPS_MIN_SHARE = 0.06, 0.09  # narrower segments print no share


@dataclass
class MarkerSeries:
    """A comparison series of an index chart: its legend key and one value per row."""

    key: LegendKey
    values: list[float]


@dataclass
class IndexChart:
    """Rows of indices: the unit's value as a bar with `bar_texts` printed, comparison series
    as markers on the same row, an x axis 0–100 labelled `axis_label`."""

    rows: list[str]
    bars: list[float]
    bar_texts: list[str]
    markers: list[MarkerSeries]
    axis_label: str


@dataclass
class Segment:
    """A part of a 100 % bar: its share (0–1), colour, category and the text printed inside."""

    share: float
    colour: str
    label: str
    text: str = ""


@dataclass
class BarRow:
    """A row of a stacked chart: its label, segments left to right, and a note at the right
    ('n = 12', 'eNPS +4,0')."""

    label: str
    segments: list[Segment]
    note: str = ""
    note_bold: bool = False


@dataclass
class StackedChart:
    rows: list[BarRow]
    min_share: float = STOPLIGHT_MIN_SHARE
    wrap: int = 45  # characters per line of a row label
    note_width: float = 54.0  # points right of the bars for the notes
    row_height: float = 14.4  # points per row, plus `line_height` per label line
    line_height: float = 10.8
    categories: list[LegendKey] = field(default_factory=list)


def _require(data: pd.DataFrame, columns: Sequence[str], func: str) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"{func}: data lacks column(s) {missing}; expected {list(columns)}")


def _unique(values: Iterable[object]) -> list:
    """Distinct values in first-seen order (the order the report layer chose)."""
    return list(dict.fromkeys(values))


def _series_kinds(data: pd.DataFrame) -> dict:
    """Each series' kind, series in first-seen order (the first row of a series decides)."""
    kinds: dict = {}
    for name, kind in zip(data["series"], data["series_kind"], strict=True):
        kinds.setdefault(name, kind)
    return kinds


def _series_markers(kinds: dict) -> dict[str, tuple[str, str, bool]]:
    """(shape, colour, filled) per comparison series: ancestors filled shapes in distinct
    colours (parent first), earlier years open shapes."""
    markers: dict[str, tuple[str, str, bool]] = {}
    counters = {"ancestor": 0, "previous": 0}
    for name, kind in kinds.items():
        if kind == "unit":
            continue
        if kind not in counters:
            raise ValueError(f"series_kind must be 'unit', 'ancestor' or 'previous'; got {kind!r}")
        palette = ANCESTOR_MARKERS if kind == "ancestor" else PREVIOUS_MARKERS
        shape, colour = palette[counters[kind] % len(palette)]
        counters[kind] += 1
        markers[name] = (shape, colour, kind == "ancestor")
    return markers


def _first_values(data: pd.DataFrame, indices: Sequence, name) -> list[float]:
    """A series' first non-missing value at each of `indices` (NaN where it has none)."""
    first: dict = {}
    for index, series, value in zip(data["index"], data["series"], data["value"], strict=True):
        if series == name and value is not None and not pd.isna(value):
            first.setdefault(index, float(value))
    return [first.get(i, math.nan) for i in indices]


def index_comparison(data: pd.DataFrame, lang: str = "sv") -> IndexChart:
    """The index chart of tidy `data`: columns ``series`` (legend label), ``series_kind``
    ('unit' | 'ancestor' | 'previous'), ``index`` (display label), ``value`` (0–100, NaN =
    suppressed). Indices and series in the order they first appear."""
    _require(data, ("series", "series_kind", "index", "value"), "index_comparison")
    check_lang(lang)
    indices = _unique(data["index"])
    kinds = _series_kinds(data)
    unit = next((name for name, kind in kinds.items() if kind == "unit"), None)
    values = _first_values(data, indices, unit) if unit is not None else [math.nan] * len(indices)
    markers = [MarkerSeries(LegendKey(str(name), colour, shape, filled),
                            _first_values(data, indices, name))
               for name, (shape, colour, filled) in _series_markers(kinds).items()]
    return IndexChart([str(i) for i in indices], values,
                      [MISSING if math.isnan(v) else fmt_number(v, 1, lang) for v in values],
                      markers, t("index_axis", lang))


def index_comparison_legend(data: pd.DataFrame) -> list[LegendKey]:
    """The index chart's legend: the unit's bar, then each comparison's marker, in series order.

    >>> d = pd.DataFrame({"series": ["Avd 2025", "Region 2025", "Avd 2024"],
    ...                   "series_kind": ["unit", "ancestor", "previous"]})
    >>> [(k.label, k.shape, k.filled) for k in index_comparison_legend(d)]
    [('Avd 2025', 'bar', True), ('Region 2025', 'D', True), ('Avd 2024', 'o', False)]
    """
    kinds = _series_kinds(data)
    markers = _series_markers(kinds)
    return [LegendKey(str(name), UNIT_COLOUR) if kind == "unit"
            else LegendKey(str(name), markers[name][1], markers[name][0], markers[name][2])
            for name, kind in kinds.items()]


def index_chart(data: pd.DataFrame, lang: str, alt: str) -> Chart:
    """The index comparison as a report block (description, alt text, legend)."""
    return Chart(index_comparison(data, lang), alt, index_comparison_legend(data))


def stoplight_colours(k: int) -> list[str]:
    """k colours from worst (dark red) to best (dark green), interpolated in RGB between the
    five stoplight colours; k = 5 gives STOPLIGHT_COLOURS.

    >>> stoplight_colours(2)
    ['#a3262a', '#2f7d45']
    """
    base = [tuple(int(STOPLIGHT_COLOURS[c][i:i + 2], 16) / 255 for i in (1, 3, 5))
            for c in range(1, 6)]
    out = []
    for j in range(k):
        pos = 4 * j / (k - 1) if k > 1 else 0
        lo = min(int(pos), 3)
        f = pos - lo
        rgb = [base[lo][c] + (base[lo + 1][c] - base[lo][c]) * f for c in range(3)]
        out.append("#" + "".join(f"{round(v * 255):02x}" for v in rgb))
    return out


def scale_categories(labels: Sequence[str], worst_first: bool = True) -> list[LegendKey]:
    """The answer options of a scale as chart categories in display order, best first (as
    the vendor report's legend), coloured dark green (best) to dark red (worst). `labels` in
    code order; `worst_first`: the scale's first code is its least favourable answer (HME's
    1–5); a scale whose first code is the favourable one passes False.

    >>> [(k.label, k.colour) for k in scale_categories(["Nej", "Ja"])]
    [('Ja', '#2f7d45'), ('Nej', '#a3262a')]
    >>> [k.label for k in scale_categories(["Ja", "Nej"], worst_first=False)]
    ['Ja', 'Nej']
    """
    if not 2 <= len(labels) <= 11:
        raise ValueError(f"a stoplight needs 2-11 answer options; got {list(labels)}")
    ordered = list(labels) if worst_first else list(reversed(labels))
    pairs = list(zip(ordered, stoplight_colours(len(ordered)), strict=True))
    return [LegendKey(str(label), colour) for label, colour in reversed(pairs)]


def stoplight(rows: Sequence[tuple], categories: Sequence[LegendKey] = (),
              lang: str = "sv") -> StackedChart:
    """Stoplight bars: per statement a 100 % bar of its answer shares, shares ≥ 6 % printed
    inside, 'n = …' at the right. A row is (text, shares, n) with shares in the order of
    `categories`, or (text, shares, n, its own categories) for a statement on another scale;
    the legend lists every category once, in the order first drawn."""
    check_lang(lang)
    bars, legend = [], {}
    for row in rows:
        text, shares, n = row[:3]
        cats = list(row[3]) if len(row) > 3 else list(categories)
        if len(shares) != len(cats):
            raise ValueError(f"stoplight: {len(cats)} categories but {len(shares)} shares "
                             f"for {text!r}")
        segments = [Segment(0.0 if pd.isna(s) else float(s), k.colour, k.label,
                            fmt_percent(s, 0, lang)) for s, k in zip(shares, cats, strict=True)]
        legend.update({(k.label, k.colour): k for k in cats})
        bars.append(BarRow(str(text), segments, t("n_equals", lang, n=fmt_number(n, 0, lang))))
    return StackedChart(bars, STOPLIGHT_MIN_SHARE, categories=list(legend.values()))


def stoplight_chart(rows, categories: Sequence[LegendKey], lang: str, alt: str) -> Chart:
    """`stoplight` as a report block, its legend the categories drawn."""
    spec = stoplight(rows, categories, lang)
    return Chart(spec, alt, spec.categories)


def enps_categories(lang: str) -> list[tuple[LegendKey, str]]:
    """(legend key, data column) of the eNPS groups, promoters first as in the vendor report
    ("Ambassadörer, Passiva, Kritiker")."""
    return [(LegendKey(t(f"enps_{key}", lang) + f" ({points})", ENPS_COLOURS[col]), col)
            for key, col, points in (("promoters", "promoters", "9–10"),
                                     ("passives", "passive", "7–8"),
                                     ("detractors", "detractors", "0–6"))]


def enps(data: pd.DataFrame, lang: str = "sv") -> StackedChart:
    """Stacked bars of promoters / passives / detractors per series, eNPS at the right.

    `data` columns: ``series``, ``detractors_pct``, ``passive_pct``, ``promoters_pct``
    (0–100), ``enps`` (−100..100; eNPS = % promoters − % detractors; docs/sources.md)."""
    cols = ("series", "detractors_pct", "passive_pct", "promoters_pct", "enps")
    _require(data, cols, "enps")
    check_lang(lang)
    cats = enps_categories(lang)
    rows = []
    for _, r in data.iterrows():
        segments = [Segment(float(r[f"{col}_pct"]) / 100, k.colour, k.label,
                            fmt_percent(float(r[f"{col}_pct"]) / 100, 1, lang))
                    for k, col in cats]
        rows.append(BarRow(str(r["series"]), segments,
                           t("enps_value", lang, value=fmt_signed(r["enps"], 1, lang)), True))
    return StackedChart(rows, ENPS_MIN_SHARE, wrap=28, note_width=68.0, row_height=30.0,
                        line_height=0.0, categories=[k for k, _ in cats])


def enps_chart(data: pd.DataFrame, lang: str, alt: str) -> Chart:
    """`enps` as a report block."""
    spec = enps(data, lang)
    return Chart(spec, alt, spec.categories)
