"""Executed notebook -> PDF through Typst (PyPI `typst`, pinned 0.15.x), tagged PDF/UA-1.

The report's sections carry their own Typst markup (`report.document.TYPST_MIME` in each
output's MIME bundle); every other cell is converted, so a cell an analyst adds reaches the
PDF: markdown cells and ``text/markdown``/``text/html`` outputs (`report.markup_typst`), images
(``image/svg+xml``, ``image/png``, ``image/jpeg``, with alt text from the output's or cell's
metadata ``alt``, else the cell's first comment line, else "Figure in cell N"), plain text and
stdout as monospaced blocks. Code (inputs) and stderr stay out, as in the HTML page.

The page is `report/templates/report.typ`; title, language and running header come from the
arguments, else from the report's first section's metadata (`report.document.META_KEY`), else
the notebook's name and Swedish. PDF/UA-1 (`pdf_standards="ua-1"`) makes Typst refuse a
document without title, an image without alt text, or headings out of sequence.

`TypstPDFExporter` is the same as an nbconvert exporter, registered by entry point as
``hme-pdf``: ``jupyter nbconvert --to hme-pdf report.ipynb`` writes ``report.pdf``.

Fork hazard (docs/TOOLING, Typst): a process that has compiled once has threads, and a child
forked from it hangs; `warm_up` therefore builds the fonts and the compiler, never compiles.
"""

from __future__ import annotations

import base64
import os
import re
import struct
import tempfile
from functools import lru_cache
from pathlib import Path

from hme_core.errors import HMEError
from hme_core.report.document import META_KEY, TYPST_MIME
from hme_core.report.markup_typst import Converter, typ_str

TEMPLATE = Path(__file__).resolve().parents[1] / "report" / "templates" / "report.typ"
PDF_STANDARD = "ua-1"
IMAGE_TYPES = {"image/svg+xml": "svg", "image/png": "png", "image/jpeg": "jpg"}
TEXT_WIDTH_PT = 17 / 2.54 * 72


class PDFError(HMEError):
    """Typst refused the document (names the report and Typst's message)."""


@lru_cache(maxsize=1)
def template() -> str:
    return TEMPLATE.read_text(encoding="utf-8")


_COMPILER: list = []


def compiler():
    """This process's Typst compiler over the system fonts, made once: building the fonts is
    ~80 ms a call when every compile builds its own. Safe to make in a parent that forks."""
    if not _COMPILER:
        import typst

        _COMPILER.append(typst.Compiler(font_paths=typst.Fonts()))
    return _COMPILER[0]


_COMPILED: list[int] = []  # the ids of processes that compiled (a fork keeps the parent's)


def compiled_here() -> bool:
    """Whether this process has compiled with Typst: then it has Typst's threads, and a child
    forked from it hangs (`batch.forkpool` refuses to fork it)."""
    return os.getpid() in _COMPILED


def warm_up() -> None:
    """Fonts, compiler and template loaded, nothing compiled (see the module's fork hazard)."""
    compiler()
    template()


@lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def _image_width(data: bytes, kind: str) -> str:
    """A PNG as wide as its pixels at its stated resolution (else 96 dpi), never wider than
    the text; SVG and JPEG at the text width."""
    if kind == "png" and data[:8] == b"\x89PNG\r\n\x1a\n":
        px = struct.unpack(">I", data[16:20])[0]
        dpi = 96.0
        at = data.find(b"pHYs")
        if at > 0:
            ppm, _, unit = struct.unpack(">IIB", data[at + 4:at + 13])
            dpi = ppm * 0.0254 if unit == 1 and ppm else dpi
        width = px * 72 / dpi
        if width < TEXT_WIDTH_PT:
            return f"{width:.1f}pt"
    return "100%"


def _alt(cell, output, mime: str, number: int, lang: str) -> str:
    from hme_core.i18n import t

    meta = output.get("metadata", {}) or {}
    alt = (meta.get(mime, {}) or {}).get("alt") if isinstance(meta.get(mime), dict) else None
    alt = alt or meta.get("alt") or cell.get("metadata", {}).get("alt")
    if not alt:
        first = next((ln.strip("# ").strip() for ln in cell.get("source", "").splitlines()
                      if ln.strip()), "")
        comment = first if cell.get("source", "").lstrip().startswith("#") else ""
        alt = comment or t("notebook_figure_alt", lang, n=number)
    return str(alt)


