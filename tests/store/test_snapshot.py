"""A batch's copy of the store in memory (hme_core/store/snapshot.py) answers exactly as DuckDB."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from hme_core.store.duckdb_store import Store
from hme_core.store.snapshot import StoreSnapshot, drop_snapshot, snapshot_for, take_snapshot
from tests.fixtures import synthetic_store

TABLES = ("scores", "statements", "distributions", "enps", "breakdowns", "audiences")


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "hme.duckdb"
    synthetic_store(path, n_units=4)  # R over U00..U04, 2024 and 2025
    yield path
    drop_snapshot()


def _direct(db, name, year, units, index=None):
    """What DuckDB itself answers (a connection of our own, past any copy)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return Store(con, db, True).load_result(name, year, units=units, index=index)
    finally:
        con.close()


def _same(copy: pd.DataFrame, direct: pd.DataFrame, held: bool = True) -> None:
    """The copy's answer is DuckDB's: same values, columns, order and dtype names (`str`
    columns in pandas' python storage, see store/snapshot.py)."""
    pd.testing.assert_frame_equal(copy, direct, check_dtype=False)
    assert [str(d) for d in copy.dtypes] == [str(d) for d in direct.dtypes]
    if held:  # answered from the copy, not passed to DuckDB
        assert all(d.storage == "python" for d in copy.dtypes if isinstance(d, pd.StringDtype))


def test_read_only_opens_get_the_copy_and_it_answers_as_duckdb_does(db):
    take_snapshot(db, ["R", "U01", "U02"])
    with Store.open(db, read_only=True) as store:
        assert isinstance(store, StoreSnapshot)
        assert store.years() == [2024, 2025]
        for name in TABLES:
            for year in (2024, 2025):
                for units in (["U01"], ["U02", "R"], ["U01", "U01"], []):
                    _same(store.load_result(name, year, units=units),
                                                  _direct(db, name, year, units))
        _same(store.load_result("scores", 2025, ["R", "U02"], "hme"),
                                      _direct(db, "scores", 2025, ["R", "U02"], "hme"))
        assert len(store.load_result("scores", 2025, ["R", "U02"], "hme")) == 2
        store.require_current_results(2025)  # the stored results are current


def test_reads_the_copy_does_not_hold_go_to_the_database(db):
    snap = take_snapshot(db, ["U01"])
    with Store.open(db, read_only=True) as store:
        # U03 and the whole table are outside the copy: DuckDB answers them
        _same(store.load_result("scores", 2025, ["U03"]),
              _direct(db, "scores", 2025, ["U03"]), held=False)
        assert len(store.load_result("scores", 2025)) == len(_direct(db, "scores", 2025, None))
        assert store.load_result("no_such_table", 2025, ["U01"]).empty
    assert snap._store is not None  # a real connection was opened for them, once
    drop_snapshot()
    assert snap._store is None


def test_a_changed_database_file_or_a_write_is_never_answered_from_the_copy(db):
    take_snapshot(db, ["U01"])
    with Store.open(db) as store:  # writing: always the real store
        assert isinstance(store, Store)
    stat = os.stat(db)
    os.utime(db, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # the file changed
    assert snapshot_for(db) is None
    with Store.open(db, read_only=True) as store:
        assert isinstance(store, Store)


def test_stale_results_are_refused_by_the_copy_with_the_stores_message(db, monkeypatch):
    take_snapshot(db, ["U01"])
    monkeypatch.setattr("hme_core.fingerprints.results_fingerprint", lambda: "other")
    with Store.open(db, read_only=True) as store, pytest.raises(Exception, match="rescore"):
        store.require_current_results(2025)


def test_the_years_questionnaire_is_answered_whole_from_the_copy(db):
    """Every report reads the year's questionnaire (a table with no unit rows) whole: the copy
    holds it, so a forked report never opens DuckDB for it."""
    import duckdb

    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE res_questionnaire AS SELECT * FROM (VALUES "
                "(2025, 'hme', 'hme1', 'Mitt arbete känns meningsfullt.', 40, 0), "
                "(2025, 'hme', 'hme2', 'Jag lär nytt.', 39, 1)) "
                "t(year, instrument, item, text, answers, position)")
    con.close()
    snap = take_snapshot(db, ["U01"])
    with Store.open(db, read_only=True) as store:
        asked = store.load_result("questionnaire", 2025)
        assert list(asked["item"]) == ["hme1", "hme2"]
        assert store.load_result("questionnaire", 2024).empty
    assert snap._store is None
    _same(asked, _direct(db, "questionnaire", 2025, None))
