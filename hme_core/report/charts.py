"""Report figures: index comparison, stoplight and eNPS charts, each with its HTML legend.

Every figure function takes tidy data (one row per drawn value, already scored, suppressed and
labelled by the report layer), draws it in the given row order and returns a matplotlib Figure;
its legend is HTML under the image (`*_legend` here, drawn by `report/legend.py`), and the
`*_html` functions put figure and legend together. Styling lives in one place
(`figure_parts.style`, with the figure, bars and embedding every chart shares; the palette
constants below). Colour never carries meaning alone: bars have their value printed,
comparison markers differ by shape or fill as well as colour (the tables under the charts carry
every number). Missing or suppressed values (NaN) draw nothing; a unit's missing bar is
labelled '–'.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from hme_core.i18n import MISSING, check_lang, fmt_number, fmt_percent, fmt_signed, t
from hme_core.report.figure_parts import (  # the Agg backend unless pyplot is already in use
    INK,
    bars,
    despine,
    figure_html,
    fit,
    new_figure,
    row_labels,
    stacked_bars,
    style,
)
from hme_core.report.figure_reuse import reusable
from hme_core.report.legend import LegendKey

UNIT_COLOUR = "#1B4F72"  # the unit's own current result: strong navy
# comparison markers (shape, colour): parent, grandparent, …: filled; earlier years: open; the
# shapes are those the HTML legend can draw (legend.SHAPES)
ANCESTOR_MARKERS = (("D", "#C0561B"), ("s", "#6C3483"), ("^", "#1E8449"), ("o", "#7B7D7D"))
PREVIOUS_MARKERS = (("o", "#1F2933"), ("s", "#5D6D7E"), ("D", "#85929E"))
# index chart geometry (inches): margin above, one row per index, x axis with its label
INDEX_TOP_IN, INDEX_ROW_IN, INDEX_AXIS_IN = 0.06, 0.3, 0.5
# Stoplight (docs/sources.md): dark red (1) → red → yellow → light green → dark green (5).
STOPLIGHT_COLOURS = {1: "#A3262A", 2: "#E0705F", 3: "#F2C94C", 4: "#9ACB84", 5: "#2F7D45"}
ENPS_COLOURS = {"promoters": STOPLIGHT_COLOURS[5], "passive": STOPLIGHT_COLOURS[3],
                "detractors": STOPLIGHT_COLOURS[2]}


def _require(data: pd.DataFrame, columns: Sequence[str], func: str) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"{func}: data lacks column(s) {missing}; expected {list(columns)}")


def _unique(values: Iterable[object]) -> list:
    """Distinct values in first-seen order (the order the report layer chose)."""
    return list(dict.fromkeys(values))


def _series_markers(kinds: dict) -> dict[str, tuple[str, str, bool]]:
    """(shape, colour, filled) per comparison series: ancestors filled shapes in distinct
    colours (parent first), earlier years open shapes; shape or fill differs as well as colour,
    so colour never carries meaning alone."""
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


def _marker_style(shape: str, colour: str, filled: bool) -> dict:
    if filled:
        return {"marker": shape, "markerfacecolor": colour, "markeredgecolor": "white",
                "markeredgewidth": 0.7, "markersize": 7}
    return {"marker": shape, "markerfacecolor": "white", "markeredgecolor": colour,
            "markeredgewidth": 1.4, "markersize": 6.5}


def _series_kinds(data: pd.DataFrame) -> dict:
    """Each series' kind, series in first-seen order (the first row of a series decides)."""
    kinds: dict = {}
    for name, kind in zip(data["series"], data["series_kind"], strict=True):
        kinds.setdefault(name, kind)
    return kinds


def _first_values(data: pd.DataFrame, indices: Sequence, series: Iterable) -> dict:
    """Per series, its first non-missing ``value`` at each of `indices` (NaN where it has
    none): what ``pivot_table(aggfunc="first")`` gives, for a chart's few rows without its
    cost (a quarter of building an index chart here).

    >>> d = pd.DataFrame({"index": ["a", "a", "b"], "series": ["u", "u", "u"],
    ...                   "value": [None, 5.0, 7.0]})
    >>> _first_values(d, ["b", "a", "c"], ["u"])["u"].tolist()
    [7.0, 5.0, nan]
    """
    first: dict = {}
    values = data["value"].to_numpy(dtype=float, na_value=np.nan)
    for index, name, value in zip(data["index"], data["series"], values, strict=True):
        if not np.isnan(value):
            first.setdefault((index, name), value)
    return {name: np.array([first.get((i, name), np.nan) for i in indices], dtype=float)
            for name in series}


