"""Chart legends as HTML under the chart: real text, selectable, read by screen readers in
order, scaling with the page (the PDF draws the same keys natively: `templates/report.typ`,
`legend-key`).

Each key is a small CSS shape (`report.css`, `.key-*`) in the series' colour: a bar for the
unit's own value and the answer or eNPS categories; filled square, diamond, triangle or circle
for the levels above; open circle, square or diamond for earlier years. The shapes are the
chart's markers (`charts.ANCESTOR_MARKERS`, `charts.PREVIOUS_MARKERS`, drawn by `svg.marker`),
so colour never carries meaning alone.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import NamedTuple

#: a chart marker's shape -> the CSS key that draws the same shape
SHAPES = {"bar": "bar", "s": "square", "D": "diamond", "^": "triangle", "o": "circle"}


class LegendKey(NamedTuple):
    """One legend entry: its text, colour (#rrggbb), shape (a key of `SHAPES`), filled or open."""

    label: str
    colour: str
    shape: str = "bar"
    filled: bool = True


def legend_html(keys: Sequence[LegendKey]) -> str:
    """The keys as a list (`<ul class="chart-legend">`), in order, texts escaped.

    >>> legend_html([LegendKey("Avd 12 <2025>", "#1B4F72"), LegendKey("2024", "#1F2933", "o", False)])
    '<ul class="chart-legend"><li><span class="key key-bar" style="color:#1B4F72"></span>Avd 12 &lt;2025&gt;</li><li><span class="key key-circle key-open" style="color:#1F2933"></span>2024</li></ul>'
    """
    if not keys:
        return ""
    items = []
    for key in keys:
        if key.shape not in SHAPES:
            raise ValueError(f"legend shape must be one of {sorted(SHAPES)}; got {key.shape!r}")
        css = f"key key-{SHAPES[key.shape]}" + ("" if key.filled else " key-open")
        items.append(f'<li><span class="{css}" style="color:{html.escape(key.colour)}"></span>'
                     f"{html.escape(str(key.label))}</li>")
    return f'<ul class="chart-legend">{"".join(items)}</ul>'
