"""A displayable piece of a report (`Part`): blocks (`report/document.py`) whose MIME bundle
carries both renderings, ``text/html`` (`report/to_html.py`) for the page and `TYPST_MIME`
(`report/to_typst.py`) for the PDF, so the executed notebook is the one source of both."""

from __future__ import annotations

from hme_core.report.document import META_KEY, TYPST_MIME, last_heading_level
from hme_core.report.to_html import render_html
from hme_core.report.to_typst import render_typst


class Part:
    """A displayable piece of a report: one or more blocks (nothing when empty). Jupyter shows
    its HTML; the MIME bundle also carries its Typst markup for the PDF (`TYPST_MIME`), and
    `meta` (document title, language, running header) in the bundle's metadata."""

    def __init__(self, *blocks, lang: str = "sv", meta: dict | None = None):
        self.blocks = [b for b in blocks if b is not None]
        self.lang = lang
        self.meta = dict(meta or {})

    def __bool__(self) -> bool:
        return bool(self.blocks)

    @property
    def html(self) -> str:
        """The blocks as an HTML fragment."""
        return render_html(self.blocks)

    @property
    def typst(self) -> str:
        """The blocks as Typst markup (needs the report template's helpers before it)."""
        return render_typst(self.blocks, self.lang)

    def _repr_html_(self) -> str:
        return self.html

    def _repr_mimebundle_(self, include=None, exclude=None):
        if not self.blocks:  # an empty section: nothing in either page
            return {"text/html": "", TYPST_MIME: ""}, {}
        meta = {**self.meta, "last_heading_level": last_heading_level(self.blocks)}
        return {"text/html": self.html, TYPST_MIME: self.typst}, {META_KEY: meta}

    def __str__(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"Part({len(self.blocks)} blocks)"
