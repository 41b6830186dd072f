"""Dense report pages, hidden values explained, and the sections in the vendor report's order.

Rendered from the demo's own questionnaire (every shipped instrument) for one area of the demo
region: Region Demo › Hälso- och sjukvårdsförvaltningen › Område kirurgi and its wards, two
years. Page fill is read from the PDF's pages (`tests.fixtures.page_fill`): on each page, the
lowest printed row against the page's content height.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from hme_core.batch.run import run_batch
from hme_core.cli.workspace import demo_params
from hme_core.demo.generator import write_demo
from hme_core.i18n import t
from hme_core.report.hidden import reason_text
from hme_core.results.pipeline import ingest_files
from tests.fixtures import page_fill

pytestmark = pytest.mark.slow

AREA, LEAF = "R.HSF.KIR", "R.HSF.KIR.AVD11"
KEEP = ("R", "R.HSF")  # the area's ancestors, so the report compares upward


def _subtree(path, units_of) -> None:
    """Keep only the rows of `path` (a demo CSV) whose unit is in the area's subtree."""
    df = pd.read_csv(path, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    keep = df["unit"].map(units_of)
    df[keep].to_csv(path, sep=";", index=False, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    base = tmp_path_factory.mktemp("dense")
    demo = base / "demo"
    write_demo(demo, years=(2024, 2025))
    demo_params(demo / "params")  # as `hme demo-data` does: the shipped optional instruments

    def in_area(unit: str) -> bool:
        return unit in KEEP or unit == AREA or unit.startswith(AREA + ".")

    for name in ("org_2024.csv", "org_2025.csv", "headcount.csv", "responses_2024.csv",
                 "responses_2025.csv"):
        _subtree(demo / name, in_area)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HME_PARAMS", str(demo / "params"))
        mp.setenv("HME_OUTPUTS", str(base / "outputs"))
        db = base / "hme.duckdb"
        for year in (2024, 2025):
            ingest_files(db, demo / f"responses_{year}.csv", year, demo / f"org_{year}.csv",
                         demo / "headcount.csv")
        out = base / "reports"
        outcomes = run_batch(2025, db, units=[AREA, LEAF], formats=("html", "pdf"), workers=2,
                             out_root=out)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    html = {o.unit: (o.folder / "report.html").read_text(encoding="utf-8") for o in outcomes}
    pdf = {o.unit: o.folder / "report.pdf" for o in outcomes}
    return {"html": html, "pdf": pdf, "params": demo / "params"}


@pytest.mark.parametrize("unit", [LEAF, AREA])
def test_no_page_is_more_than_half_empty_except_the_last(rendered, unit):
    fills = page_fill(rendered["pdf"][unit])
    assert len(fills) >= 4  # the whole survey: not a trivial report
    assert all(f >= 0.5 for f in fills[:-1]), [round(f, 2) for f in fills]


def test_charts_are_not_squeezed_by_a_maximum_height(rendered):
    from hme_core.render.notebook import TEMPLATES

    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    assert "max-height" not in css


def _h2(html_text: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html_text)]


def _order(headings: list[str], wanted: list[str]) -> list[str]:
    return [h for h in headings if h in wanted]


def test_sections_follow_the_vendor_reports_order(rendered):
    from hme_core.instruments import load_instruments

    ins = load_instruments(rendered["params"] / "instruments")
    names = [ins[i].name("sv") for i in ("hse", "psychosocial", "exposure", "manager",
                                         "development")]
    wanted = [t("hme_name", "sv"), t("enps_heading", "sv"), *names,
              t("analysis_heading", "sv"), t("dialogue_heading", "sv")]
    assert _order(_h2(rendered["html"][AREA]), wanted) == wanted
    # a ward has no units below it: no dialogue questions; its managers are too few to report
    leaf = _order(_h2(rendered["html"][LEAF]), wanted)
    assert leaf == [w for w in wanted if w in leaf]
    assert t("dialogue_heading", "sv") not in leaf and len(leaf) >= 7


def _tables_with_notes(html: str) -> list[tuple[str, str]]:
    """(table, the hidden-value footnote right under it or '') for every report table."""
    return [(m.group(1), m.group(2) or "") for m in re.finditer(
        r'(<div class="table-wrap".*?</table></div>)'
        r'(?:<p class="footnote hidden-reasons">(.*?)</p>)?', html, re.S)]


def test_every_marked_dash_in_a_table_has_its_reason_right_under_the_table(rendered):
    for unit in (LEAF, AREA):
        tables = _tables_with_notes(rendered["html"][unit])
        assert len(tables) >= 10
        for table, note in tables:
            marks = set(re.findall(r">–([¹²³⁴⁵⁶⁷⁸⁹])<", table))
            assert all(f"{m} " in note for m in marks), (unit, marks, note)


def test_the_wards_hidden_values_say_why_under_their_tables(rendered):
    # Vårdavdelning 11's manager questions had no answers this year (its manager is not among
    # the respondents), and some of its earlier values were not published
    notes = " ".join(note for _, note in _tables_with_notes(rendered["html"][LEAF]))
    assert reason_text("no_data", "sv") in notes
    assert reason_text("earlier", "sv") in notes


@pytest.mark.parametrize("unit", [LEAF, AREA])
def test_no_heading_stands_alone_at_the_foot_of_a_pdf_page(rendered, unit):
    import subprocess

    html = rendered["html"][unit]
    headings = {re.sub(r"<[^>]+>", "", h).strip()
                for h in re.findall(r"<h[1-4][^>]*>(.*?)</h[1-4]>", html, re.S)}
    text = subprocess.run(["pdftotext", str(rendered["pdf"][unit]), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) >= 4
    for number, page in enumerate(pages, start=1):
        lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
        body = [ln for ln in lines if not re.fullmatch(r"\d+ ?/ ?\d+", ln)]
        assert body[-1] not in headings, (number, body[-3:])