def _source(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def notebook_typst(nb, title: str | None = None, lang: str | None = None,
                   header: str | None = None) -> tuple[str, dict[str, bytes]]:
    """The notebook as one Typst document (its main file) and the images it references."""
    files: dict[str, bytes] = {}
    parts: list[str] = []
    conv = Converter(0)
    meta: dict = {}
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "markdown":
            parts.append(conv.convert(_markdown().render(_source(cell.source))))
            continue
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                if out.get("name") == "stdout" and _source(out.text).strip():
                    parts.append(f"#raw(block: true, {typ_str(_source(out.text).rstrip())})")
                continue
            if out.output_type not in ("display_data", "execute_result"):
                continue
            data = out.get("data", {})
            if TYPST_MIME in data:
                part_meta = (out.get("metadata", {}) or {}).get(META_KEY, {}) or {}
                for key in ("title", "lang", "header"):
                    meta.setdefault(key, part_meta.get(key))
                conv.level = part_meta.get("last_heading_level", conv.level)
                parts.append(_source(data[TYPST_MIME]))
                continue
            mime = next((m for m in IMAGE_TYPES if m in data), None)
            if mime:
                raw = data[mime]
                blob = (_source(raw).encode("utf-8") if mime == "image/svg+xml"
                        else base64.b64decode(_source(raw)))
                name = f"cell{number}-{len(files)}.{IMAGE_TYPES[mime]}"
                files[name] = blob
                alt = _alt(cell, out, mime, number, lang or meta.get("lang") or "sv")
                parts.append(f"#align(center, image({typ_str(name)}, alt: {typ_str(alt)}, "
                             f"width: {_image_width(blob, IMAGE_TYPES[mime])}))")
            elif "text/html" in data:
                parts.append(conv.convert(_source(data["text/html"])))
            elif "text/markdown" in data:
                parts.append(conv.convert(_markdown().render(_source(data["text/markdown"]))))
            elif "text/plain" in data and _source(data["text/plain"]).strip():
                parts.append(f"#raw(block: true, {typ_str(_source(data['text/plain']))})")
    lang = lang or meta.get("lang") or nb.metadata.get("hme", {}).get("lang") or "sv"
    title = title or meta.get("title") or nb.metadata.get("title") or "Report"
    header = header if header is not None else (meta.get("header") or title)
    body = "\n\n".join(p for p in parts if p.strip())
    main = (template() + f"\n#show: report.with(title: {typ_str(title)}, "
            f"lang: {typ_str(_lang_code(lang))}, header: {typ_str(header)})\n\n{body}\n")
    return main, files


def _lang_code(lang: str) -> str:
    """Typst's `text(lang:)`: an ISO 639 code ('sv', 'en'; 'sv-SE' → 'sv')."""
    code = re.split(r"[-_]", str(lang))[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else "sv"


def compile_pdf(main: str, files: dict[str, bytes] | None = None, name: str = "report") -> bytes:
    """Typst main file (+ images) -> PDF/UA-1 bytes; Typst's refusal as a `PDFError`."""
    import typst

    if not compiled_here():
        _COMPILED.append(os.getpid())
    try:
        if not files:  # the report itself: in memory
            return compiler().compile(main.encode("utf-8"), format="pdf",
                                      pdf_standards=PDF_STANDARD)
        # images from other cells: typst-py reads in-memory files as UTF-8 text only, so the
        # document and its images go into a private temporary folder, Typst's root
        with tempfile.TemporaryDirectory(prefix="hme-pdf-") as tmp:
            for file_name, data in files.items():
                (Path(tmp) / file_name).write_bytes(data)
            (Path(tmp) / "main.typ").write_text(main, encoding="utf-8")
            return compiler().compile(str(Path(tmp) / "main.typ"), root=tmp, format="pdf",
                                      pdf_standards=PDF_STANDARD)
    except typst.TypstError as exc:
        hints = "; ".join(getattr(exc, "hints", []) or [])
        raise PDFError(f"{name}: the PDF could not be made: {getattr(exc, 'message', exc)}"
                       + (f" ({hints})" if hints else "")) from exc


def notebook_pdf(nb, title: str | None = None, lang: str | None = None,
                 header: str | None = None, name: str = "report") -> bytes:
    """An executed notebook as a tagged PDF/UA-1."""
    main, files = notebook_typst(nb, title, lang, header)
    return compile_pdf(main, files, name)


def _exporter_class():
    from nbconvert.exporters import Exporter

    class TypstPDFExporter(Exporter):
        """nbconvert exporter ``hme-pdf``: an executed notebook as a PDF/UA-1 through Typst."""

        export_from_notebook = "PDF via Typst (HME)"
        output_mimetype = "application/pdf"

        def _file_extension_default(self):
            return ".pdf"

        def from_notebook_node(self, nb, resources=None, **kw):
            nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
            name = (resources.get("metadata") or {}).get("name") or "notebook"
            pdf = notebook_pdf(nb_copy, title=None if _has_title(nb_copy) else name,
                               name=name)
            resources["output_extension"] = ".pdf"
            return pdf, resources

    return TypstPDFExporter


def _has_title(nb) -> bool:
    return any(TYPST_MIME in o.get("data", {}) and
               (o.get("metadata", {}) or {}).get(META_KEY, {}).get("title")
               for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


def __getattr__(name: str):
    """`TypstPDFExporter` is built on first use: nbconvert is imported only by who needs it."""
    if name == "TypstPDFExporter":
        cls = _exporter_class()
        globals()[name] = cls
        return cls
    raise AttributeError(name)
