"""A report's HTML body (render/notebook.py, nbconvert with report/templates/nbconvert/hme_report):
outputs and markdown as they are, without nbconvert's wrapper divs; streams keep their classes."""

from __future__ import annotations

import re

import nbformat

from hme_core.render.notebook import notebook_body

WRAPPERS = ("code_cell", "text_cell", "inner_cell", "output_wrapper", "output_area",
            "output_html", 'class="output"')


def notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    section = nbformat.v4.new_code_cell("report.section()")
    section.outputs = [nbformat.v4.new_output(
        "display_data", data={"text/html": '<section class="hme"><h2>HME</h2></section>'})]
    warning = nbformat.v4.new_code_cell("import warnings")
    warning.outputs = [nbformat.v4.new_output("stream", name="stderr", text="UserWarning: x\n"),
                       nbformat.v4.new_output("stream", name="stdout", text="printed\n")]
    nb.cells = [nbformat.v4.new_markdown_cell("## Analys"), section, warning,
                nbformat.v4.new_code_cell("x = 1")]  # no outputs: nothing in the page
    return nb


def test_outputs_and_markdown_are_in_the_page_without_wrapper_divs():
    body = notebook_body(notebook())
    assert '<section class="hme"><h2>HME</h2></section>' in body
    assert re.search(r"<h2[^>]*>Analys", body)
    assert not [w for w in WRAPPERS if w in body]
    assert "report.section()" not in body and "x = 1" not in body  # inputs stay hidden


def test_streams_keep_their_classes_so_the_stylesheet_hides_stderr():
    body = notebook_body(notebook())
    assert re.search(r'<div class="[^"]*output_stderr[^"]*">\s*<pre>UserWarning: x', body)
    assert re.search(r'<div class="[^"]*output_stdout[^"]*">\s*<pre>printed', body)


def test_an_image_without_alt_text_gets_nbconverts_placeholder_and_charts_keep_their_svg():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("plt.show()")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": "aGk=", "text/plain": "x"}),
        nbformat.v4.new_output("display_data", data={
            "text/html": '<figure class="chart"><svg role="img" aria-label="HME 74,5" '
                         'viewBox="0 0 10 10"><rect width="5" height="5"/></svg></figure>'})]
    nb.cells = [cell]
    body = notebook_body(nb)
    assert re.search(r'<img alt="No description has been provided for this image" src="data:'
                     r'image/png;base64,aGk=', body)
    assert 'aria-label="HME 74,5" viewBox="0 0 10 10"' in body  # as written, not re-serialised


def test_a_markdown_heading_closes_before_what_follows_it():
    """nbconvert's anchor link with an empty text serialises as `<a ... />`, which HTML does
    not close: everything after the heading became part of its link (the research workbook
    showed blank headings' rules and no tables). Headings get no anchor link."""
    from html.parser import HTMLParser

    nb = nbformat.v4.new_notebook()
    table = nbformat.v4.new_code_cell("t")
    table.outputs = [nbformat.v4.new_output(
        "display_data", data={"text/markdown": "## Index och utfall", "text/plain": "x"}),
        nbformat.v4.new_output("display_data", data={"text/html": "<table><tr><td>0,01</td>"
                                                                     "</tr></table>"})]
    nb.cells = [nbformat.v4.new_markdown_cell("## Sammanfattning\n\nText."), table]
    body = notebook_body(nb)
    assert "<a" not in body and "anchor-link" not in body

    class Depth(HTMLParser):
        inside: list[str] = []
        seen: dict[str, list[str]] = {}

        def handle_starttag(self, tag, attrs):
            self.inside.append(tag)

        def handle_endtag(self, tag):
            if tag in self.inside:
                del self.inside[len(self.inside) - 1 - self.inside[::-1].index(tag):]

        def handle_data(self, data):
            if data.strip():
                self.seen[data.strip()] = list(self.inside)

    parser = Depth()
    parser.feed(body)
    assert "h2" not in parser.seen["Text."] and "h2" not in parser.seen["0,01"]
