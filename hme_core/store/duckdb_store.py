"""The DuckDB store: responses, org trees, head counts and computed results, per year.

Computed results live in tables `res_<name>` (`RESULT_TABLES`: scores, statements,
distributions, enps, breakdowns, audiences, drivers), each with a `year` column, so reports only read.

One file (default `outputs/private/hme.duckdb`, see `paths.default_db`), owner-only: the file
and its WAL 0600, a folder the store creates 0700, the default `outputs/private/` always 0700
(it holds every respondent's answers; the reports beside it are published). Org trees and head counts are kept per year because
trees change between years. `ingest` writes a whole year in one transaction: either everything
lands or the database is left as it was. Item columns are added when an instrument first appears.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from hme_core.atomic import PRIVATE_DIR_MODE, PRIVATE_MODE
from hme_core.errors import StoreError
from hme_core.paths import private_dir
from hme_core.store import check_year

META_COLUMNS = ["source_row", "respondent_id", "unit", "sex", "role", "profession", "age_group",
                "patient_contact"]
_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    year INTEGER NOT NULL, source_row INTEGER, respondent_id VARCHAR, unit VARCHAR NOT NULL,
    sex VARCHAR, role VARCHAR, profession VARCHAR, age_group VARCHAR, patient_contact VARCHAR);
CREATE TABLE IF NOT EXISTS org_units (
    year INTEGER NOT NULL, unit VARCHAR NOT NULL, name VARCHAR, parent VARCHAR,
    PRIMARY KEY (year, unit));
CREATE TABLE IF NOT EXISTS headcounts (
    year INTEGER NOT NULL, unit VARCHAR NOT NULL, employees BIGINT, PRIMARY KEY (year, unit));
CREATE TABLE IF NOT EXISTS result_meta (year INTEGER PRIMARY KEY, fingerprint VARCHAR);
CREATE TABLE IF NOT EXISTS store_version (version BIGINT);
CREATE TABLE IF NOT EXISTS publications (
    publication INTEGER PRIMARY KEY, year INTEGER NOT NULL, published_at TIMESTAMP,
    target VARCHAR, version BIGINT);
CREATE TABLE IF NOT EXISTS publication_tables (
    publication INTEGER NOT NULL, name VARCHAR NOT NULL, data BLOB,
    PRIMARY KEY (publication, name));
CREATE TABLE IF NOT EXISTS ingests (
    year INTEGER PRIMARY KEY, ingested_at TIMESTAMP, responses_file VARCHAR,
    org_file VARCHAR, headcount_file VARCHAR, respondents BIGINT);
"""


#: What DuckDB says when the machine refuses a write (it raises its own errors, not OSError).
_MACHINE_WORDS = ("no space left", "file too large", "disk quota", "read-only file system")


def machine_refusal(exc: BaseException, path: Path, what: str) -> StoreError | None:
    """A `StoreError` saying the disk (or quota, or a read-only file system) refused the
    write of `what`, and that the store keeps what it held before; None for other errors."""
    from hme_core.atomic import machine_problem

    text = str(exc).lower()
    if machine_problem(exc) is None and not (
            isinstance(exc, duckdb.Error) and any(w in text for w in _MACHINE_WORDS)):
        return None
    reason = next((w for w in _MACHINE_WORDS if w in text), None) or machine_problem(exc)
    return StoreError(
        f"{path}: the machine refused to write {what} ({reason}); nothing of it was stored and "
        f"the store keeps what it held before. Free disk space (the store needs room for the "
        f"year and its results, about twice the size of the file) and run the command again.")


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back, never masking the error that made us roll back."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass


@contextmanager
def owner_only(active: bool = True) -> Iterator[None]:
    """While the block runs, files this process creates are owner-only (umask 077), whoever
    creates them (DuckDB's file and WAL, its spill folder); the umask is restored after, also
    when the block fails. The umask is the process's: a writable store is only opened by
    commands that write nothing else meanwhile."""
    if not active:
        yield
        return
    before = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(before)


def _make_private(path: Path) -> None:
    """The store holds every respondent's answers: owner read/write only (0600), also its WAL;
    the default folder `outputs/private/` owner-only (0700)."""
    for p in (path, path.with_name(path.name + ".wal")):
        if p.exists():
            os.chmod(p, PRIVATE_MODE)
    if path.parent.resolve() == private_dir().resolve():
        os.chmod(path.parent, PRIVATE_DIR_MODE)


