"""End to end: notebooks rendered per unit into HTML and PDF, checked for the scored numbers."""

from __future__ import annotations

import re
import subprocess

import pytest

from hme_core.batch.run import ReportsFailed, run_batch
from hme_core.i18n import t
from tests.fixtures import build_store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    base = tmp_path_factory.mktemp("reports")
    db = build_store(base / "data")
    out = base / "out"
    sv = run_batch(2025, db, units=["A", "a1", "a2"], formats=("html", "pdf"), workers=2,
                   lang="sv", out_root=out / "sv")
    swedish = {p: p.read_bytes() for p in (out / "sv").rglob("*") if p.is_file()}
    en = run_batch(2025, db, units=["a1"], formats=("html", "pdf"), workers=1, lang="en",
                   out_root=out / "sv")  # side by side with the Swedish files
    return {"db": db, "out": out, "sv": {o.unit: o for o in sv}, "en": {o.unit: o for o in en},
            "swedish_before_en": swedish}


def _html(outcome, name: str = "report.html") -> str:
    return (outcome.folder / name).read_text(encoding="utf-8")


def test_every_selected_unit_renders_html_pdf_and_the_executed_notebook(rendered):
    for unit in ("A", "a1", "a2"):
        o = rendered["sv"][unit]
        assert o.ok, o.error
        for name in ("report.html", "report.pdf", "report.ipynb"):
            assert (o.folder / name).stat().st_size > 0


def test_normal_unit_shows_the_scored_numbers_in_swedish(rendered):
    html = _html(rendered["sv"]["a1"])
    assert "Avdelning 1" in html and "Region Test › Område Å" in html
    assert "58,3" in html            # HME and each subindex (hand computation in the fixture)
    assert "+8,3" in html and "▲" in html  # change from 2024 (50,0)
    assert "33,3" in html            # eNPS
    assert "80,0\u00a0%" in html     # response rate 12 / 15
    addresses = html.replace('xmlns="http://www.w3.org/2000/svg"', "")  # a name, not a fetch
    assert "<script" not in html and "http://" not in addresses and "https://" not in html
    charts = re.findall(r"<svg [^>]*>", html)  # vector charts, each named for screen readers
    assert charts and all('role="img"' in c and re.search(r'aria-label="[^"]+"', c)
                          for c in charts)
    assert "data:image" not in html


def test_non_leaf_unit_includes_its_direct_respondents(rendered):
    html = _html(rendered["sv"]["A"])
    assert "60,0" in html  # (8*75 + 4*25 + 3*0 + 5*100) / 20


def test_suppressed_unit_explains_and_shows_no_result(rendered):
    html = _html(rendered["sv"]["a2"])
    assert t("suppressed", "sv", n=5) in html
    assert "<svg" not in html and "<img" not in html
    assert ">0,0<" not in html  # a2's index (0) appears in no cell
    assert t("statements_heading", "sv") not in html


def test_english_report_uses_english_labels_and_number_format(rendered):
    html = _html(rendered["en"]["a1"], "report.en.html")
    assert "58.3" in html and "58,3" not in html
    assert t("statements_heading", "en") in html and 'lang="en"' in html


def test_pdf_text_has_the_numbers_and_page_numbers(rendered):
    pdf = rendered["sv"]["a1"].folder / "report.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "58,3" in text and "Avdelning 1" in text
    pages = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    assert pages >= 3
    assert re.search(rf"\b1\s*/\s*{pages}\b", text) and re.search(rf"\b{pages}\s*/\s*{pages}\b", text)
    assert "Avdelning 1 · Medarbetarundersökning 2025" in text  # running header


def test_index_page_lists_units_with_links_and_hides_suppressed_values(rendered):
    index = (rendered["out"] / "sv" / "2025" / "index.html").read_text(encoding="utf-8")
    for name in ("Region Test", "Område Å", "Avdelning 1", "Avdelning 2 &quot;Öst&quot;"):
        assert name in index
    assert "report.pdf" in index and "58,3" in index
    row_a2 = next(r for r in index.split("<tr") if ">a2<" in r)
    assert "Klar (för få svar)" in row_a2 and "–" in row_a2


def test_a_failing_unit_never_stops_the_others(tmp_path, rendered):
    import nbformat

    nb = nbformat.read("notebooks/unit_report.ipynb", as_version=4)
    nb.cells.insert(1, nbformat.v4.new_code_cell(
        "if unit == 'a2':\n    raise ValueError('broken on purpose')"))
    broken = tmp_path / "broken.ipynb"
    nbformat.write(nb, broken)
    outcomes = {o.unit: o for o in run_batch(
        2025, rendered["db"], units=["a1", "a2"], formats=("html",), workers=2,
        out_root=tmp_path / "out", notebook=broken)}
    assert outcomes["a1"].ok
    assert not outcomes["a2"].ok
    assert "broken on purpose" in outcomes["a2"].error
    assert str(outcomes["a2"].folder / "report.ipynb") in outcomes["a2"].error
    assert (outcomes["a2"].folder / "report.ipynb").exists()
    assert not (outcomes["a2"].folder / "report.html").exists()
    assert issubclass(ReportsFailed, Exception) and ReportsFailed.exit_code == 1
