"""Languages side by side, and PDFs a region can publish (tagged PDF/UA-1, dense pages)."""

from __future__ import annotations

import re
import subprocess

import pikepdf
import pytest

from hme_core.batch.run import run_batch
from tests.fixtures import build_store, page_fill

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    base = tmp_path_factory.mktemp("lang")
    db = build_store(base / "data")
    out = base / "out"
    sv = run_batch(2025, db, units=["A", "a1"], formats=("html", "pdf"), workers=2, out_root=out)
    swedish = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    en = run_batch(2025, db, units=["A", "a1"], formats=("html", "pdf"), workers=2, lang="en",
                   out_root=out)
    return {"db": db, "out": out, "sv": {o.unit: o for o in sv}, "en": {o.unit: o for o in en},
            "swedish": swedish}


def _pdfinfo(pdf) -> dict[str, str]:
    text = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in text.splitlines()
                                                if ":" in line)}


def _pdf_lang(pdf) -> str:
    """The catalog's /Lang entry."""
    with pikepdf.open(pdf) as doc:
        return str(doc.Root.get("/Lang", ""))


def structure(pdf) -> list[tuple[str, str, str]]:
    """Every structure element of the PDF's tag tree as (type, alt text, attributes), depth
    first."""
    out = []

    def walk(node):
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
        elif isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                out.append((str(node.S), str(node.get("/Alt", "")), repr(node.get("/A"))))
            if "/K" in node:
                walk(node.K)

    with pikepdf.open(pdf) as doc:
        walk(doc.Root.StructTreeRoot)
    return out


def test_english_writes_its_own_files_and_leaves_every_swedish_file_untouched(rendered):
    for path, before in rendered["swedish"].items():
        assert path.read_bytes() == before, path
    a1 = rendered["en"]["a1"].folder
    assert {"report.en.html", "report.en.pdf", "report.html", "report.pdf"} <= {
        p.name for p in a1.iterdir()}
    index_en = (rendered["out"] / "2025" / "index.en.html").read_text(encoding="utf-8")
    assert 'lang="en"' in index_en and "report.en.html" in index_en
    assert 'href="' in index_en and not re.search(r'/report\.(html|pdf)"', index_en)
    index_sv = (rendered["out"] / "2025" / "index.html").read_text(encoding="utf-8")
    assert 'lang="sv"' in index_sv and "report.en" not in index_sv


def test_each_language_keeps_its_own_cache_key(rendered):
    again_sv = run_batch(2025, rendered["db"], units=["A", "a1"], formats=("html", "pdf"),
                         out_root=rendered["out"])
    again_en = run_batch(2025, rendered["db"], units=["A", "a1"], formats=("html", "pdf"),
                         lang="en", out_root=rendered["out"])
    assert all(o.skipped for o in again_sv + again_en)
    folder = rendered["sv"]["a1"].folder
    assert (folder / ".cache-key").read_text() != (folder / ".cache-key.en").read_text()


@pytest.mark.parametrize("lang,name,title", [
    ("sv", "report.pdf", "Avdelning 1 – Medarbetarundersökning 2025"),
    ("en", "report.en.pdf", "Avdelning 1 – Employee survey 2025"),
])
def test_pdf_is_tagged_with_title_and_document_language(rendered, lang, name, title):
    pdf = rendered[lang]["a1"].folder / name
    info = _pdfinfo(pdf)
    assert info["Tagged"] == "yes"
    assert info["Title"] == title
    assert _pdf_lang(pdf) == lang


def test_every_chart_has_a_text_alternative_stating_its_numbers(rendered):
    html = (rendered["sv"]["a1"].folder / "report.html").read_text(encoding="utf-8")
    charts = re.findall(r"<svg [^>]*>", html)
    assert charts
    for svg in charts:
        assert 'role="img"' in svg
        label = re.search(r'aria-label="([^"]*)"', svg)
        assert label and re.search(r"\d+,\d|\d+\s%", label.group(1)), svg[:80]
    hme_alt = next(a for a in re.findall(r'aria-label="([^"]*)"', html) if "HME-index" in a)
    assert "58,3" in hme_alt  # the HME chart states the unit's HME total


@pytest.mark.parametrize("lang,name", [("sv", "report.pdf"), ("en", "report.en.pdf")])
@pytest.mark.parametrize("unit", ["A", "a1"])
def test_pdf_is_pdf_ua_1_tagged_with_alt_texts_and_column_header_cells(rendered, lang, name,
                                                                       unit):
    pdf = rendered[lang][unit].folder / name
    with pikepdf.open(pdf) as doc:
        assert doc.Root.MarkInfo.Marked
        assert str(doc.Root.Lang) == lang
        xmp = doc.Root.Metadata.read_bytes()
        assert b"<pdfuaid:part>1</pdfuaid:part>" in xmp  # PDF/UA-1 identification
        assert doc.Root.ViewerPreferences.DisplayDocTitle
    tags = structure(pdf)
    kinds = [k for k, _, _ in tags]
    assert kinds.count("/H1") == 1 and "/H2" in kinds
    figures = [alt for k, alt, _ in tags if k == "/Figure"]
    assert len(figures) >= 3  # index, eNPS and stoplight charts at least
    assert all(re.search(r"\d+[,.]\d|\d+\s?%", alt) for alt in figures), figures  # numbers
    assert kinds.count("/Table") >= 5
    headers = [attrs for k, _, attrs in tags if k == "/TH"]
    assert headers and all("/Column" in attrs for attrs in headers)
    assert kinds.count("/TD") > kinds.count("/TH")  # row headers are data cells (see to_typst)


def test_no_pdf_page_is_more_than_half_empty_except_the_last(rendered):
    for unit in ("A", "a1"):
        fills = page_fill(rendered["sv"][unit].folder / "report.pdf")
        assert all(f >= 0.5 for f in fills[:-1]), (unit, [round(f, 2) for f in fills])


def test_the_cover_page_carries_the_key_figures_and_the_hme_chart(rendered):
    pdf = rendered["sv"]["a1"].folder / "report.pdf"
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    assert "Antal svar" in first and "Svarsfrekvens" in first
    assert "HME totalt" in first and "Index (0–100)" in first  # the HME chart, as vector text
