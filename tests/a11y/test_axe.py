"""WCAG 2.1 A/AA: axe-core in headless Chromium finds 0 violations on the pages we publish.

Checked on a unit report (Swedish and English), a parent unit's report, the index page and the
research workbook page, at a desktop and a phone width. Needs `npm ci --prefix tests/a11y`
(`make test` runs it) and Debian's chromium (`make sysdeps`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from hme_core.batch.run import run_batch
from hme_core.inputs.outcomes import store_outcomes
from hme_core.paths import notebooks_dir
from hme_core.render.notebook import render_notebook
from hme_core.store.duckdb_store import Store
from tests.fixtures import build_store, synthetic_store

HERE = Path(__file__).parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
READY = (HERE / "node_modules" / "axe-core").is_dir() and shutil.which("node") and Path(CHROMIUM).exists()

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not READY and not os.environ.get("HME_REQUIRE_A11Y"),
                       reason="axe-core not installed: npm ci --prefix tests/a11y (make test does)"),
]


def axe(pages: list[str]) -> dict[str, list[dict]]:
    """{page argument: violations} from tests/a11y/axe.js (WCAG 2.1 A and AA rules only)."""
    done = subprocess.run(["node", str(HERE / "axe.js"), *pages], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "CHROMIUM": CHROMIUM})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    base = tmp_path_factory.mktemp("a11y")
    db = build_store(base / "data")
    out = base / "out"
    found = {}
    for lang in ("sv", "en"):
        for o in run_batch(2025, db, units=["A", "a1"], formats=("html",), lang=lang, out_root=out):
            assert o.ok, o.error
            found[f"{o.unit}.{lang}"] = o.folder / ("report.html" if lang == "sv" else "report.en.html")
    found["index.sv"] = out / "2025" / "index.html"
    found["index.en"] = out / "2025" / "index.en.html"
    rdb = base / "research.duckdb"
    outcomes = synthetic_store(rdb, years=(2024, 2025), n_units=10, per_unit=8)
    with Store.open(rdb) as store:
        store_outcomes(store.con, outcomes.assign(source_row=range(len(outcomes))))
    files = render_notebook(
        notebooks_dir() / "research_correlations.ipynb",
        {"db": str(rdb), "years": "2024,2025", "level": "leaf", "indicators": "", "lang": "sv",
         "n_boot": 20}, base / "research", title="HME – forskningsunderlag",
        header="HME – forskningsunderlag", lang="sv", formats=("html",), executor="inprocess")
    found["research.sv"] = files["html"]
    return found


def test_unit_reports_index_and_research_pages_have_no_wcag21_aa_violations(pages):
    args = [f"{path}@{width}" for path in pages.values() for width in (1200, 390)]
    violations = {page: v for page, v in axe(args).items() if v}
    assert violations == {}, json.dumps(violations, indent=1)[:3000]


def test_the_research_pages_tables_scroll_in_a_focusable_labelled_region(pages):
    html = pages["research.sv"].read_text(encoding="utf-8")
    assert html.count('<table') >= 5  # the workbook's formatted tables
    assert html.count('<table') == html.count(
        '<div class="table-wrap" tabindex="0" role="region" aria-label="Tabell (kan rullas i sidled)">')
