"""Report blocks (`report/document.py`) as Typst markup for the PDF.

The markup calls the helpers of the report's Typst template (`templates/report.typ`: `para`,
`notice`, `keyfigures`, `chart`, `table-caption`, `data-table`, the colours), which the PDF
exporter (`render/pdf.py`) puts before it. Every text is passed as a Typst string literal
(`typ_str`: only ``\\`` and ``"`` need escaping there), never as markup, so an organisation's
``#``, ``*``, ``_``, ``$``, ``<``, ``@`` or ``=`` prints as written.

Tables: header rows go into `table.header` (repeated on every page the table runs over; Typst
tags their cells as column header cells, TH with /Scope Column). Row headers are ordinary
cells (TD): the PyPI build of Typst lacks the feature behind ``pdf.header-cell``; the first
cell of a row is read first and the column header above it names what the column holds.
Charts: the chart's SVG as an image with its alt text, the legend as text under it.
"""

from __future__ import annotations

from collections.abc import Callable

from hme_core.report.document import (
    BulletList,
    Cell,
    Chart,
    DefinitionList,
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
from hme_core.report.svg import chart_svg

#: heat map colour bands (`children.BAND_CLASSES`) as the PDF fills them; report.css has the
#: same colours for the page (tests/report/test_to_typst.py checks they agree)
BAND_FILLS = {"band-low": "#f6c9c4", "band-mid": "#fbe7a6", "band-good": "#d5ecc6",
              "band-high": "#a9d79a"}
def _heading(b: Heading) -> str:
    return f"#heading(level: {b.level}, {typ_str(b.text)})"


def _paragraph(b: Paragraph) -> str:
    return f"#para({typ_str(b.style)}, {typ_str(b.text)})"


def _list(b: BulletList) -> str:
    items = ", ".join(typ_str(i) for i in b.items)
    fn = "enum" if b.ordered else "list"
    return f"#para-list({typ_str(b.style)}, {fn}({items},))"


def _definitions(b: DefinitionList) -> str:
    items = ", ".join(f"terms.item({typ_str(k)}, {typ_str(v)})" for k, v in b.items)
    return f"#terms({items},)"


def _keyfigures(b: KeyFigures) -> str:
    return "#keyfigures(" + ", ".join(f"({typ_str(k)}, {typ_str(v)})" for k, v in b.items) + ",)"


def _cell(cell, bold: bool = False, fill: str = "") -> str:
    """A cell as a string literal; a `table.cell` only where it needs a fill (heat map band,
    the unit's own row): alignment is the table's per column, header cells are bold by the
    template's rule (fewer elements for Typst to lay out)."""
    c = cell if isinstance(cell, Cell) else Cell(str(cell))
    body = typ_str(c.text)
    if c.sub:
        body = f"[#{body} \\ #text(size: 0.85em, fill: muted, {typ_str(c.sub)})]"
    if c.style == "suppressed":
        body = f"text(fill: muted, {body})"
    if bold:
        body = f"strong({body})"
    colour = BAND_FILLS.get(c.fill, "") or fill
    return f'table.cell(fill: rgb("{colour}"), {body})' if colour else body


def _columns(b: Table) -> str:
    if b.widths:
        return "(" + ", ".join(b.widths) + ",)"
    n = len(b.numeric)
    first = "auto" if b.numeric[0] else "1fr"
    return "(" + ", ".join([first, *(["auto"] * (n - 1))]) + ",)"


def _table(b: Table) -> str:
    header = [_cell(h, bold=True) for row in b.header for h in row]
    body = []
    for i, row in enumerate(b.rows):
        current = bool(b.row_styles and b.row_styles[i] == "current")
        body += [_cell(c, bold=current, fill="#e8f1f8" if current else "") for c in row]
    head = (f"table.header({', '.join(header)}, table.hline(stroke: 0.8pt + ink))"
            if header else "")
    cells = ", ".join([*([head] if head else []), *body])
    align = "(" + ", ".join("right" if num else "left" for num in b.numeric) + ",)"
    return (f"#data-table({typ_str(b.caption)}, {typ_str(b.style)}, "
            f"table(columns: {_columns(b)}, align: {align}, {cells}))")


def _legend(keys) -> str:
    return "(" + "".join(f"({typ_str(k.label)}, {typ_str(k.colour)}, {typ_str(k.shape)}, "
                         f"{'true' if k.filled else 'false'}), " for k in keys) + ")"


def chart_typst(b: Chart) -> str:
    return f"#chart(bytes({typ_str(chart_svg(b.spec))}), {typ_str(b.alt)}, {_legend(b.legend)})"


def _notice(b: Notice) -> str:
    return f"#notice({typ_str(b.kind)}, {typ_str(b.text)})"


def _markup(b: Markup) -> str:
    return html_to_typst(b.html, b.level)


def _group(b: Group) -> str:
    inner = render_typst(b.blocks)
    return f"#block(breakable: false)[\n{inner}\n]" if b.keep else inner


def _section(b: Section) -> str:
    title = f"#heading(level: {b.level}, {typ_str(b.title)})\n\n" if b.title else ""
    return title + render_typst(b.blocks)


RENDER: dict[type, Callable] = {
    Heading: _heading, Paragraph: _paragraph, BulletList: _list, DefinitionList: _definitions,
    KeyFigures: _keyfigures, Table: _table, Chart: chart_typst, Notice: _notice,
    Markup: _markup, Group: _group, Section: _section,
}


def render_typst(blocks, lang: str = "sv") -> str:
    """The blocks as Typst markup (a block or a list of blocks; None is skipped); `lang` is
    the document's (set once by the template)."""
    if not isinstance(blocks, list | tuple):
        blocks = [blocks]
    out = []
    for b in blocks:
        if b is None:
            continue
        if type(b) not in RENDER:
            raise TypeError(f"no Typst rendering for block {type(b).__name__}")
        out.append(RENDER[type(b)](b))
    return "\n\n".join(o for o in out if o)