def index_comparison_figure(data: pd.DataFrame, lang: str = "sv") -> Figure:
    """One row per index: the unit's current value as a bar with its value printed, every
    comparison (levels above, earlier years) as a marker on the same row.

    `data` columns: ``series`` (legend label), ``series_kind`` ('unit' | 'ancestor' |
    'previous'), ``index`` (display label), ``value`` (0–100; NaN = suppressed: the unit's bar
    is replaced by '–', a comparison draws no marker). Indices and series are drawn in the order
    they first appear; a row is 0.3 inch whatever the number of series (the tables under the
    charts carry every number). The legend is `index_comparison_legend`.
    """
    _require(data, ("series", "series_kind", "index", "value"), "index_comparison_figure")
    check_lang(lang)
    indices = _unique(data["index"])
    kinds = _series_kinds(data)
    markers = _series_markers(kinds)
    wide = _first_values(data, indices, kinds)
    y = np.arange(len(indices))
    height = INDEX_TOP_IN + INDEX_ROW_IN * len(indices) + INDEX_AXIS_IN
    with style():
        fig, ax = new_figure(height)
        for name in [name for name, kind in kinds.items() if kind == "unit"]:
            values = wide[name]
            drawn = ~np.isnan(values)
            bars(ax, y[drawn], np.zeros(drawn.sum()), values[drawn], UNIT_COLOUR, "none", 0)
            for yi, v in zip(y, values, strict=True):
                inside = not np.isnan(v) and v >= 12
                ax.text(1.2 if inside else (v if np.isfinite(v) else 0) + 1.2, yi,
                        MISSING if np.isnan(v) else fmt_number(v, 1, lang), va="center",
                        ha="left", fontsize=8, fontweight="bold",
                        color="white" if inside else INK)
        for name, marker in markers.items():
            values = wide[name]
            drawn = ~np.isnan(values)
            ax.plot(values[drawn], y[drawn], linestyle="none", zorder=3, label=str(name),
                    **_marker_style(*marker))
        row_labels(ax, y, indices)
        ax.set_ylim(len(indices) - 0.5, -0.5)
        ax.set_xlim(0, 100)
        ax.set_xticks(range(0, 101, 20))
        ax.set_xlabel(t("index_axis", lang))
        ax.grid(axis="y", visible=False)
        despine(ax, left=True)
        fit(fig, ax, INDEX_TOP_IN, INDEX_AXIS_IN, 0.2)
    return fig


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


@reusable
def index_chart_html(data: pd.DataFrame, lang: str, alt: str) -> str:
    """`index_comparison_figure` with its legend, as an HTML figure."""
    return figure_html(index_comparison_figure(data, lang), alt=alt,
                       legend=index_comparison_legend(data))


def stoplight_colours(k: int) -> list[str]:
    """k colours from worst (dark red) to best (dark green); k = 5 gives STOPLIGHT_COLOURS.

    >>> stoplight_colours(2)
    ['#a3262a', '#2f7d45']
    """
    base = np.array([to_rgb(STOPLIGHT_COLOURS[c]) for c in range(1, 6)])
    pos = np.linspace(0, 4, k)
    rgb = np.column_stack([np.interp(pos, np.arange(5), base[:, j]) for j in range(3)])
    return ["#" + "".join(f"{round(v * 255):02x}" for v in row) for row in rgb]


def _check_codes(labels: Sequence[str], codes: Sequence[int] | None) -> list[int]:
    codes = list(codes) if codes is not None else list(range(1, len(labels) + 1))
    if len(labels) != len(codes) or not 2 <= len(codes) <= 11:
        raise ValueError(f"stoplight_figure: labels must name each of the 2-11 answer codes "
                         f"{codes}; got {labels}")
    return codes


def stoplight_figure(data: pd.DataFrame, labels: list[str], lang: str = "sv",
                     title: str | None = None, codes: Sequence[int] | None = None) -> Figure:
    """100 % stacked bars of answer shares per statement (stoplight chart, docs/sources.md).

    `data` columns: ``statement`` (text, wrapped at ~45 characters), ``code``,
    ``share`` (0–1), ``n`` (answers to the statement). `labels` are the answer texts of
    `codes` (default 1..len(labels)), worst first: any scale of 2 to 11 options. As in the
    vendor report's legend (`stoplight_legend`), the best answer (dark green) comes first, on
    the left; shares ≥ 6 % are printed inside their segment and 'n = …' at the right of each bar.
    """
    _require(data, ("statement", "code", "share", "n"), "stoplight_figure")
    check_lang(lang)
    codes = _check_codes(labels, codes)
    colours = dict(zip(codes, stoplight_colours(len(codes)), strict=True))
    statements = _unique(data["statement"])
    share_of: dict = {}
    for key, share in zip(zip(data["statement"], data["code"], strict=True),
                          data["share"].to_numpy(dtype=float, na_value=np.nan), strict=True):
        share_of.setdefault(key, share)
    n_of: dict = {}  # a statement's first known n
    for statement, n in zip(data["statement"], data["n"], strict=True):
        if not pd.isna(n):
            n_of.setdefault(statement, n)
    ns = [n_of.get(s, np.nan) for s in statements]
    wrapped = [textwrap.fill(str(s), 45) for s in statements]
    lines = sum(w.count("\n") + 1 for w in wrapped)
    top_in = 0.32 if title else 0.06
    height = top_in + 0.2 * len(statements) + 0.15 * lines + 0.06
    segments = [(np.array([share_of.get((s, code), np.nan) for s in statements], dtype=float),
                 colours[code]) for code in reversed(codes)]
    with style():
        fig, ax = new_figure(height)
        y = np.arange(len(statements))
        stacked_bars(ax, y, segments, 0.06, lambda s: fmt_percent(s, 0, lang))
        row_labels(ax, y, wrapped)
        for yi, n in zip(y, ns, strict=True):
            ax.text(1.015, yi, t("n_equals", lang, n=fmt_number(n, 0, lang)), va="center",
                    ha="left", fontsize=7.5, color="#52606D", transform=ax.get_yaxis_transform())
        if title:
            fig.suptitle(title, x=0.01, y=1 - 0.04 / height, ha="left", va="top")
        fit(fig, ax, top_in, 0.06, 0.75)
    return fig


