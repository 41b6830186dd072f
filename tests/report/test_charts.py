"""Report figures (hme_core/report/charts.py) and their HTML legends (report/legend.py): what
they draw and print, not how they look."""

from __future__ import annotations

import base64
import re

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from hme_core.instruments import load_instruments
from hme_core.report import charts as plots
from hme_core.report import figure_parts as parts

NBSP = "\u00a0"
MINUS = "\u2212"
SCALE_SV = [load_instruments()["hme"].scale.label(code, "sv") for code in range(1, 6)]


def all_texts(fig: Figure) -> list[str]:
    """Every string drawn in the figure: axes texts (row labels among them), tick labels
    (legends are HTML)."""
    out = [txt.get_text() for ax in fig.axes for txt in ax.texts]
    out += [lbl.get_text() for ax in fig.axes for lbl in ax.get_yticklabels()]
    out += [lbl.get_text() for ax in fig.axes for lbl in ax.get_xticklabels()]
    return out


def row_labels(ax) -> list:
    """The texts labelling the rows, left of the axes."""
    return [txt for txt in ax.texts if txt.get_gid() == "row-label"]


def bars(ax) -> list[tuple[str, float, float, float]]:
    """Every bar drawn, in drawing order: (face colour, left end, width, row)."""
    out = []
    for coll in ax.collections:
        if not isinstance(coll, PolyCollection):
            continue
        faces = [matplotlib.colors.to_hex(c) for c in coll.get_facecolor()]
        for i, path in enumerate(coll.get_paths()):
            x, y = path.vertices[:, 0], path.vertices[:, 1]
            out.append((faces[i % len(faces)], x.min(), x.max() - x.min(), (y.min() + y.max()) / 2))
    return out


@pytest.fixture
def stoplight_data() -> pd.DataFrame:
    # First statement: half the answers are 5, a fifth 4, a tenth each 1–3; n = 10.
    shares = {1: 0.1, 2: 0.1, 3: 0.1, 4: 0.2, 5: 0.5}
    rows = [{"statement": "Mitt arbete känns meningsfullt.", "code": c, "share": s, "n": 10}
            for c, s in shares.items()]
    rows += [{"statement": "Jag lär nytt och utvecklas i mitt dagliga arbete.", "code": c,
              "share": 0.2, "n": 1234} for c in range(1, 6)]
    return pd.DataFrame(rows)


@pytest.fixture
def enps_data() -> pd.DataFrame:
    # docs/sources.md, eNPS: 14,3 % promoters, 34,4 % passive, 51,3 % detractors → eNPS −36,9.
    return pd.DataFrame({"series": ["Förvaltningen 2025"], "detractors_pct": [51.3],
                         "passive_pct": [34.4], "promoters_pct": [14.3], "enps": [-36.9]})


def test_index_comparison_prints_the_units_values_and_labels(index_data):
    fig = plots.index_comparison_figure(index_data, "sv")
    assert isinstance(fig, Figure)
    texts = all_texts(fig)
    assert "78,3" in texts  # the unit's value on its bar; comparisons are in the table below
    assert {"HME totalt", "Ledarskap"} <= set(texts)
    assert [k.label for k in plots.index_comparison_legend(index_data)] == [
        "Avd 12 2025", "Avd 12 2024"]
    assert "78.3" in all_texts(plots.index_comparison_figure(index_data, "en"))


def test_index_comparison_draws_one_row_per_index_a_bar_for_the_unit_markers_for_the_rest(
        index_data):
    fig = plots.index_comparison_figure(index_data)
    ax = fig.axes[0]
    # the unit's Ledarskap is suppressed: one bar, on the row of HME totalt, and a dash
    assert [(left, width, row) for _, left, width, row in bars(ax)] == [(0, 78.25, 0)]
    assert "–" in all_texts(fig)
    (previous,) = ax.lines
    assert list(previous.get_xdata()) == [74.0, 80.0]
    assert list(previous.get_ydata()) == [0, 1]  # on the rows of HME totalt and Ledarskap


@pytest.mark.parametrize("n_series", [1, 6])
def test_index_comparison_handles_one_to_six_series_at_one_row_height(n_series):
    kinds = ["unit", "ancestor", "ancestor", "ancestor", "previous", "previous"][:n_series]
    data = pd.DataFrame([{"series": f"S{i}", "series_kind": k, "index": idx, "value": 70.0 + i}
                         for i, k in enumerate(kinds) for idx in ("HME totalt", "Motivation")])
    fig = plots.index_comparison_figure(data)
    ax = fig.axes[0]
    assert len(bars(ax)) == 2
    assert len(ax.lines) == n_series - 1
    assert len(plots.index_comparison_legend(data)) == n_series
    assert not fig.legends  # the legend is HTML under the image
    # 0,06 above + 0,3 per index + 0,5 axis, whatever the number of series: 1,16 inches
    assert fig.get_figheight() == pytest.approx(0.06 + 0.3 * 2 + 0.5)