#: The result tables of a year (`results/tables.py` computes them), stored as `res_<name>`;
#: reports read nothing else of the results.
RESULT_TABLES = ("scores", "statements", "distributions", "enps", "breakdowns", "audiences",
                 "drivers")
#: Result tables of a year that hold no unit's rows (the questionnaire as asked,
#: `results/questionnaire.py`): reports read them whole.
YEAR_TABLES = ("questionnaire",)

#: A batch's read-only copy in memory of rows of one store file (`store/snapshot.py` sets it);
#: read-only opens of that unchanged file are answered from it.
READ_ONLY_COPY = None


class Store:
    """A connection to the store. Use `Store.open(path)` as a context manager."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, read_only: bool):
        self.con = con
        self.path = path
        self.read_only = read_only

    @classmethod
    @contextmanager
    def open(cls, path: str | Path, read_only: bool = False) -> Iterator[Store]:
        """Open the store; a writable open creates the file and its WAL owner-only from the
        first byte (`owner_only`: umask 077 while the connection lives, so DuckDB's own
        `open(O_CREAT)` makes them 0600), and gives an existing file or a WAL left by a failed
        checkpoint 0600 before DuckDB opens them and again after it closes."""
        path = Path(path)
        if read_only and not path.exists():
            raise StoreError(f"{path}: no database here; run 'hme ingest' first")
        if read_only and READ_ONLY_COPY is not None and READ_ONLY_COPY.serves(path):
            yield READ_ONLY_COPY  # a batch's copy in memory of what its reports read
            return
        if not path.parent.exists():  # a folder made for the store is the store's: owner-only
            path.parent.parent.mkdir(parents=True, exist_ok=True)
            path.parent.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
        with owner_only(not read_only):
            if not read_only:
                _make_private(path)
            try:
                con = duckdb.connect(str(path), read_only=read_only)
            except duckdb.Error as exc:
                raise StoreError(f"{path}: cannot open the database ({exc})") from exc
            try:
                if not read_only:
                    con.execute(_SCHEMA)
                yield cls(con, path, read_only)
            finally:
                con.close()
                if not read_only:
                    _make_private(path)

    # ---- reading -------------------------------------------------------------------------
    def years(self) -> list[int]:
        try:
            rows = self.con.execute("SELECT DISTINCT year FROM org_units ORDER BY year").fetchall()
        except duckdb.CatalogException:
            return []
        return [int(r[0]) for r in rows]

    def has_year(self, year: int) -> bool:
        return year in self.years()

    def _require(self, year: int) -> None:
        check_year(year)
        if not self.has_year(year):
            have = ", ".join(map(str, self.years())) or "none"
            raise StoreError(f"{self.path}: year {year} is not in the store (years: {have})")

    def load_responses(self, year: int) -> pd.DataFrame:
        """The canonical response table of a year; item columns nobody answered are dropped."""
        self._require(year)
        df = self.con.execute(
            "SELECT * EXCLUDE (year) FROM responses WHERE year = ? ORDER BY source_row", [year]
        ).df()
        items = [c for c in df.columns if c not in META_COLUMNS]
        empty = [c for c in items if df[c].isna().all()]
        df = df.drop(columns=empty)
        for c in META_COLUMNS[1:]:
            if c in df:
                df[c] = df[c].astype("string")
        for c in items:
            if c not in empty:
                df[c] = df[c].astype("Int16")
        return df

    def load_org(self, year: int) -> pd.DataFrame:
        self._require(year)
        df = self.con.execute(
            "SELECT unit, name, parent FROM org_units WHERE year = ? ORDER BY unit", [year]
        ).df()
        return df.astype({"unit": "string", "name": "string", "parent": "string"})

    def load_headcounts(self, year: int) -> pd.DataFrame:
        self._require(year)
        return self.con.execute(
            "SELECT unit, year, employees FROM headcounts WHERE year = ? ORDER BY unit", [year]
        ).df()

    # ---- writing -------------------------------------------------------------------------
    def _add_item_columns(self, responses: pd.DataFrame) -> None:
        have = {r[0] for r in self.con.execute("DESCRIBE responses").fetchall()}
        for col in responses.columns:
            if col in META_COLUMNS and col not in have:  # a store made before the column
                self.con.execute(f'ALTER TABLE responses ADD COLUMN "{col}" VARCHAR')
            if col in META_COLUMNS or col in have:
                continue
            if not _IDENT.match(col):
                raise StoreError(f"item id {col!r} is not a valid column name")
            self.con.execute(f'ALTER TABLE responses ADD COLUMN "{col}" SMALLINT')

    def ingest(
        self,
        year: int,
        responses: pd.DataFrame,
        org: pd.DataFrame,
        headcounts: pd.DataFrame | None,
        results: dict[str, pd.DataFrame],
        sources: dict[str, str] | None = None,
        replace: bool = False,
    ) -> None:
        """Write one year in a single transaction; refuse a present year unless `replace`."""
        check_year(year)
        if self.has_year(year) and not replace:
            raise StoreError(
                f"{self.path}: year {year} is already in the store; use --replace to overwrite it"
            )
        sources = sources or {}
        hc = headcounts if headcounts is not None else pd.DataFrame(
            {"unit": pd.Series(dtype="string"), "employees": pd.Series(dtype="int64")}
        )
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            for table in ("responses", "org_units", "headcounts", "ingests"):
                con.execute(f"DELETE FROM {table} WHERE year = ?", [year])
            self._add_item_columns(responses)
            con.register("incoming_responses", responses)
            con.execute(
                "INSERT INTO responses BY NAME SELECT ? AS year, * FROM incoming_responses", [year]
            )
            con.register("incoming_org", org[["unit", "name", "parent"]])
            con.execute("INSERT INTO org_units SELECT ?, unit, name, parent FROM incoming_org", [year])
            con.register("incoming_hc", hc[["unit", "employees"]])
            con.execute("INSERT INTO headcounts SELECT ?, unit, employees FROM incoming_hc", [year])
            self._write_results(year, results)
            self._bump_version()
            con.execute(
                "INSERT INTO ingests VALUES (?, ?, ?, ?, ?, ?)",
                [year, datetime.now(timezone.utc).replace(tzinfo=None),
                 sources.get("responses"), sources.get("org"), sources.get("headcount"),
                 len(responses)],
            )
            con.execute("COMMIT")
        except BaseException as exc:
            _rollback(con)
            if refused := machine_refusal(exc, self.path, f"year {year}"):
                raise refused from exc
            raise
        finally:
            for name in ("incoming_responses", "incoming_org", "incoming_hc"):
                try:
                    con.unregister(name)
                except duckdb.Error:
                    pass

    def _bump_version(self) -> None:
        """Count a write that changes what reports show (inside its transaction)."""
        if self.con.execute("SELECT count(*) FROM store_version").fetchall()[0][0]:
            self.con.execute("UPDATE store_version SET version = version + 1")
        else:
            self.con.execute("INSERT INTO store_version VALUES (1)")

    def version(self) -> int:
        """The store's version: raised by every ingest and rescore (0 for a store never
        written since versions were counted). A batch renders from one version
        (`store.snapshot.batch_copy`) and says so when the store moved on meanwhile."""
        try:
            rows = self.con.execute("SELECT version FROM store_version").fetchall()
        except duckdb.CatalogException:
            return 0
        return int(rows[0][0]) if rows else 0

    # ---- publications --------------------------------------------------------------------
    def record_publication(self, year: int, target: str, tables: dict[str, pd.DataFrame],
                           version: int) -> int:
        """Record that the results `tables` of `year` (as of store `version`) were published
        to `target` (`hme publish`); returns the publication's number. A later rescore of the
        year treats what was published as known (`disclosure.releases`)."""
        import io

        check_year(year)
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            number = con.execute(
                "SELECT coalesce(max(publication), 0) + 1 FROM publications").fetchall()[0][0]
            con.execute("INSERT INTO publications VALUES (?, ?, ?, ?, ?)",
                        [number, year, datetime.now(timezone.utc).replace(tzinfo=None),
                         str(target), version])
            for name, frame in tables.items():
                buffer = io.BytesIO()
                frame.to_parquet(buffer, index=False)
                con.execute("INSERT INTO publication_tables VALUES (?, ?, ?)",
                            [number, name, buffer.getvalue()])
            con.execute("COMMIT")
        except BaseException as exc:
            _rollback(con)
            if refused := machine_refusal(exc, self.path, f"the record of publishing {year}"):
                raise refused from exc
            raise
        return int(number)

    def publications(self, year: int) -> list[dict[str, pd.DataFrame]]:
        """The result tables of every earlier publication of `year`, oldest first ([] when
        the year was never published, or the store predates the record)."""
        import io

        try:
            numbers = [r[0] for r in self.con.execute(
                "SELECT publication FROM publications WHERE year = ? ORDER BY publication",
                [year]).fetchall()]
            out = []
            for number in numbers:
                rows = self.con.execute(
                    "SELECT name, data FROM publication_tables WHERE publication = ?",
                    [number]).fetchall()
                out.append({name: pd.read_parquet(io.BytesIO(data)) for name, data in rows})
        except duckdb.CatalogException:
            return []
        return out

    def _write_results(self, year: int, results: dict[str, pd.DataFrame]) -> None:
        from hme_core.fingerprints import results_fingerprint

        self.con.execute("DELETE FROM result_meta WHERE year = ?", [year])
        self.con.execute("INSERT INTO result_meta VALUES (?, ?)", [year, results_fingerprint()])
        for name, frame in results.items():
            if not _IDENT.match(name):
                raise StoreError(f"result table name {name!r} is not a valid identifier")
            table = f"res_{name}"
            exists = self.con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
            ).fetchall()[0][0]
            if frame.empty and not exists:
                continue  # an empty, untyped frame would make NULL-typed columns
            self.con.register("incoming_result", frame)
            try:
                self.con.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM incoming_result LIMIT 0"
                )
                self.con.execute(f"DELETE FROM {table} WHERE year = ?", [year])
                self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming_result")
            finally:
                self.con.unregister("incoming_result")

    def results_fingerprint(self, year: int) -> str | None:
        """The params/code fingerprint the stored results of `year` were computed with."""
        try:
            rows = self.con.execute(
                "SELECT fingerprint FROM result_meta WHERE year = ?", [year]).fetchall()
        except duckdb.CatalogException:
            return None
        return rows[0][0] if rows else None

    def results_are_current(self, year: int) -> bool:
        """True when the stored results of `year` were computed with today's params and code."""
        from hme_core.fingerprints import results_fingerprint

        return self.results_fingerprint(year) == results_fingerprint()

    def require_current_results(self, year: int) -> None:
        """Refuse results computed under other params or code (a raised `min_n_index` would
        otherwise still show values that are now hidden). Readers never rescore: that is
        `hme ingest` or `hme rescore`, which write the store. A year not stored is named as such."""
        self._require(year)
        if not self.results_are_current(year):
            raise StoreError(
                f"{self.path}: the results of {year} were computed with other params or another "
                f"version of hme; run 'hme rescore --year {year}' (add --db if you use one) first"
            )

    def load_result(self, name: str, year: int, units: list[str] | None = None,
                    index: str | None = None) -> pd.DataFrame:
        """A stored result table (`scores`, `statements`, `distributions`, `enps`, `breakdowns`)
        of a year, optionally only for some units and (tables with an `index` column) one index;
        empty when the table does not exist."""
        if not _IDENT.match(name):
            raise StoreError(f"result table name {name!r} is not a valid identifier")
        sql = f"SELECT * FROM res_{name} WHERE year = ?"
        args: list = [year]
        if units is not None:
            sql += " AND list_contains(?, unit)"
            args.append(list(units))
        if index is not None:
            sql += ' AND "index" = ?'
            args.append(index)
        try:
            return self.con.execute(sql + " ORDER BY rowid", args).df()
        except duckdb.CatalogException:
            return pd.DataFrame()

    def replace_results(self, year: int, results: dict[str, pd.DataFrame]) -> None:
        """Store freshly computed results for a year (one transaction)."""
        self._require(year)
        self.con.execute("BEGIN TRANSACTION")
        try:
            self._write_results(year, results)
            self._bump_version()
            self.con.execute("COMMIT")
        except BaseException as exc:
            _rollback(self.con)
            if refused := machine_refusal(exc, self.path, f"the results of {year}"):
                raise refused from exc
            raise
