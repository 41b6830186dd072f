"""The DuckDB store: years, refusal without --replace, one-transaction ingest."""

from __future__ import annotations

import pandas as pd
import pytest

from hme_core.config import Settings
from hme_core.errors import StoreError
from hme_core.results.tables import year_results
from hme_core.store.duckdb_store import Store
from tests.fixtures import hme_row, make_responses

ORG = pd.DataFrame({"unit": ["R", "a"], "name": ["Region", "Avd å"], "parent": [None, "R"]}).astype(
    "string")
HC = pd.DataFrame({"unit": ["a"], "year": [2025], "employees": [10]})


def _responses(code=4):
    return make_responses([hme_row("a", [code] * 9, enps=9) for _ in range(6)])


def _ingest(store, year, responses, instruments, replace=False, results=None):
    results = results or year_results(responses, ORG, HC, instruments, Settings(), year)
    store.ingest(year, responses, ORG, HC, results, replace=replace)


def _content(db) -> dict:
    with Store.open(db, read_only=True) as s:
        tables = [r[0] for r in s.con.execute("SHOW TABLES").fetchall()]
        return {t: s.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables
                if t != "ingests"}


def test_ingest_round_trips_the_canonical_table(tmp_path, instruments):
    db = tmp_path / "hme.duckdb"
    with Store.open(db) as s:
        _ingest(s, 2025, _responses(), instruments)
        back = s.load_responses(2025)
        assert s.years() == [2025]
        assert back["hme1"].tolist() == [4] * 6 and str(back["hme1"].dtype) == "Int16"
        assert s.load_org(2025)["name"].tolist() == ["Region", "Avd å"]
        scores = s.load_result("scores", 2025)
        assert scores.loc[(scores.unit == "a") & (scores["index"] == "hme"), "value"].item() == 75


def test_a_year_already_present_is_refused_unless_replace(tmp_path, instruments):
    db = tmp_path / "hme.duckdb"
    with Store.open(db) as s:
        _ingest(s, 2025, _responses(4), instruments)
        with pytest.raises(StoreError, match="already in the store; use --replace"):
            _ingest(s, 2025, _responses(5), instruments)
        _ingest(s, 2025, _responses(5), instruments, replace=True)
        assert s.load_responses(2025)["hme1"].tolist() == [5] * 6
        assert len(s.load_responses(2025)) == 6  # replaced, not appended


def test_failed_ingest_leaves_the_database_content_unchanged(tmp_path, instruments):
    db = tmp_path / "hme.duckdb"
    with Store.open(db) as s:
        _ingest(s, 2024, _responses(3), instruments)
    before = _content(db)
    good = year_results(_responses(5), ORG, HC, instruments, Settings(), 2024)
    broken = {**good, "bad name!": good["scores"]}  # fails after responses were written
    with Store.open(db) as s, pytest.raises(StoreError):
        _ingest(s, 2024, _responses(5), instruments, replace=True, results=broken)
    assert _content(db) == before


def test_result_tables_can_be_read_per_unit(tmp_path, instruments):
    db = tmp_path / "hme.duckdb"
    with Store.open(db) as s:
        _ingest(s, 2025, _responses(), instruments)
    with Store.open(db, read_only=True) as s:
        st = s.load_result("statements", 2025, units=["a"])
        assert set(st["unit"]) == {"a"} and len(st) == 9
        assert s.load_result("nonexistent", 2025).empty


def test_reading_a_missing_year_names_the_years_present(tmp_path, instruments):
    db = tmp_path / "hme.duckdb"
    with Store.open(db) as s:
        _ingest(s, 2025, _responses(), instruments)
        with pytest.raises(StoreError, match=r"year 2023 is not in the store \(years: 2025\)"):
            s.load_responses(2023)


def test_a_result_table_first_seen_empty_gets_its_types_from_a_later_year(tmp_path, instruments):
    db = tmp_path / "hme.duckdb"
    with Store.open(db) as s:
        empty = {"breakdowns": pd.DataFrame({"year": pd.Series(dtype=object),
                                             "unit": pd.Series(dtype=object)})}
        _ingest(s, 2024, _responses(), instruments,
                results={**year_results(_responses(), ORG, HC, instruments, Settings(), 2024),
                         **empty})
        both = make_responses([hme_row("a", [4] * 9, sex=sex) for sex in ["kvinna", "man"] * 6])
        _ingest(s, 2025, both, instruments)  # breakdowns with rows now
        bd = s.load_result("breakdowns", 2025)
        assert set(bd["group"]) == {"kvinna", "man"} and (bd["value"] == 75).all()
