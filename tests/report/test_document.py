"""One tree of report blocks, two renderings (report/document.py, to_html.py, to_typst.py,
markup_typst.py, part.py): the same content in HTML and Typst, texts escaped for each."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from hme_core.render.pdf import compile_pdf, template
from hme_core.report.document import (
    TYPST_MIME,
    BulletList,
    Cell,
    Group,
    Heading,
    KeyFigures,
    Markup,
    Notice,
    Paragraph,
    Section,
    Table,
)
from hme_core.report.markup_typst import html_to_typst, typ_str
from hme_core.report.part import Part
from hme_core.report.to_html import render_html
from hme_core.report.to_typst import BAND_FILLS, render_typst
from tests.fixtures import in_child

NASTY = 'Avd #1 *Öst* _x_ $5 per $ <b>@ref</b> = "citat" \\ [a] // 1. `kod` ~'


def table() -> Table:
    return Table(["", "HME", "eNPS"],
                 [["Avd 1", "74,5", Cell("–¹", style="suppressed", title="För få svar")],
                  ["Region", Cell("70,0", sub="+1,0", fill="band-mid"), "−3,0"]],
                 caption="Jämförelse", numeric=[False, True, True],
                 row_styles=["current", ""])


def pdf_text(main: str, tmp_path: Path) -> str:
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(in_child(compile_pdf, main))
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def document(blocks, title="T") -> str:
    return (template() + f'\n#show: report.with(title: {typ_str(title)}, lang: "sv", '
            f'header: "H")\n' + render_typst(blocks))


def test_html_table_has_a_caption_column_and_row_headers_numbers_right_aligned():
    html = render_html(table())
    assert "<caption>Jämförelse</caption>" in html
    assert re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', html) == ["", "HME", "eNPS"]
    assert '<tr class="current"><th scope="row">Avd 1</th><td class="num">74,5</td>' in html
    assert '<td class="num band-mid">70,0<span class="change">+1,0</span></td>' in html
    assert '<span title="För få svar">–¹</span>' in html


def test_typst_table_puts_header_rows_in_table_header_and_fills_heat_map_bands():
    typ = render_typst(table())
    assert typ.startswith('#data-table("Jämförelse", "data", table(columns: (1fr, auto, auto,), '
                          'align: (left, right, right,), table.header(strong(""), strong("HME"), strong("eNPS"), '
                          'table.hline(stroke: 0.8pt + ink)), ')
    assert f'table.cell(fill: rgb("{BAND_FILLS["band-mid"]}"), [#"70,0" \\ ' in typ
    assert 'table.cell(fill: rgb("#e8f1f8"), strong("Avd 1"))' in typ  # the unit's own row


def test_heat_map_band_colours_are_the_pages_colours():
    css = (Path(__file__).parents[2] / "hme_core/report/templates/report.css").read_text()
    for band, colour in BAND_FILLS.items():
        assert re.search(rf"td\.{band} {{ background: {colour}; }}", css), band


def test_organisation_text_prints_as_written_in_html_and_in_the_pdf(tmp_path):
    blocks = [Heading(NASTY, 1), Paragraph(NASTY), Notice(NASTY, "privacy"),
              KeyFigures([(NASTY, "12")]), BulletList([NASTY]),
              Table(["Enhet", "n"], [[NASTY, "5"]], caption=NASTY, numeric=[False, True])]
    html = render_html(blocks)
    assert "<b>" not in html and "&lt;b&gt;@ref&lt;/b&gt;" in html
    text = pdf_text(document(blocks, title=NASTY), tmp_path)
    flat = " ".join(text.split())
    assert flat.count(" ".join(NASTY.split())) >= 4, flat[:400]


def test_sections_groups_and_notices_render_in_both_languages_of_markup():
    tree = [Section("HME", [Group([Heading("Motivation", 3), Paragraph("Text", "muted")],
                                  "subindex", keep=True), Notice("Dolt", "privacy")], "hme")]
    html = render_html(tree)
    assert html == ('<section class="hme"><h2>HME</h2><div class="subindex keep-together">'
                    '<h3>Motivation</h3><p class="muted">Text</p></div><div class="notice '
                    'notice-privacy" role="note"><p>Dolt</p></div></section>')
    typ = render_typst(tree)
    assert typ.startswith('#heading(level: 2, "HME")')
    assert '#block(breakable: false)[\n#heading(level: 3, "Motivation")' in typ
    assert '#notice("privacy", "Dolt")' in typ


def test_a_block_kind_without_a_renderer_is_refused():
    class Odd:
        pass

    with pytest.raises(TypeError, match="Odd"):
        render_html([Odd()])
    with pytest.raises(TypeError, match="Odd"):
        render_typst([Odd()])


def test_a_part_carries_both_renderings_and_the_document_facts():
    part = Part(Section("HME", [Paragraph("x")]), meta={"title": "Avd 1 – 2025"})
    data, meta = part._repr_mimebundle_()
    assert data["text/html"] == part.html and data[TYPST_MIME] == part.typst
    assert meta["hme"] == {"title": "Avd 1 – 2025", "last_heading_level": 2}
    empty, _ = Part()._repr_mimebundle_()
    assert empty == {"text/html": "", TYPST_MIME: ""} and not Part()


def test_written_html_keeps_heading_levels_in_sequence_and_its_text_escaped():
    html = ('<section><h2>Analys</h2><h3>Bevara</h3><h5>Djup</h5><p>Vi <strong>ska</strong> '
            '#1 $x$</p><ul><li>a</li><li>b <em>c</em></li></ul><ol start="3"><li>d</li></ol>'
            '<table><thead><tr><th>A</th><th>B</th></tr></thead><tbody><tr><td colspan="2">'
            '1</td></tr></tbody></table><script>alert(1)</script></section>')
    typ = html_to_typst(html, 1)
    levels = [int(n) for n in re.findall(r"#heading\(level: (\d)\)", typ)]
    assert levels == [2, 3, 4]  # h5 under h3 becomes h4
    assert '#"Vi "#strong[#"ska"]#" #1 $x$"' in typ
    assert "#enum(start: 3," in typ and "table.header(" in typ and "colspan: 2" in typ
    assert "alert" not in typ
    assert html_to_typst("<h3>Först</h3>", 0) == '#heading(level: 1)[#"Först"]'


def test_written_html_compiles_to_the_pdf(tmp_path):
    html = ('<h2>Analys</h2><p>Vi <a href="https://example.org">länkar</a> och '
            '<code>kod</code>.</p><blockquote><p>Citat</p></blockquote><pre>print(1)</pre><hr>'
            '<dl><dt>Term</dt><dd>Förklaring</dd></dl>')
    text = pdf_text(document([Heading("R", 1), Markup(html, 1)]), tmp_path)
    for word in ("Analys", "länkar", "kod", "Citat", "print(1)", "Term", "Förklaring"):
        assert word in text


def test_heat_map_long_unit_names_wrap_inside_their_cell(tmp_path):
    # seen overprinting in the PDF: "Kommunstyrelseförvaltningen261"
    names = ["Kommunstyrelseförvaltningen", "Vård- och omsorgsförvaltningen Norra distriktet"]
    tbl = Table(["Enhet", "n", "Svarsfrekvens", *(f"Index {i}" for i in range(12))],
                [[name, "261", "72,3 %", *[Cell("74,5", sub="+1,0", fill="band-mid")] * 12]
                 for name in names], numeric=[False] + [True] * 14, style="data heatmap",
                widths=["17%", "auto", "1.3fr", *(["1fr"] * 12)])
    pdf = tmp_path / "heat.pdf"
    pdf.write_bytes(in_child(compile_pdf, document([Heading("R", 1), tbl])))
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    words = [(float(x0), float(x1), w) for x0, x1, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', xml)]
    n_left = min(x0 for x0, _, w in words if w == "261")
    name_parts = [(x1, w) for _, x1, w in words if w.startswith(("Kommun", "valtningen", "Vård",
                                                                  "omsorgs", "striktet"))]
    assert len(name_parts) >= 4  # both names broken over lines
    assert all(x1 < n_left for x1, _ in name_parts), (n_left, name_parts)


def test_a_table_over_several_pages_repeats_its_header_rows(tmp_path):
    tbl = Table([["Påståenden", "", ""], ["Påstående", "n", "Index"]],
                [[f"Påstående {i}", "12", "74,5"] for i in range(120)], caption="Index",
                numeric=[False, True, True])
    pages = pdf_text(document([Heading("R", 1), tbl]), tmp_path).split("\f")[:-1]
    assert len(pages) >= 2
    assert all("Påståenden" in page and "Index" in page for page in pages)