def test_index_comparison_markers_differ_by_shape_or_fill_not_only_colour():
    kinds = ["unit", "ancestor", "ancestor", "ancestor", "previous", "previous"]
    data = pd.DataFrame([{"series": f"S{i}", "series_kind": k, "index": "HME", "value": 60.0 + i}
                         for i, k in enumerate(kinds)])
    lines = plots.index_comparison_figure(data).axes[0].lines
    drawn = [(line.get_marker(), line.get_markerfacecolor() != "white") for line in lines]
    assert len(set(drawn)) == len(drawn) == 5
    # the HTML legend shows each series with the shape and fill its marker has in the chart
    legend = [(k.shape, k.filled) for k in plots.index_comparison_legend(data)]
    assert legend == [("bar", True), *drawn]


def test_index_comparison_rejects_unknown_series_kind(index_data):
    bad = index_data.assign(series_kind="sibling")
    with pytest.raises(ValueError, match="series_kind"):
        plots.index_comparison_figure(bad)


def test_missing_column_is_named(index_data):
    with pytest.raises(ValueError, match="value"):
        plots.index_comparison_figure(index_data.drop(columns="value"))


def test_stoplight_prints_shares_and_n_in_both_languages(stoplight_data):
    sv = all_texts(plots.stoplight_figure(stoplight_data, SCALE_SV, "sv"))
    assert f"50{NBSP}%" in sv
    assert "n = 10" in sv
    assert f"n = 1{NBSP}234" in sv
    en_labels = [load_instruments()["hme"].scale.label(code, "en") for code in range(1, 6)]
    en = all_texts(plots.stoplight_figure(stoplight_data, en_labels, "en"))
    assert "50%" in en
    assert "n = 1,234" in en


def test_stoplight_legend_lists_the_answers_best_first_in_their_bar_colours(stoplight_data):
    fig = plots.stoplight_figure(stoplight_data, SCALE_SV)
    legend = plots.stoplight_legend(SCALE_SV)
    assert [k.label for k in legend] == SCALE_SV[::-1]  # 'Stämmer mycket bra' … 'mycket dåligt'
    assert [k.colour for k in legend] == ["#2f7d45", "#9acb84", "#f2c94c", "#e0705f", "#a3262a"]
    first_bar = bars(fig.axes[0])[0]  # the first segment drawn is the best answer's
    assert first_bar[0] == legend[0].colour
    assert first_bar[1:] == (0, 0.5, 0)  # half the answers to the first statement, from 0


def test_stoplight_uses_exactly_five_face_colours(stoplight_data):
    fig = plots.stoplight_figure(stoplight_data, SCALE_SV, title="HME – Motivation")
    colours = {face for face, *_ in bars(fig.axes[0])}
    assert len(colours) == 5


def test_stoplight_wraps_long_statements(stoplight_data):
    fig = plots.stoplight_figure(stoplight_data, SCALE_SV)
    labels = [lbl.get_text() for lbl in row_labels(fig.axes[0])]
    assert len(labels) == 2
    assert any("\n" in label for label in labels)
    assert all(len(line) <= 45 for label in labels for line in label.split("\n"))


def test_stoplight_needs_one_label_per_answer_code(stoplight_data):
    with pytest.raises(ValueError, match="each of the 2-11 answer codes"):
        plots.stoplight_figure(stoplight_data, SCALE_SV[:3], codes=[1, 2, 3, 4, 5])


def test_stoplight_takes_a_four_option_scale():
    # One statement, codes 1-4 with shares 10/20/30/40 %: four segments, worst red, best green.
    data = pd.DataFrame({"statement": ["S"] * 4, "code": [1, 2, 3, 4],
                         "share": [0.1, 0.2, 0.3, 0.4], "n": [20] * 4})
    fig = plots.stoplight_figure(data, ["Aldrig", "Ibland", "Ofta", "Alltid"], "sv")
    texts = all_texts(fig)
    assert {"10 %", "20 %", "30 %", "40 %"} <= {t.replace("\xa0", " ") for t in texts}
    assert plots.stoplight_colours(4)[0] == "#a3262a" and plots.stoplight_colours(4)[-1] == "#2f7d45"


def test_enps_figure_prints_shares_and_the_score(enps_data):
    fig = plots.enps_figure(enps_data, "sv")
    assert isinstance(fig, Figure)
    texts = all_texts(fig)
    assert {f"14,3{NBSP}%", f"34,4{NBSP}%", f"51,3{NBSP}%", f"eNPS {MINUS}36,9"} <= set(texts)
    assert [k.label for k in plots.enps_legend("sv")][0].startswith("Ambassadörer")


