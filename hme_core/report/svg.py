"""Chart descriptions (`report/charts.py`) drawn as SVG: the geometry of every report chart.

One drawing serves both renderings: inline in the HTML page (real text, `role="img"` and the
alt text as its label) and as an SVG image in the PDF (alt text on the image). Sizes are in
points at the A4 text width (17 cm); the HTML scales the drawing to its column. Text is placed
by measuring it in the report's font (`report/fonts.py`): row labels right-aligned before the
bars, the label column as wide as its longest line. A chart costs about a millisecond.
"""

from __future__ import annotations

import math
import textwrap
from html import escape

from hme_core.report.charts import UNIT_COLOUR, IndexChart, StackedChart
from hme_core.report.fonts import css_family, text_width

WIDTH = 17 / 2.54 * 72  # A4 text width in points
SVG_NS = "http://www.w3.org/2000/svg"
INK, MUTED, GRID, AXIS = "#1F2933", "#52606D", "#E4E7EB", "#B8C0C8"
LABEL_SIZE, VALUE_SIZE, SMALL_SIZE = 8.5, 8.0, 7.5
BAR = 0.62  # bar thickness, of a row
PAD = 5.0  # between row labels and the plot


def _x(text: object) -> str:
    return escape(str(text), quote=True)


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def text_colour(face: str) -> str:
    """White on dark faces, ink on light ones (relative luminance, WCAG weights).

    >>> text_colour("#1B4F72"), text_colour("#F2C94C")
    ('white', '#1F2933')
    """
    r, g, b = (int(face[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5 else INK


def _text(x: float, y: float, text: str, size: float, anchor: str = "start",
          colour: str = INK, bold: bool = False) -> str:
    """A text whose middle sits at height `y` (baseline a third of the size below)."""
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text x="{_num(x)}" y="{_num(y + 0.35 * size)}" font-size="{size}" '
            f'text-anchor="{anchor}" fill="{colour}"{weight}>{_x(text)}</text>')


def _svg(width: float, height: float, body: list[str]) -> str:
    return (f'<svg xmlns="{SVG_NS}" width="{_num(width)}pt" '
            f'height="{_num(height)}pt" viewBox="0 0 {_num(width)} {_num(height)}" '
            f'font-family="{_x(css_family())}">{"".join(body)}</svg>')


def marker(shape: str, x: float, y: float, colour: str, filled: bool, size: float = 7.0) -> str:
    """A comparison marker: diamond 'D', square 's', triangle '^' or circle 'o', filled with
    a white rim or open (white inside, coloured rim)."""
    fill, stroke, sw = (colour, "white", 0.7) if filled else ("white", colour, 1.4)
    style = f'fill="{fill}" stroke="{stroke}" stroke-width="{sw}"'
    h = size / 2
    if shape == "o":
        return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(h)}" {style}/>'
    if shape == "s":
        h *= 0.9
        return (f'<rect x="{_num(x - h)}" y="{_num(y - h)}" width="{_num(2 * h)}" '
                f'height="{_num(2 * h)}" {style}/>')
    points = {"D": [(x, y - h), (x + h * 0.8, y), (x, y + h), (x - h * 0.8, y)],
              "^": [(x, y - h), (x + h, y + h * 0.8), (x - h, y + h * 0.8)]}[shape]
    return (f'<polygon points="{" ".join(f"{_num(a)},{_num(b)}" for a, b in points)}" '
            f"{style}/>")


def index_svg(chart: IndexChart) -> str:
    """Rows of indices: bar of the unit's value (printed inside when ≥ 12, else after the
    bar; '–' when hidden), comparison markers, vertical grid at 0, 20, …, 100."""
    top, row, axis = 4.0, 21.6, 34.0
    label_w = max((text_width(r, LABEL_SIZE) for r in chart.rows), default=0.0)
    x0, x1 = label_w + PAD * 2, WIDTH - 14.0
    height = top + row * len(chart.rows) + axis

    def x(v: float) -> float:
        return x0 + (x1 - x0) * v / 100

    body = []
    plot_bottom = top + row * len(chart.rows)
    for tick in range(0, 101, 20):
        body.append(f'<line x1="{_num(x(tick))}" y1="{_num(top)}" x2="{_num(x(tick))}" '
                    f'y2="{_num(plot_bottom)}" stroke="{GRID}" stroke-width="0.8"/>')
        body.append(_text(x(tick), plot_bottom + 9, str(tick), VALUE_SIZE, "middle", MUTED))
    body.append(_text((x0 + x1) / 2, plot_bottom + 25, chart.axis_label, LABEL_SIZE, "middle"))
    for i, (label, value, printed) in enumerate(zip(chart.rows, chart.bars, chart.bar_texts,
                                                    strict=True)):
        cy = top + row * (i + 0.5)
        body.append(_text(x0 - PAD, cy, label, LABEL_SIZE, "end"))
        if not math.isnan(value):
            body.append(f'<rect x="{_num(x0)}" y="{_num(cy - row * BAR / 2)}" '
                        f'width="{_num(x(value) - x0)}" height="{_num(row * BAR)}" '
                        f'fill="{UNIT_COLOUR}"/>')
        inside = not math.isnan(value) and value >= 12
        at = x(1.2) if inside or math.isnan(value) else x(value + 1.2)
        body.append(_text(at, cy, printed, VALUE_SIZE, colour="white" if inside else INK,
                          bold=True))
    for series in chart.markers:
        for i, value in enumerate(series.values):
            if not math.isnan(value):
                body.append(marker(series.key.shape, x(value), top + row * (i + 0.5),
                                   series.key.colour, series.key.filled))
    return _svg(WIDTH, height, body)


def stacked_svg(chart: StackedChart) -> str:
    """100 % stacked bars, segments left to right as given, each segment at least
    `min_share` wide printing its text inside, each row's note at the right."""
    wrapped = [textwrap.wrap(r.label, chart.wrap) or [""] for r in chart.rows]
    label_w = max((text_width(line, LABEL_SIZE) for lines in wrapped for line in lines),
                  default=0.0)
    x0, x1 = label_w + PAD * 2, WIDTH - chart.note_width
    bar_h = BAR * (chart.row_height + chart.line_height)
    body, y = [], 3.0
    for r, lines in zip(chart.rows, wrapped, strict=True):
        h = chart.row_height + chart.line_height * len(lines)
        cy = y + h / 2
        first = cy - (len(lines) - 1) * LABEL_SIZE * 1.15 / 2
        for k, line in enumerate(lines):
            body.append(_text(x0 - PAD, first + k * LABEL_SIZE * 1.15, line, LABEL_SIZE, "end"))
        left = x0
        for seg in r.segments:
            w = (x1 - x0) * max(0.0, seg.share)
            if w <= 0:
                continue
            body.append(f'<rect x="{_num(left)}" y="{_num(cy - bar_h / 2)}" width="{_num(w)}" '
                        f'height="{_num(bar_h)}" fill="{seg.colour}" stroke="white" '
                        f'stroke-width="0.8"/>')
            if seg.share >= chart.min_share and seg.text:
                body.append(_text(left + w / 2, cy, seg.text, SMALL_SIZE, "middle",
                                  text_colour(seg.colour)))
            left += w
        if r.note:
            body.append(_text(x1 + 5, cy, r.note, LABEL_SIZE if r.note_bold else SMALL_SIZE,
                              colour=INK if r.note_bold else MUTED, bold=r.note_bold))
        y += h
    return _svg(WIDTH, y + 3.0, body)


def chart_svg(spec) -> str:
    """The SVG of any chart description."""
    if isinstance(spec, IndexChart):
        return index_svg(spec)
    if isinstance(spec, StackedChart):
        return stacked_svg(spec)
    raise TypeError(f"no drawing for chart description {type(spec).__name__}")
