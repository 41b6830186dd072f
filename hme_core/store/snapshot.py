"""A read-only copy in memory of the part of a store that a batch's reports read.

A batch's parent reads, once, the org trees and the result tables of the units its reports
need (the units, their ancestors and their children, every stored year); its forked children
then answer `Store.open(db, read_only=True)` from that copy instead of opening DuckDB and
querying it ~20 times per report (~0.2 CPU-s of a leaf report's ~3 here). Only reads are
answered; a read the copy does not cover (a unit outside it, a whole table) is passed to a real
connection opened on demand, so a report reads exactly what it would read from DuckDB, in the
same row order and with the same columns and types.

String columns are held in pandas' python string storage, as the in-process engine's cells
make theirs (`STRING_STORAGE`, which `render.engine` sets while cells run): the same dtype
`str`, values and missing values as DuckDB's answer, without Arrow's per-call overhead on a
report's many small selections.

The copy belongs to one database file as it was when read (device, inode, size, modification
time); once the file changes, `Store.open` no longer uses it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from hme_core.store import duckdb_store
from hme_core.store.duckdb_store import Store

#: pandas string storage of a report's frames: the copy's and, while cells run, the in-process
#: engine's (`render.engine`); python storage skips Arrow's per-call cost on small selections
STRING_STORAGE = "python"


def _identity(path: Path) -> tuple[int, int, int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


class StoreSnapshot:
    """The reading methods of `Store` that reports use, answered from memory where covered."""

    def __init__(self, path: Path, identity: tuple, years: list[int],
                 orgs: dict[int, pd.DataFrame], tables: dict[tuple[str, int], pd.DataFrame],
                 empty: dict[tuple[str, int], pd.DataFrame], units: set[str],
                 fingerprints: dict[int, str | None]):
        self._store = None
        self.path, self.identity, self.read_only = path, identity, True
        self._years, self._orgs, self._tables, self._empty = years, orgs, tables, empty
        self._units, self._fingerprints = units, fingerprints
        self._positions = {key: frame.groupby("unit", sort=False).indices if "unit" in frame
                           else {} for key, frame in tables.items()}

    def serves(self, path: str | Path) -> bool:
        """True for the database file this copy was read from, unchanged since."""
        try:
            return Path(path).resolve() == self.path and _identity(Path(path)) == self.identity
        except OSError:
            return False

    # ---- what the copy answers -----------------------------------------------------------
    def years(self) -> list[int]:
        return list(self._years)

    def has_year(self, year: int) -> bool:
        return year in self._years

    def _require(self, year: int) -> None:
        if not self.has_year(year):
            self._real()._require(year)  # the store's own message

    def load_org(self, year: int) -> pd.DataFrame:
        if year not in self._orgs:
            return self._real().load_org(year)
        return self._orgs[year].copy()

    def results_fingerprint(self, year: int) -> str | None:
        return self._fingerprints.get(year)

    def results_are_current(self, year: int) -> bool:
        from hme_core.fingerprints import results_fingerprint

        return self.results_fingerprint(year) == results_fingerprint()

    def require_current_results(self, year: int) -> None:
        self._require(year)
        Store.require_current_results(self, year)  # same rule and message, on these answers

    def load_result(self, name: str, year: int, units: list[str] | None = None,
                    index: str | None = None) -> pd.DataFrame:
        """As `Store.load_result`: rows of the year in stored order, for `units` and `index`."""
        frame = self._tables.get((name, year))
        if frame is not None and not len(frame.columns):  # no such table in the store
            return pd.DataFrame()
        if frame is not None and units is None and name in duckdb_store.YEAR_TABLES:
            return frame.copy() if len(frame) else self._empty[(name, year)].copy()
        if frame is None or units is None or not all(u in self._units for u in units):
            return self._real().load_result(name, year, units=units, index=index)
        by_unit = self._positions[(name, year)]
        parts = [by_unit[u] for u in dict.fromkeys(units) if u in by_unit]
        rows = np.sort(np.concatenate(parts)) if parts else np.empty(0, dtype=np.intp)
        out = frame.take(rows)
        if index is not None:
            out = out[out["index"] == index]
        if not len(out):  # DuckDB types the columns of an empty answer its own way
            return self._empty[(name, year)].copy()
        return out.reset_index(drop=True)

    # ---- anything else: the real store ---------------------------------------------------
    def _real(self):
        """A read-only connection of this process to the database itself (opened once)."""
        if self._store is None:
            import duckdb

            self._store = Store(duckdb.connect(str(self.path), read_only=True), self.path, True)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.con.close()
        self._store = None

    def __getattr__(self, name: str):
        return getattr(self._real(), name)


def _python_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its `str` columns in pandas' python storage (same values, same dtype name)."""
    strings = [c for c, dtype in frame.dtypes.items()
               if isinstance(dtype, pd.StringDtype) and dtype.storage != STRING_STORAGE]
    if not strings:
        return frame
    target = pd.StringDtype(STRING_STORAGE, na_value=np.nan)
    return frame.astype({c: target for c in strings})


