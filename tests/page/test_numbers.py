"""The key numbers on the HR page (hme_core/page/numbers.py) are the published values the report
reads: worked out by hand for the fixture store, and nothing of a suppressed unit.

a1 2025: 8 answers 4 (75) and 4 answers 2 (25) on every HME statement: (8·75 + 4·25)/12 = 58,3;
2024: 12 answers 3 = 50,0. A (and R, A's only parent): a1's 12, a2's 3 answers 1 (0) and A's own
5 answers 5 (100): (700 + 0 + 500)/20 = 60,0. eNPS a1: 8 promoters (9), 4 detractors (6):
(8 − 4)/12 = 33,3; A: 13 promoters, 7 detractors of 20 = 30,0.
"""

from __future__ import annotations

import re

import pytest

from hme_core.config import load_settings
from hme_core.instruments import load_instruments
from hme_core.page.numbers import (
    enps_rows,
    index_rows,
    key_numbers_html,
    standout_rows,
    suggestions_html,
)
from hme_core.results.unit_data import load_report_data
from hme_core.store.duckdb_store import Store


@pytest.fixture(scope="module")
def data(store_db):
    ins, settings = load_instruments(), load_settings()
    with Store.open(store_db, read_only=True) as store:
        return {u: load_report_data(store, 2025, u, ins, settings) for u in ("a1", "a2")}


def test_hme_and_subindices_compare_the_unit_upward_and_with_last_year(data):
    header, rows = index_rows(data["a1"], load_instruments(), "sv")
    assert header[1:] == ["HME totalt", "Motivation", "Ledarskap", "Styrning"]
    assert rows == [["Avdelning 1 2025", "58,3", "58,3", "58,3", "58,3"],
                    ["Område Å 2025", "60,0", "60,0", "60,0", "60,0"],
                    ["Region Test 2025", "60,0", "60,0", "60,0", "60,0"],
                    ["Avdelning 1 2024", "50,0", "50,0", "50,0", "50,0"]]


def test_standout_statements_show_the_level_above_last_year_and_the_change(data):
    header, high, low = standout_rows(data["a1"], load_instruments(), "sv")
    assert header == ["Påstående", "Enheten", "Område Å", "2024", "Diff"]
    assert len(high) == len(low) == 3  # three strongest, three weakest (9 statements, all 58,3)
    assert all(r[1:] == ["58,3", "60,0", "50,0", "+8,3"] for r in high + low)
    assert not {r[0] for r in high} & {r[0] for r in low}


def test_enps_for_the_unit_the_levels_above_and_last_year(data):
    _, rows = enps_rows(data["a1"], "sv")
    assert rows[:3] == [["Avdelning 1 2025", "12", "33,3"], ["Område Å 2025", "20", "30,0"],
                        ["Region Test 2025", "20", "30,0"]]


def test_a_suppressed_unit_shows_its_counts_and_the_reason_and_no_value(data):
    a2 = data["a2"]
    assert a2.suppressed
    page = key_numbers_html(a2, load_instruments(), "sv")
    assert "färre än 5 personer" in page and "<table" not in page
    text = re.sub(r"<[^>]+>", " ", page)
    # the name, the year, the public counts (3 of 6, 50,0 %) and the threshold 5
    assert re.findall(r"\d+", text) == ["2", "2025", "3", "6", "50", "0", "5"]
    hints = suggestions_html(a2, load_instruments(), "sv")
    assert "färre än 5 svarande" in hints and not re.search(r"\d+,\d", hints)


def test_the_page_shows_the_datas_suggestions_with_numbers_as_the_narrative_files_do(data):
    hints = suggestions_html(data["a1"], load_instruments(), "sv")
    assert "<h3>Förslag från data</h3>" in hints and "(58,3)" in hints
    assert "Största förbättringar" in hints and "+8,3" in hints


def test_every_table_scrolls_in_a_labelled_keyboard_reachable_region(data):
    page = key_numbers_html(data["a1"], load_instruments(), "en")
    assert page.count("<table") == 4
    assert page.count('tabindex="0" role="region" aria-label=') == 4
    assert "<caption>" in page and '<th scope="col">HME total</th>' in page
