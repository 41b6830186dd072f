"""Report blocks (`report/document.py`) as HTML, styled by `templates/report.css`.

Every text is escaped here; `Markup` (already sanitised by `narratives.markdown`) is the one
block passed through. Tables: a caption, `th scope="col"` header cells in every header row,
`th scope="row"` row headers, numbers right-aligned. Charts: the SVG inline with `role="img"`
and the alt text as its accessible name, the legend as a list under it.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

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
from hme_core.report.legend import legend_html
from hme_core.report.svg import SVG_NS, chart_svg


def esc(text: object) -> str:
    return escape("" if text is None else str(text), quote=True)


def _cls(*names: str) -> str:
    joined = " ".join(n for n in names if n)
    return f' class="{esc(joined)}"' if joined else ""


def _heading(b: Heading) -> str:
    return f"<h{b.level}>{esc(b.text)}</h{b.level}>"


def _paragraph(b: Paragraph) -> str:
    return f"<p{_cls(b.style)}>{esc(b.text)}</p>"


def _list(b: BulletList) -> str:
    tag = "ol" if b.ordered else "ul"
    return f"<{tag}{_cls(b.style)}>{''.join(f'<li>{esc(i)}</li>' for i in b.items)}</{tag}>"


def _definitions(b: DefinitionList) -> str:
    return ('<dl class="definitions">'
            + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in b.items) + "</dl>")


def _keyfigures(b: KeyFigures) -> str:
    return ('<dl class="keyfigures">'
            + "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in b.items)
            + "</dl>")


def cell_html(cell, tag: str, numeric: bool, scope: str = "") -> str:
    c = cell if isinstance(cell, Cell) else Cell(str(cell))
    text = f'<span title="{esc(c.title)}">{esc(c.text)}</span>' if c.title else esc(c.text)
    if c.sub:
        text += f'<span class="change">{esc(c.sub)}</span>'
    attrs = f' scope="{scope}"' if scope else ""
    return f"<{tag}{attrs}{_cls('num' if numeric else '', c.style, c.fill)}>{text}</{tag}>"


def _table(b: Table) -> str:
    head = "".join(
        "<tr>" + "".join(cell_html(h, "th", num, "col")
                         for h, num in zip(row, b.numeric, strict=True)) + "</tr>"
        for row in b.header)
    body = []
    for i, row in enumerate(b.rows):
        style = b.row_styles[i] if b.row_styles else ""
        cells = [cell_html(c, "th", num, "row") if j == 0 and b.row_headers
                 else cell_html(c, "td", num)
                 for j, (c, num) in enumerate(zip(row, b.numeric, strict=True))]
        body.append(f"<tr{_cls(style)}>{''.join(cells)}</tr>")
    cap = f"<caption>{esc(b.caption)}</caption>" if b.caption else ""
    return (f'<div class="table-wrap"><table{_cls(b.style)}>{cap}<thead>{head}</thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


def chart_html(b: Chart) -> str:
    # inline SVG needs no namespace in HTML (and the page names no address it does not load)
    svg = chart_svg(b.spec).replace(
        f'<svg xmlns="{SVG_NS}" ', f'<svg role="img" aria-label="{esc(b.alt)}" ', 1)
    return f'<figure class="chart">{svg}{legend_html(b.legend)}</figure>'


def _notice(b: Notice) -> str:
    return f'<div class="notice notice-{esc(b.kind)}" role="note"><p>{esc(b.text)}</p></div>'


def _group(b: Group) -> str:
    return f"<div{_cls(b.style, 'keep-together' if b.keep else '')}>{render_html(b.blocks)}</div>"


def _section(b: Section) -> str:
    title = f"<h{b.level}>{esc(b.title)}</h{b.level}>" if b.title else ""
    return f"<section{_cls(b.style)}>{title}{render_html(b.blocks)}</section>"


RENDER: dict[type, Callable] = {
    Heading: _heading, Paragraph: _paragraph, BulletList: _list, DefinitionList: _definitions,
    KeyFigures: _keyfigures, Table: _table, Chart: chart_html, Notice: _notice,
    Markup: lambda b: b.html, Group: _group, Section: _section,
}


def render_html(blocks) -> str:
    """The blocks as one HTML fragment (a block or a list of blocks; None is skipped)."""
    if not isinstance(blocks, list | tuple):
        blocks = [blocks]
    out = []
    for b in blocks:
        if b is None:
            continue
        if type(b) not in RENDER:
            raise TypeError(f"no HTML rendering for block {type(b).__name__}")
        out.append(RENDER[type(b)](b))
    return "".join(out)