def take_snapshot(path: str | Path, units: Iterable[str],
                  tables: Iterable[str] = duckdb_store.RESULT_TABLES) -> StoreSnapshot:
    """Read the org trees of every stored year, the rows of `units` in each result table and
    the whole year tables (`duckdb_store.YEAR_TABLES`), every year, from the store at `path`, and make that copy the one `Store.open` answers
    read-only opens of `path` from, in this process and the processes it forks."""
    path = Path(path)
    units = sorted(set(units))
    drop_snapshot()
    with Store.open(path, read_only=True) as store:
        identity = _identity(path)
        years = store.years()
        orgs = {y: store.load_org(y) for y in years}
        frames = {(name, y): store.load_result(name, y, units=units)
                  for name in tables for y in years}
        whole = {(name, y): store.load_result(name, y)
                 for name in duckdb_store.YEAR_TABLES for y in years}
        empty = {key: store.load_result(key[0], key[1], units=[]) for key in frames}
        empty |= {key: frame.iloc[:0] for key, frame in whole.items()}
        frames |= whole
        fingerprints = {y: store.results_fingerprint(y) for y in years}
    orgs = {y: _python_strings(f) for y, f in orgs.items()}
    frames = {k: _python_strings(f) for k, f in frames.items()}
    empty = {k: _python_strings(f) for k, f in empty.items()}
    duckdb_store.READ_ONLY_COPY = StoreSnapshot(path.resolve(), identity, years, orgs, frames,
                                                empty, set(units), fingerprints)
    return duckdb_store.READ_ONLY_COPY


def drop_snapshot() -> None:
    """Forget the copy (the batch is over)."""
    if duckdb_store.READ_ONLY_COPY is not None:
        duckdb_store.READ_ONLY_COPY.close()
    duckdb_store.READ_ONLY_COPY = None


def snapshot_for(path: str | Path) -> StoreSnapshot | None:
    """The copy of the store at `path`, if one was taken and the file has not changed since."""
    snap = duckdb_store.READ_ONLY_COPY
    return snap if snap is not None and snap.serves(path) else None


# ---- a batch's own copy of the store ---------------------------------------------------------

#: What a batch's reports read of the store (never `responses` or head counts: reports read
#: stored results only, see ARCHITECTURE.md).
BATCH_TABLES = ("org_units", "result_meta", "store_version")
_BATCH_PREFIX = ".hme-batch-"


def batch_folder(db: str | Path) -> Path:
    """A new owner-only (0700) folder for a batch's copy of the store, beside the store (same
    disk), or in the system's temporary folder when the store's folder is not writable.
    Folders of batches whose process is gone (killed) are removed first."""
    import shutil
    import tempfile

    parent = Path(db).resolve().parent
    for old in parent.glob(_BATCH_PREFIX + "*"):
        pid = old.name[len(_BATCH_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)) and old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
    prefix = f"{_BATCH_PREFIX}{os.getpid()}-"
    try:
        return Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    except OSError:
        return Path(tempfile.mkdtemp(prefix=prefix))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def batch_copy(db: str | Path, target: str | Path, units: Iterable[str] | None = None) -> int:
    """Copy what a batch's reports read from the store at `db` into a new DuckDB file
    `target` (0600, in a `batch_folder`), as one consistent version; returns that version.

    Copied: the org trees, the results' fingerprints and version, and the result tables
    `res_*`: every unit's rows, or only those of `units` (what a dask worker's reports need),
    and the year tables (`duckdb_store.YEAR_TABLES`: the questionnaire as asked) whole.
    Never the responses or head counts, so a copy sent to a worker holds no respondent's row.
    The store is read in one transaction under DuckDB's shared lock: no ingest or rescore
    can change it meanwhile, so every report and the index page of the batch show one
    version (an ingest during the batch waits, or changes only the store, not the batch)."""
    import duckdb

    from hme_core.atomic import PRIVATE_MODE
    from hme_core.errors import StoreError

    db, target = Path(db), Path(target)
    con = duckdb.connect(str(target))
    try:
        os.chmod(target, PRIVATE_MODE)
        try:
            con.execute("ATTACH '{}' AS src (READ_ONLY)".format(str(db).replace("'", "''")))
        except duckdb.Error as exc:
            raise StoreError(f"{db}: cannot open the database ({exc})") from exc
        con.execute("BEGIN TRANSACTION")
        have = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'src'"
        ).fetchall()}
        wanted = [t for t in BATCH_TABLES if t in have]
        wanted += [f"res_{n}" for n in (*duckdb_store.RESULT_TABLES, *duckdb_store.YEAR_TABLES)
                   if f"res_{n}" in have]
        if units is not None:
            con.register("batch_units", pd.DataFrame({"unit": sorted(set(units))}))
        for table in wanted:
            where = ("" if units is None or not table.startswith("res_")
                     or table[len("res_"):] in duckdb_store.YEAR_TABLES
                     else " WHERE unit IN (SELECT unit FROM batch_units)")
            con.execute(f"CREATE TABLE main.{table} AS SELECT * FROM src.{table}{where} "
                        "ORDER BY rowid" if table.startswith("res_") else
                        f"CREATE TABLE main.{table} AS SELECT * FROM src.{table}{where}")
        version = (con.execute("SELECT version FROM src.store_version").fetchall()
                   if "store_version" in have else [])
        con.execute("COMMIT")
        con.execute("DETACH src")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return int(version[0][0]) if version else 0
