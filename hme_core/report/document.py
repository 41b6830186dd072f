"""A report as a document: a small tree of blocks, rendered to HTML and to Typst from one tree.

Every section of a unit's report is built as blocks (`Heading`, `Paragraph`, `BulletList`,
`KeyFigures`, `Table` with header rows and row headers, `Chart`, `Notice`, `Group`, `Section`,
`Markup` for sanitised HTML of people's own texts). Two renderers turn the same tree into HTML
(`report/to_html.py`, styled by `templates/report.css`) and into Typst markup
(`report/to_typst.py`, laid out by the PDF template in `render/pdf.py`). All text in a block is
plain text: each renderer escapes it for its own language, so an organisation's name with
``<``, ``#``, ``*`` or ``$`` prints as written.

A section is shown in the notebook as a `report.part.Part`: its MIME bundle carries
``text/html`` and `TYPST_MIME`, so the executed notebook is the one source of both the HTML
page and the PDF.

Adding a section: build a `Section(title, [blocks...], style)` and return ``Part(section)``
from a method of `UnitReport` (a new notebook cell shows it). Adding a block kind: a dataclass
here and one function in each renderer (`to_html.RENDER`, `to_typst.RENDER`); the renderer
tests fail for a block a renderer does not know.

Layout hints: a heading keeps with what follows it (both renderers); `Group(keep=True)` is
never split over pages (keep it small: a block taller than a page cannot be kept); a `Table`
repeats its header rows on every page it runs over.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TYPST_MIME = "text/x-typst"
#: Metadata key of a part's MIME bundle: the document facts the PDF needs (title, lang, header)
#: and the deepest heading level the part ends at (so the PDF exporter keeps heading levels
#: in sequence for cells that follow).
META_KEY = "hme"


@dataclass
class Heading:
    text: str
    level: int = 3


@dataclass
class Paragraph:
    """A paragraph of plain text; `style` one of the report's paragraph kinds ("muted",
    "footnote", "question", "kicker", "org-path", "report-date", "audience-count", …)."""

    text: str
    style: str = ""


@dataclass
class BulletList:
    items: list[str]
    ordered: bool = False
    style: str = ""


@dataclass
class DefinitionList:
    """Terms and their definitions."""

    items: list[tuple[str, str]]


@dataclass
class KeyFigures:
    """A row of large figures with their labels (the cover's responses, employees, rate)."""

    items: list[tuple[str, str]]


@dataclass
class Cell:
    """A table cell: its text, a second smaller line (`sub`, e.g. a heat map's change), a band
    fill (`fill`, a key of `BAND_FILLS`: heat map colours), and a tooltip (`title`, HTML only;
    the footnote under the table says the same)."""

    text: str
    sub: str = ""
    fill: str = ""
    title: str = ""
    style: str = ""


CellLike = str | Cell


@dataclass
class Table:
    """A data table: `header` is one or more header rows (repeated on every PDF page the table
    runs over), `rows` the body; with `row_headers` the first cell of each row names the row.
    `numeric` per column: right-aligned, tabular figures. `widths`: the PDF's column widths
    (Typst track sizes such as "17%", "1fr", "auto"); default: a wide first column, the rest
    as wide as their content. `row_styles` per body row ("current" bolds the unit's own row)."""

    header: list[list[str]]
    rows: list[list[CellLike]]
    caption: str = ""
    numeric: list[bool] | None = None
    row_headers: bool = True
    row_styles: list[str] | None = None
    style: str = "data"
    widths: list[str] | None = None

    def __post_init__(self):
        if self.header and isinstance(self.header[0], str):  # one header row given flat
            self.header = [list(self.header)]
        ncols = len(self.header[-1]) if self.header else (len(self.rows[0]) if self.rows else 0)
        if self.numeric is None:
            self.numeric = [False] * ncols
        if len(self.numeric) != ncols:
            raise ValueError(f"Table: {ncols} columns but numeric has {len(self.numeric)}")


@dataclass
class Chart:
    """A chart: its description (`report/charts.py`: data and geometry, drawn as SVG by
    `report/svg.py`), the alt text that says its numbers, and its legend keys."""

    spec: object
    alt: str
    legend: list = field(default_factory=list)  # legend.LegendKey


@dataclass
class Notice:
    """A boxed note; kind "info" or "privacy" (a value hidden to protect respondents)."""

    text: str
    kind: str = "info"


@dataclass
class Markup:
    """Sanitised HTML written by people (narratives through `narratives.markdown`), shown as
    is in HTML and converted to Typst (`report/markup_typst.py`); its headings are placed
    below `level` (the heading it sits under)."""

    html: str
    level: int = 3


@dataclass
class Group:
    """Blocks that belong together (`style`: a CSS class in HTML); `keep`: never split over
    pages (small groups only)."""

    blocks: list
    style: str = ""
    keep: bool = False


@dataclass
class Section:
    """A report section: a heading of `level` and its blocks."""

    title: str
    blocks: list
    style: str = ""
    level: int = 2


Block = (Heading | Paragraph | BulletList | DefinitionList | KeyFigures | Table | Chart | Notice
         | Markup | Group | Section)


def last_heading_level(blocks: list, start: int = 0) -> int:
    """The level of the last heading in `blocks` (depth first), `start` if there is none."""
    level = start
    for b in blocks:
        if isinstance(b, Section):
            level = last_heading_level(b.blocks, b.level)
        elif isinstance(b, Heading):
            level = b.level
        elif isinstance(b, Group):
            level = last_heading_level(b.blocks, level)
    return level
