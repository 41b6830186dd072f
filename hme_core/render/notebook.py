"""Notebook -> executed notebook (papermill) -> HTML (nbconvert, inputs hidden) and PDF
(Typst, from the same executed notebook: `render/pdf.py`).

papermill's `--report-mode` only sets metadata that nbconvert ignores, so HTML is exported
with `exclude_input`; kernel starts occasionally race under load, so a failed start is
retried. Every output file is written to a temporary name and renamed when complete.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import nbformat

from hme_core.atomic import atomic_write, commit, temp_path
from hme_core.errors import HMEError
from hme_core.paths import REPO_ROOT

TEMPLATES = Path(__file__).resolve().parents[1] / "report" / "templates"
KERNEL_START_RETRIES = 3


class RenderError(HMEError):
    """Raised when a notebook fails to execute or convert; names the cell and the saved notebook."""


def _kernel_start_failed(exc: Exception) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    return any(s in text for s in ("Kernel didn't respond", "Address already in use",
                                   "Kernel died before replying", "DeadKernelError"))


EXECUTORS = {"kernel": None, "inprocess": "hme-inprocess"}  # executor -> papermill engine


def execute_notebook(
    notebook: Path, parameters: dict, output: Path, timeout: int = 600, executor: str = "kernel"
) -> nbformat.NotebookNode:
    """Run `notebook` with papermill, saving the executed copy at `output` (also on failure).

    `executor`, where the cells run: "kernel" (papermill's default engine: a fresh Jupyter
    kernel) or "inprocess" (this process, through our papermill engine `hme_core.render.engine`;
    for a fresh forked process per notebook, see `forkpool`).
    """
    import papermill as pm

    if executor not in EXECUTORS:
        raise HMEError(f"executor must be one of {sorted(EXECUTORS)}, got {executor!r}")
    if executor == "inprocess":
        from hme_core.render import engine as _register  # noqa: F401  (registers the papermill engine)

    output.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, KERNEL_START_RETRIES + 1):
        try:
            return pm.execute_notebook(
                str(notebook), str(output), parameters=parameters, progress_bar=False,
                log_output=False, cwd=str(REPO_ROOT), execution_timeout=timeout,
                request_save_on_cell_execute=False, engine_name=EXECUTORS[executor],
            )
        except pm.PapermillExecutionError as exc:
            raise RenderError(
                f"{notebook.name} failed in cell {exc.exec_count} ({exc.ename}: {exc.evalue}); "
                f"see {output}"
            ) from exc
        except Exception as exc:  # kernel starts race under load (ZMQ port in use): retry
            if attempt == KERNEL_START_RETRIES or not _kernel_start_failed(exc):
                raise
            time.sleep(0.5 * attempt)
    raise AssertionError("unreachable")


_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\balt=)")


@lru_cache(maxsize=1)
def _exporter():
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        """nbconvert's HTML exporter without its last pass: HTMLExporter parses the whole page
        with BeautifulSoup and writes it again, only to give images without alt text a
        placeholder and to make code cells focusable. Report pages have no code cells, and
        inline SVG charts are thousands of elements for that parser (~half of the HTML
        step); the placeholder is given here by a pattern instead (an analyst's image)."""

        def from_notebook_node(self, nb, resources=None, **kw):
            self.register_filter("highlight_code", Highlight2HTML(parent=self))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            body, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _IMG_WITHOUT_ALT.sub(
                '<img alt="No description has been provided for this image"', body), resources

    return ReportExporter(
        template_name="hme_report", extra_template_basedirs=[str(TEMPLATES / "nbconvert")],
        exclude_input=True, exclude_input_prompt=True,
        exclude_output_prompt=True, exclude_markdown=False, exclude_anchor_links=True,
    )


def notebook_body(nb: nbformat.NotebookNode) -> str:
    """The notebook's outputs as an HTML fragment, code cells' inputs and prompts hidden."""
    body, _ = _exporter().from_notebook_node(nb)
    return body


def warm_up() -> None:
    """Import and initialise the converters once, in a process that will fork per report:
    the in-process engine, the report's params (settings, instruments), the chart font's
    metrics, the number and date formats of every language, nbconvert's exporter (one page
    converted), the code's fingerprint (every report checks its results are current against it),
    and Typst's fonts and compiler, which are made but never used to compile (`render.pdf`: a
    process that compiled must not fork)."""
    import datetime as dt

    from hme_core.fingerprints import code_fingerprint
    from hme_core.i18n import LANGS, fmt_date, fmt_int, fmt_percent, fmt_signed, t
    from hme_core.render import engine, pdf
    from hme_core.report import fonts
    from hme_core.report.unit_report import report_params

    engine.warm_up()
    report_params()
    code_fingerprint()  # hashes hme_core's sources (~13 ms), once per batch, not per report
    fonts.warm_up()
    for lang in LANGS:  # Babel's locale data (~0.15 CPU-s a child would pay at its first number)
        fmt_int(1234, lang), fmt_signed(-1.5, 1, lang), fmt_percent(0.5, 1, lang)
        fmt_date(dt.date(2025, 1, 1), lang), t("report_title", lang, year=2025)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("warm")]
    page(notebook_body(nb), "warm", "sv", "warm")
    pdf.warm_up()


