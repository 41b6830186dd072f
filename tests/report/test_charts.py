"""Report charts: descriptions (hme_core/report/charts.py) drawn as SVG (report/svg.py), in the
HTML page (report/to_html.py) and the PDF's Typst (report/to_typst.py): what they draw and
print, not how they look."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from hme_core.instruments import load_instruments
from hme_core.report import charts as plots
from hme_core.report.svg import WIDTH, chart_svg
from hme_core.report.to_html import chart_html
from hme_core.report.to_typst import chart_typst

NBSP = "\u00a0"
MINUS = "\u2212"
SVG = "{http://www.w3.org/2000/svg}"
SCALE_SV = [load_instruments()["hme"].scale.label(code, "sv") for code in range(1, 6)]


def drawing(spec) -> ET.Element:
    return ET.fromstring(chart_svg(spec))


def texts(spec) -> list[str]:
    return [t.text or "" for t in drawing(spec).iter(f"{SVG}text")]


def rects(spec) -> list[dict]:
    return [r.attrib for r in drawing(spec).iter(f"{SVG}rect")]


@pytest.fixture
def stoplight_rows():
    # First statement: half the answers are 5, a fifth 4, a tenth each 1–3 (n = 10); shares in
    # the order of the categories, best answer first.
    return [("Mitt arbete känns meningsfullt.", [0.5, 0.2, 0.1, 0.1, 0.1], 10),
            ("Jag lär nytt och utvecklas i mitt dagliga arbete och trivs med mina kollegor.",
             [0.2] * 5, 1234)]


@pytest.fixture
def enps_data() -> pd.DataFrame:
    # docs/sources.md, eNPS: 14,3 % promoters, 34,4 % passive, 51,3 % detractors → eNPS −36,9.
    return pd.DataFrame({"series": ["Förvaltningen 2025"], "detractors_pct": [51.3],
                         "passive_pct": [34.4], "promoters_pct": [14.3], "enps": [-36.9]})


def test_index_comparison_prints_the_units_values_and_labels(index_data):
    spec = plots.index_comparison(index_data, "sv")
    assert spec.rows == ["HME totalt", "Ledarskap"]
    drawn = texts(spec)
    assert "78,3" in drawn and "–" in drawn  # Ledarskap is hidden: a dash, no bar
    assert {"HME totalt", "Ledarskap"} <= set(drawn)
    assert "78.3" in texts(plots.index_comparison(index_data, "en"))


def test_index_comparison_draws_one_bar_for_the_unit_and_markers_for_the_rest(index_data):
    spec = plots.index_comparison(index_data, "sv")
    bars = [r for r in rects(spec) if r.get("fill") == plots.UNIT_COLOUR]
    assert len(bars) == 1  # HME totalt only
    root = drawing(spec)
    markers = list(root.iter(f"{SVG}circle"))  # earlier year: open circles
    assert len(markers) == 2 and all(m.get("fill") == "white" for m in markers)
    # bar length is the value on the 0–100 axis: 78.25 % of the plot width
    x0 = float(bars[0]["x"])
    ticks = {t.text: float(t.get("x")) for t in root.iter(f"{SVG}text") if t.text in ("0", "100")}
    assert float(bars[0]["width"]) == pytest.approx(0.7825 * (ticks["100"] - ticks["0"]), abs=0.2)
    assert ticks["0"] == pytest.approx(x0, abs=0.1)


@pytest.mark.parametrize("n_series", [1, 2, 6])
def test_index_comparison_handles_one_to_six_series_at_one_row_height(n_series):
    kinds = ["unit", "ancestor", "ancestor", "ancestor", "previous", "previous"][:n_series]
    data = pd.DataFrame([{"series": f"S{i}", "series_kind": k, "index": ix, "value": 50.0 + i}
                         for i, k in enumerate(kinds) for ix in ("A", "B")])
    spec = plots.index_comparison(data)
    assert len(spec.markers) == n_series - 1
    assert len(plots.index_comparison_legend(data)) == n_series
    root = drawing(spec)
    assert float(root.get("height").removesuffix("pt")) == pytest.approx(4 + 21.6 * 2 + 34)


def test_index_comparison_markers_differ_by_shape_or_fill_not_only_colour():
    kinds = ["unit", "ancestor", "ancestor", "ancestor", "previous", "previous"]
    data = pd.DataFrame({"series": [f"S{i}" for i in range(6)], "series_kind": kinds,
                         "index": "A", "value": 50.0})
    legend = [(k.shape, k.filled) for k in plots.index_comparison_legend(data)]
    assert len(set(legend[1:])) == 5 and legend[0] == ("bar", True)


def test_index_comparison_rejects_unknown_series_kind(index_data):
    with pytest.raises(ValueError, match="series_kind"):
        plots.index_comparison(index_data.assign(series_kind="other"))


def test_missing_column_is_named(index_data):
    with pytest.raises(ValueError, match=r"\['value'\]"):
        plots.index_comparison(index_data.drop(columns="value"))


def test_stoplight_prints_shares_and_n_in_both_languages(stoplight_rows):
    cats = plots.scale_categories(SCALE_SV)
    sv = texts(plots.stoplight(stoplight_rows, cats, "sv"))
    assert f"50{NBSP}%" in sv and "n = 10" in sv and f"n = 1{NBSP}234" in sv
    en = texts(plots.stoplight(stoplight_rows, cats, "en"))
    assert "50%" in en and "n = 1,234" in en


def test_stoplight_categories_are_best_first_in_their_colours_and_draw_in_that_order(
        stoplight_rows):
    cats = plots.scale_categories(SCALE_SV)
    assert [k.label for k in cats] == SCALE_SV[::-1]  # 'Stämmer mycket bra' … 'mycket dåligt'
    assert [k.colour for k in cats] == ["#2f7d45", "#9acb84", "#f2c94c", "#e0705f", "#a3262a"]
    first_row = [r for r in rects(plots.stoplight(stoplight_rows, cats))][:5]
    assert [r["fill"] for r in first_row] == [k.colour for k in cats]
    widths = [float(r["width"]) for r in first_row]
    assert widths[0] == pytest.approx(sum(widths) / 2, abs=0.3)  # half the answers: the best one


def test_a_scale_whose_first_code_is_favourable_keeps_its_order_as_data(stoplight_rows):
    # e.g. 1 = "Ja" (favourable), 2 = "Nej": the caller says so; green stays on "Ja"
    cats = plots.scale_categories(["Ja", "Nej"], worst_first=False)
    assert [(k.label, k.colour) for k in cats] == [("Ja", "#2f7d45"), ("Nej", "#a3262a")]
    rows = [("Fråga", [0.7, 0.3], 20)]
    drawn = rects(plots.stoplight(rows, cats))
    assert [r["fill"] for r in drawn] == ["#2f7d45", "#a3262a"]


def test_statements_on_different_scales_share_one_chart_and_its_legend_lists_each_answer():
    five = plots.scale_categories(SCALE_SV)
    yes_no = plots.scale_categories(["Ja", "Nej"], worst_first=False)
    spec = plots.stoplight([("Påstående", [0.2] * 5, 10, five), ("Fråga", [0.6, 0.4], 12, yes_no)])
    assert [k.label for k in spec.categories] == [*SCALE_SV[::-1], "Ja", "Nej"]
    assert [s.label for s in spec.rows[1].segments] == ["Ja", "Nej"]
    assert [r["fill"] for r in rects(spec)][-2:] == ["#2f7d45", "#a3262a"]


def test_stoplight_needs_one_share_per_category(stoplight_rows):
    with pytest.raises(ValueError, match="categories"):
        plots.stoplight([("x", [0.5, 0.5], 3)], plots.scale_categories(SCALE_SV))
    with pytest.raises(ValueError, match="2-11"):
        plots.scale_categories(["Ja"])


def test_stoplight_wraps_long_statements_and_keeps_labels_inside_the_drawing(stoplight_rows):
    root = drawing(plots.stoplight(stoplight_rows, plots.scale_categories(SCALE_SV)))
    labels = [t for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert len(labels) == 3  # the long statement on two lines of at most 45 characters
    assert all(len(t.text) <= 45 for t in labels)
    assert all(float(t.get("x")) > 0 for t in labels)


def test_stoplight_takes_a_four_option_scale():
    cats = plots.scale_categories(["a", "b", "c", "d"])
    drawn = texts(plots.stoplight([("s", [0.1, 0.2, 0.3, 0.4], 10)], cats))
    assert {"10 %", "20 %", "30 %", "40 %"} <= {t.replace(NBSP, " ") for t in drawn}
    assert plots.stoplight_colours(4)[0] == "#a3262a" and plots.stoplight_colours(4)[-1] == "#2f7d45"


def test_enps_prints_shares_and_the_score(enps_data):
    drawn = texts(plots.enps(enps_data, "sv"))
    assert {f"14,3{NBSP}%", f"34,4{NBSP}%", f"51,3{NBSP}%", f"eNPS {MINUS}36,9"} <= set(drawn)
    assert plots.enps(enps_data, "sv").categories[0].label.startswith("Ambassadörer")


def test_chart_html_is_an_inline_svg_with_a_label_and_the_legend_under_it(enps_data):
    out = chart_html(plots.enps_chart(enps_data, "sv", 'eNPS <2025> "Avd 12"'))
    assert out.startswith('<figure class="chart"><svg role="img" '
                          'aria-label="eNPS &lt;2025&gt; &quot;Avd 12&quot;"')
    legend = out[out.index("</svg>"):]
    assert legend.count("<li>") == 3 and "Ambassadörer (9–10)" in legend
    index = pd.DataFrame({"series": ["Avd <12> 2025"], "series_kind": ["unit"],
                          "index": ["HME"], "value": [70.0]})
    assert "Avd &lt;12&gt; 2025</li>" in chart_html(plots.index_chart(index, "sv", "x"))
    assert ">Avd <12>" not in chart_svg(plots.index_comparison(index))


def test_chart_typst_is_the_same_svg_with_its_alt_text(enps_data):
    chart = plots.enps_chart(enps_data, "sv", 'Diagram "eNPS" #1')
    out = chart_typst(chart)
    assert out.startswith("#chart(bytes(")
    assert '"Diagram \\"eNPS\\" #1"' in out
    assert '("Ambassadörer (9–10)", "#2F7D45", "bar", true)' in out


def test_index_chart_with_long_unit_names_stays_inside_the_page_width():
    names = ["Kommunstyrelseförvaltningen, avdelningen för samhällsbyggnad och teknik 2025",
             "Region Demo 2025"]
    data = pd.DataFrame({"series": np.repeat(names, 2), "series_kind": ["unit"] * 2 +
                         ["ancestor"] * 2, "index": ["HME totalt", "Motivation"] * 2,
                         "value": [80.0, 60.0, 75.0, 65.0]})
    root = drawing(plots.index_comparison(data))
    assert float(root.get("width").removesuffix("pt")) == pytest.approx(WIDTH, abs=0.1)
    for r in root.iter(f"{SVG}rect"):
        assert 0 <= float(r.get("x")) and float(r.get("x")) + float(r.get("width")) <= WIDTH