def test_figure_html_embeds_png_escapes_text_and_closes(enps_data):
    fig = plots.enps_figure(enps_data)
    out = plots.figure_html(fig, alt='eNPS <2025> "Avd 12"', caption="A & B", width_px=640)
    assert out.startswith('<figure class="chart"><img src="data:image/png;base64,')
    assert 'alt="eNPS &lt;2025&gt; &quot;Avd 12&quot;"' in out
    assert "<figcaption>A &amp; B</figcaption>" in out
    assert 'width="640"' in out
    payload = out.split("base64,", 1)[1].split('"', 1)[0]
    assert base64.b64decode(payload).startswith(b"\x89PNG")
    assert not plt.fignum_exists(fig.number)


def test_figure_html_without_caption(enps_data):
    out = plots.figure_html(plots.enps_figure(enps_data), alt="x")
    assert "<figcaption>" not in out
    assert out.endswith("</figure>")


def test_chart_html_puts_the_legend_under_the_image_with_escaped_labels(enps_data):
    out = plots.enps_html(enps_data, "sv", alt="eNPS")
    image, legend = out.split('<ul class="chart-legend">')
    assert re.match(r'<figure class="chart" data-figure-key="[0-9a-f]{64}">'
                    r'<img src="data:image/png;base64,', image)
    assert legend.count("<li>") == 3 and "Ambassadörer (9–10)" in legend
    index = pd.DataFrame({"series": ["Avd <12> 2025", "Avd <12> 2024"],
                          "series_kind": ["unit", "previous"], "index": ["HME"] * 2,
                          "value": [70.0, 71.0]})
    assert "Avd &lt;12&gt; 2025</li>" in plots.index_chart_html(index, "sv", alt="x")


def test_index_chart_with_long_unit_names_keeps_its_labels_inside_the_figure():
    """Long unit names are legend text in HTML (which wraps); the figure's own texts stay
    inside it."""
    import pandas as pd

    from hme_core.report.charts import index_comparison_figure

    long = "Akutmottagningen Centrallasarettet"
    series = [(f"{long} 2025", "unit"), ("Hälso- och sjukvårdsförvaltningen 2025", "ancestor"),
              ("Region Demo 2025", "ancestor"), (f"{long} 2024", "previous"),
              ("Ett mycket långt enhetsnamn som inte får plats på en rad i förklaringen 2023",
               "previous")]
    data = pd.DataFrame([{"series": s, "series_kind": k, "index": ix, "value": 70.0}
                         for s, k in series for ix in ("HME totalt", "Motivation")])
    fig = index_comparison_figure(data)
    fig.canvas.draw()
    box = fig.bbox
    labels = row_labels(fig.axes[0])
    assert [lbl.get_text() for lbl in labels] == ["HME totalt", "Motivation"]
    for label in labels:
        extent = label.get_window_extent()
        assert extent.x0 >= box.x0 and extent.x1 <= box.x1


def _pixels(build) -> bytes:
    """The PNG of a text-wide chart with two rows, built by `build(ax, rows)`."""
    import io

    rows = [0, 1]
    with parts.style():
        fig, ax = parts.new_figure(1.0)
        build(ax, rows)
        ax.set_xlim(0, 1)
        ax.set_ylim(1.5, -0.5)
        ax.grid(False)
        ax.tick_params(axis="y", length=0)
        fig.subplots_adjust(left=0.4, right=0.95, top=0.95, bottom=0.05)
    buffer = io.BytesIO()
    parts.png_bytes(fig, buffer)
    plt.close(fig)
    return buffer.getvalue()


def test_row_labels_draw_the_pixels_of_y_tick_labels():
    """Rows are labelled by one text each, where and as y tick labels are drawn (charts'
    `row_labels`): the same picture, one line or several."""
    labels = ["Mitt arbete känns meningsfullt.", "Jag lär nytt och\nutvecklas i mitt arbete."]
    as_ticks = _pixels(lambda ax, rows: ax.set_yticks(rows, labels))
    as_texts = _pixels(lambda ax, rows: parts.row_labels(ax, rows, labels))
    assert as_texts == as_ticks
    assert as_texts != _pixels(lambda ax, rows: parts.row_labels(ax, rows, ["A", "B"]))


def test_bar_collections_draw_the_pixels_of_barh():
    """`bars` (one collection per colour) draws what `barh` draws with the same height,
    colours and edges: stacked segments with white edges, and plain bars."""
    lefts, widths = [0.0, 0.25], [0.5, 0.3333]

    def with_barh(ax, rows):
        ax.barh(rows, widths, left=lefts, height=0.62, color="#2F7D45", edgecolor="white",
                linewidth=0.8)
        ax.barh(rows, [0.2, 0.1], height=0.62, color=plots.UNIT_COLOUR, linewidth=0)

    def with_bars(ax, rows):
        parts.bars(ax, rows, lefts, widths, "#2F7D45", "white", 0.8)
        parts.bars(ax, rows, [0, 0], [0.2, 0.1], plots.UNIT_COLOUR, "none", 0)

    assert _pixels(with_bars) == _pixels(with_barh)