# a table not already in a scroll region (pandas' and the research workbook's formatted tables)
_BARE_TABLE = re.compile(r'(?<!<div class="table-wrap">)<table\b.*?</table>', re.S)


def focusable_tables(body: str, lang: str) -> str:
    """Every table sits in a scroll region that a keyboard can reach (WCAG 2.1.1).

    A region that scrolls must be focusable (axe rule "scrollable-region-focusable"): report
    tables' `table-wrap` and every other table of a notebook (wrapped here; their output areas no
    longer scroll themselves, see report.css) get `tabindex="0"`, `role="region"` and a label.

    >>> focusable_tables('<div class="table-wrap"><table></table></div>', "en")
    '<div class="table-wrap" tabindex="0" role="region" aria-label="Table (scrolls sideways)"><table></table></div>'
    """
    from hme_core.i18n import t

    attrs = f'tabindex="0" role="region" aria-label="{html.escape(t("scroll_region_table", lang))}"'
    body = _BARE_TABLE.sub(lambda m: f'<div class="table-wrap">{m.group(0)}</div>', body)
    return body.replace('<div class="table-wrap">', f'<div class="table-wrap" {attrs}>')


def page(body: str, title: str, lang: str, header: str, extra_css: Iterable[str] = ()) -> str:
    """A self-contained report page: our stylesheet inline, no remote resources, no scripts."""
    body = focusable_tables(body, lang)
    css = stylesheet() + "".join(extra_css)
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n"
        f'<div class="running-header">{html.escape(header)}</div>\n'
        f'<main class="report">\n{body}\n</main>\n</body>\n</html>\n'
    )


_CSS_VARIABLE = re.compile(r"var\((--[\w-]+)\)")


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """`report.css` as pages embed it, read once per process, its custom properties (`--ink`,
    ... declared once in `:root`) replaced by their values: WeasyPrint resolves a `var()` again
    for every element that uses it (a leaf report's PDF: ~10 % of its CPU time), browsers and
    WeasyPrint draw the same colours either way.

    >>> "var(" in stylesheet()
    False
    """
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    root = re.search(r":root\s*{([^}]*)}", css)
    values = dict(re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", root.group(1))) if root else {}
    return _CSS_VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)).strip(), css)


def write_pdf(nb: nbformat.NotebookNode, path: Path, title: str, lang: str,
              header: str) -> Path:
    """The executed notebook as a tagged PDF/UA-1 through Typst (A4, running header, page
    numbers: `report/templates/report.typ`).

    Swedish public bodies must publish accessible documents (see docs/sources.md, DOS-lagen
    2018:1937 / EN 301 549 / WCAG 2.1 AA): the PDF carries a structure tree, the document
    language and its title; charts carry their numbers as alt text.
    """
    from hme_core.render.pdf import notebook_pdf

    return atomic_write(path, notebook_pdf(nb, title, lang, header, name=str(path)))


def _keep_notebook(tmp: Path, executed: Path) -> None:
    """Rename papermill's finished temporary notebook onto `executed`; drop it if unreadable."""
    try:
        nbformat.read(tmp, as_version=4)
    except Exception:  # empty or truncated (disk full while saving): leave no partial file
        tmp.unlink(missing_ok=True)
        return
    commit(tmp, executed)


def render_notebook(
    notebook: Path,
    parameters: dict,
    out_dir: Path,
    title: str,
    header: str,
    lang: str = "sv",
    formats: Iterable[str] = ("html", "pdf"),
    executor: str = "kernel",
) -> dict[str, Path]:
    """Execute and convert one notebook into `out_dir`: `report.ipynb`, `report.html`, `report.pdf`.

    Languages other than Swedish get their own files (`report.en.html`, ...), so a second
    language never overwrites the first.
    """
    from hme_core.unit_files import report_file

    out_dir.mkdir(parents=True, exist_ok=True)
    executed = out_dir / report_file("ipynb", lang)  # kept on failure: the error message points here
    tmp = temp_path(executed)  # papermill writes here; renamed into place when saved whole
    try:
        nb = execute_notebook(notebook, parameters, tmp, executor=executor)
    except RenderError as exc:
        _keep_notebook(tmp, executed)
        raise RenderError(str(exc).replace(str(tmp), str(executed))) from exc.__cause__
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _keep_notebook(tmp, executed)
    written = {"ipynb": executed}
    html_text = page(notebook_body(nb), title, lang, header)
    formats = set(formats)
    if "html" in formats:
        written["html"] = atomic_write(out_dir / report_file("html", lang), html_text)
    if "pdf" in formats:
        written["pdf"] = write_pdf(nb, out_dir / report_file("pdf", lang), title, lang, header)
    return written
