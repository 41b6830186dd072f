"""PDF from an executed notebook through Typst (render/pdf.py): the nbconvert exporter with an
analyst's own cells, and the fork pool's warm-up that must never compile."""

from __future__ import annotations

import base64
import io
import subprocess
import sys
import textwrap
from importlib.metadata import EntryPoint
from pathlib import Path

import nbformat
import pikepdf
import pytest
import tomllib

from hme_core.paths import REPO_ROOT
from tests.fixtures import in_child

EXPORTER = "hme_core.render.pdf.TypstPDFExporter"


def test_the_exporter_is_registered_with_nbconvert_as_hme_pdf():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    value = project["entry-points"]["nbconvert.exporters"]["hme-pdf"]
    cls = EntryPoint("hme-pdf", value, "nbconvert.exporters").load()
    assert cls.__name__ == "TypstPDFExporter" and cls().file_extension == ".pdf"


def _matplotlib_output() -> dict:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 2.5), dpi=100)
    ax.bar(["Avd 1", "Avd 2"], [80, 65])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return nbformat.v4.new_output("display_data", data={
        "image/png": base64.b64encode(buffer.getvalue()).decode(),
        "text/plain": "<Figure size 400x250 with 1 Axes>"})


@pytest.mark.slow
def test_nbconvert_turns_an_executed_report_with_an_added_matplotlib_cell_into_a_pdf(tmp_path):
    from hme_core.batch.run import run_batch
    from tests.fixtures import build_store

    db = build_store(tmp_path / "data")
    [outcome] = run_batch(2025, db, units=["a1"], formats=("html",), out_root=tmp_path / "out")
    nb = nbformat.read(outcome.folder / "report.ipynb", as_version=4)
    cell = nbformat.v4.new_code_cell("# Svarsfrekvens per avdelning\nimport matplotlib.pyplot "
                                     "as plt\nplt.bar(['Avd 1', 'Avd 2'], [80, 65])")
    cell.outputs = [_matplotlib_output()]
    note = nbformat.v4.new_markdown_cell("## Analytikerns kommentar\n\nSvaren *ökade* i år.")
    nb.cells += [note, cell]
    edited = tmp_path / "edited.ipynb"
    nbformat.write(nb, edited)
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", EXPORTER,
                    str(edited)], check=True, capture_output=True, timeout=300)
    pdf = tmp_path / "edited.pdf"
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    pictures = [line for line in images if line.split()[2] == "image"]  # not alpha masks
    assert len(pictures) == 1, images  # the analyst's figure (our charts are vectors)
    assert pictures[0].split()[3:5] == ["400", "250"]  # at its pixels
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Avdelning 1" in text and "Analytikerns kommentar" in text and "ökade" in text
    with pikepdf.open(pdf) as doc:
        assert b"<pdfuaid:part>1</pdfuaid:part>" in doc.Root.Metadata.read_bytes()
        assert str(doc.Root.Lang) == "sv"
        assert str(doc.docinfo["/Title"]).startswith("Avdelning 1")
    assert "Svarsfrekvens per avdelning" in _figure_alts(pdf)  # the cell's comment as alt


def _figure_alts(pdf: Path) -> list[str]:
    alts = []

    def walk(node):
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
        elif isinstance(node, pikepdf.Dictionary):
            if node.get("/S") == "/Figure":
                alts.append(str(node.get("/Alt", "")))
            if "/K" in node:
                walk(node.K)

    with pikepdf.open(pdf) as doc:
        walk(doc.Root.StructTreeRoot)
    return alts


def test_a_notebook_without_our_sections_gets_a_title_and_an_alt_text(tmp_path):
    from hme_core.render.pdf import notebook_pdf

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("plt.bar(...)")
    cell.outputs = [_matplotlib_output(),
                    nbformat.v4.new_output("stream", name="stdout", text="utskrift\n"),
                    nbformat.v4.new_output("stream", name="stderr", text="varning\n")]
    nb.cells = [nbformat.v4.new_markdown_cell("### Egen analys"), cell]
    pdf = tmp_path / "own.pdf"
    pdf.write_bytes(in_child(notebook_pdf, nb, "Egen analys"))
    assert _figure_alts(pdf) == ["Figur i notebookens cell 2"]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Egen analys" in text and "utskrift" in text and "varning" not in text


def test_a_forked_child_of_a_warmed_up_parent_compiles(tmp_path):
    """The parent builds fonts and compiler but never compiles (a process that compiled has
    threads, and a child forked from it hangs); the child compiles in a few seconds."""
    script = textwrap.dedent(f"""
        import os, sys, time
        from hme_core.render import notebook, pdf
        notebook.warm_up()
        pid = os.fork()
        if pid == 0:
            data = pdf.compile_pdf(pdf.template() + '#show: report.with(title: "T")\\n= T\\nx')
            open({str(tmp_path / "child.pdf")!r}, "wb").write(data)
            os._exit(0)
        deadline = time.time() + 60
        while time.time() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                sys.exit(os.waitstatus_to_exitcode(status))
            time.sleep(0.05)
        os.kill(pid, 9)
        sys.exit("the forked child hung")
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, cwd=REPO_ROOT, env={"PYTHONPATH": str(REPO_ROOT),
                                                          "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr[-2000:]
    assert (tmp_path / "child.pdf").read_bytes().startswith(b"%PDF")


def test_the_fork_pool_refuses_to_fork_a_process_that_has_compiled():
    script = textwrap.dedent("""
        from hme_core.batch.forkpool import run_forked
        from hme_core.errors import HMEError
        from hme_core.render import pdf
        pdf.compile_pdf(pdf.template() + '#show: report.with(title: "T")\\n= T')
        try:
            run_forked([1], lambda x: x, 1, lambda task, why: None)
        except HMEError as exc:
            print("refused:", exc)
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, cwd=REPO_ROOT, env={"PYTHONPATH": str(REPO_ROOT),
                                                          "PATH": "/usr/bin:/bin"})
    assert "refused: this process has already made a PDF with Typst" in run.stdout, run.stderr
