"""Small HTML building blocks for the written sections (`narrative_sections`, whose sanitised
HTML the PDF converts: `report/markup_typst.py`) and the index page: escaped text, tables,
notices. No domain logic. The unit report's own sections are blocks (`report/document.py`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape


def esc(text: object) -> str:
    return escape("" if text is None else str(text), quote=True)


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    caption: str | None = None,
    numeric: Sequence[bool] | None = None,
    row_classes: Sequence[str] | None = None,
    css_class: str = "data",
) -> str:
    """An accessible table: a caption, `th scope=col` headers, numbers right-aligned.

    Cell texts are escaped; pass already formatted strings.
    """
    numeric = numeric or [False] * len(header)
    head = "".join(
        f'<th scope="col"{" class=num" if num else ""}>{esc(h)}</th>'
        for h, num in zip(header, numeric, strict=True)
    )
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{esc(row_classes[i])}"' if row_classes and row_classes[i] else ""
        cells = []
        for j, (cell, num) in enumerate(zip(row, numeric, strict=True)):
            tag = "th scope=\"row\"" if j == 0 else "td"
            close = "th" if j == 0 else "td"
            cells.append(f'<{tag}{" class=num" if num else ""}>{esc(cell)}</{close}>')
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (f'<div class="table-wrap"><table class="{css_class}">{cap}<thead><tr>{head}</tr>'
            f"</thead><tbody>{''.join(body)}</tbody></table></div>")


def notice(text: str, kind: str = "info") -> str:
    return f'<div class="notice notice-{esc(kind)}" role="note"><p>{esc(text)}</p></div>'


def section(title: str, body: str, css_class: str = "", level: int = 2) -> str:
    return (f'<section class="{esc(css_class)}"><h{level}>{esc(title)}</h{level}>'
            f"{body}</section>")


def paragraph(text: str, css_class: str = "") -> str:
    cls = f' class="{esc(css_class)}"' if css_class else ""
    return f"<p{cls}>{esc(text)}</p>"


def bullet_list(items: Iterable[str], css_class: str = "") -> str:
    cls = f' class="{esc(css_class)}"' if css_class else ""
    return f"<ul{cls}>{''.join(f'<li>{esc(i)}</li>' for i in items)}</ul>"


class HTML:
    """An HTML fragment that Jupyter displays as rich output (nbconvert keeps it as HTML). A
    report section shows as a `report.part.Part` instead, which carries its PDF too; wrap a
    written section's HTML with `UnitReport.written`."""

    def __init__(self, html: str):
        self.html = html

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html