def stoplight_legend(labels: Sequence[str], codes: Sequence[int] | None = None) -> list[LegendKey]:
    """The answers with their colours, best first (as the bars' segments).

    >>> [(k.label, k.colour) for k in stoplight_legend(["Nej", "Ja"])]
    [('Ja', '#2f7d45'), ('Nej', '#a3262a')]
    """
    codes = _check_codes(labels, codes)
    colours = stoplight_colours(len(codes))
    return [LegendKey(str(label), colour)
            for label, colour in reversed(list(zip(labels, colours, strict=True)))]


@reusable
def stoplight_html(data: pd.DataFrame, labels: list[str], lang: str, alt: str,
                   codes: Sequence[int] | None = None) -> str:
    """`stoplight_figure` with its legend, as an HTML figure."""
    return figure_html(stoplight_figure(data, labels, lang, codes=codes), alt=alt,
                       legend=stoplight_legend(labels, codes))


def _enps_segments(lang: str) -> list[tuple[str, str, str]]:
    """(legend label, data column, colour) of the eNPS groups, promoters first as in the vendor
    report ("Ambassadörer, Passiva, Kritiker")."""
    return [(t(f"enps_{key}", lang) + f" ({points})", col, ENPS_COLOURS[col])
            for key, col, points in (("promoters", "promoters", "9–10"),
                                     ("passives", "passive", "7–8"),
                                     ("detractors", "detractors", "0–6"))]


def enps_figure(data: pd.DataFrame, lang: str = "sv") -> Figure:
    """Stacked bars of promoters / passives / detractors per series, eNPS written at the right.

    `data` columns: ``series`` (label), ``detractors_pct``, ``passive_pct``, ``promoters_pct``
    (0–100), ``enps`` (−100..100; eNPS = % promoters − % detractors; docs/sources.md). Promoters
    come first on the left; the legend is `enps_legend`.
    """
    cols = ("series", "detractors_pct", "passive_pct", "promoters_pct", "enps")
    _require(data, cols, "enps_figure")
    check_lang(lang)
    segments = [(data[f"{col}_pct"].to_numpy(dtype=float) / 100, colour)
                for _, col, colour in _enps_segments(lang)]
    with style():
        fig, ax = new_figure(0.06 + 0.42 * len(data) + 0.06)
        y = np.arange(len(data))
        stacked_bars(ax, y, segments, 0.09, lambda s: fmt_percent(s, 1, lang))
        row_labels(ax, y, [textwrap.fill(str(s), 28) for s in data["series"]])
        for yi, value in zip(y, data["enps"], strict=True):
            ax.text(1.02, yi, t("enps_value", lang, value=fmt_signed(value, 1, lang)),
                    va="center", ha="left", fontsize=8.5, fontweight="bold",
                    transform=ax.get_yaxis_transform())
        fit(fig, ax, 0.06, 0.06, 0.95)
    return fig


def enps_legend(lang: str = "sv") -> list[LegendKey]:
    """Promoters, passives, detractors with their score ranges and colours."""
    return [LegendKey(label, colour) for label, _, colour in _enps_segments(lang)]


@reusable
def enps_html(data: pd.DataFrame, lang: str, alt: str) -> str:
    """`enps_figure` with its legend, as an HTML figure."""
    return figure_html(enps_figure(data, lang), alt=alt, legend=enps_legend(lang))


def warm_up_figure() -> Figure:
    """A small figure with the report's texts, bars and markers (draws fonts into caches)."""
    data = pd.DataFrame({"series": ["a", "b"], "series_kind": ["unit", "previous"],
                         "index": ["x", "x"], "value": [50.0, 60.0]})
    return index_comparison_figure(data)
