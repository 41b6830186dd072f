"""Unit-level outcome indicators (sick leave, turnover, ...): read, validate, store, load.

File (long form, any format `readers.read_table` reads; Swedish CSV with `;` and decimal comma
is fine): columns `unit`, `year`, `indicator`, `value` and optionally `unit_of_measure`, headers
matched ignoring case. Rules: `unit` non-blank (and a unit of that year's org tree when the tree is
known); `year` four digits (`2024`, also `2024.0`); `indicator` an id of lower-case letters,
digits and `_` (`sick_leave_rate`); `value` a number with decimal comma or point (spaces as
thousands separators allowed); one row per (unit, year, indicator); one unit of measure per
indicator. Every problem is collected and raised once as `InputError` naming file, row, column.

Store: DuckDB table `outcomes`; a new file replaces the rows of every (year, indicator) it
contains, in one transaction (`OUTCOMES_SCHEMA`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from hme_core.errors import InputError, InputIssue
from hme_core.inputs.readers import RawTable, read_table

REQUIRED = ("unit", "year", "indicator", "value")
OPTIONAL = ("unit_of_measure",)
COLUMNS = ["year", "unit", "indicator", "value", "unit_of_measure"]
OUTCOMES_SCHEMA = """
CREATE TABLE IF NOT EXISTS outcomes (
    year INTEGER NOT NULL, unit VARCHAR NOT NULL, indicator VARCHAR NOT NULL,
    value DOUBLE NOT NULL, unit_of_measure VARCHAR, source_file VARCHAR, source_row INTEGER,
    PRIMARY KEY (year, unit, indicator));
"""
_YEAR = re.compile(r"^(\d{4})(?:[.,]0+)?$", re.ASCII)  # ASCII digits only (not '٢٠٢٥')
_INDICATOR = re.compile(r"^[a-z][a-z0-9_]*$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$", re.ASCII)
_SPACES = re.compile(r"[\s\u00a0\u202f]")


def parse_number(text: str) -> float | None:
    """A number written with decimal comma or point; None if it is not one.

    >>> [parse_number(t) for t in ["4,25", "-1.5", "1 234,5", "12%", "1.234,5"]]
    [4.25, -1.5, 1234.5, None, None]
    """
    s = _SPACES.sub("", text).replace("\u2212", "-")
    if "," in s and "." in s:
        return None
    s = s.replace(",", ".")
    return float(s) if _NUMBER.match(s) else None


def parse_year(text: str) -> int | None:
    """A four-digit year in ASCII digits (`2024`, Excel's `2024.0`); None otherwise (`2024-01`,
    `24`, Arabic-Indic `٢٠٢٤`)."""
    m = _YEAR.match(text.strip())
    return int(m.group(1)) if m and 1900 <= int(m.group(1)) <= 2100 else None


def _headers(raw: RawTable) -> tuple[dict[str, str], list[InputIssue]]:
    by_key = {h.strip().casefold(): h for h in raw.frame.columns}
    found = ", ".join(f"'{h}'" for h in raw.frame.columns)
    header_of = {c: by_key[c] for c in (*REQUIRED, *OPTIONAL) if c in by_key}
    issues = [
        raw.issue(None, c, None, f"a column '{c}' (found columns {found})")
        for c in REQUIRED
        if c not in header_of
    ]
    return header_of, issues


def parse_outcomes(
    raw: RawTable, known_units: Mapping[int, Sequence[str]] | None = None
) -> pd.DataFrame:
    """Validate a `RawTable` of outcomes; return `year, unit, indicator, value, unit_of_measure,
    source_row` or raise `InputError` with every problem found.

    `known_units` maps a year to the unit codes of its org tree; units of years in it must exist.
    """
    header_of, issues = _headers(raw)
    if issues:
        raise InputError(issues)
    frame = raw.frame
    rows = np.asarray(raw.row_numbers)
    records = []
    for i in range(len(frame)):
        cell = {c: frame.at[i, h] for c, h in header_of.items()}
        text = {c: None if pd.isna(v) else str(v).strip() for c, v in cell.items()}
        row = int(rows[i])
        unit, year_text = text["unit"], text["year"]
        indicator, value_text = text["indicator"], text["value"]
        if not unit:
            issues.append(raw.issue(row, header_of["unit"], None, "a unit code (blank is not allowed)"))
        year = parse_year(year_text) if year_text else None
        if year is None:
            issues.append(raw.issue(row, header_of["year"], year_text, "a four-digit year such as 2024"))
        if not indicator or not _INDICATOR.match(indicator):
            issues.append(raw.issue(row, header_of["indicator"], indicator,
                                    "an indicator id of lower-case letters, digits and _ "
                                    "(e.g. sick_leave_rate)"))
        value = parse_number(value_text) if value_text else None
        if value is None:
            issues.append(raw.issue(row, header_of["value"], value_text,
                                    "a number such as 4,25 (decimal comma or point)"))
        if unit and year is not None and known_units is not None and year in known_units:
            if unit not in set(known_units[year]):
                issues.append(raw.issue(row, header_of["unit"], unit,
                                        f"a unit code of the {year} org tree"))
        records.append((year, unit, indicator, value, text.get("unit_of_measure"), row))
    out = pd.DataFrame(records, columns=[*COLUMNS, "source_row"])
    issues += _consistency_issues(raw, out, header_of)
    if issues:
        raise InputError(sorted(issues, key=lambda x: (x.row or 0, str(x.column))))
    out["year"] = out["year"].astype("int64")
    out["value"] = out["value"].astype(float)
    return out


def _consistency_issues(raw: RawTable, out: pd.DataFrame, header_of: dict) -> list[InputIssue]:
    issues = []
    keys = out[["unit", "year", "indicator"]]
    first = out.groupby(["unit", "year", "indicator"], dropna=False)["source_row"].transform("min")
    dup = keys.notna().all(axis=1) & out.duplicated(["unit", "year", "indicator"])
    for _, r in out[dup].assign(first=first[dup]).iterrows():
        issues.append(raw.issue(int(r["source_row"]), header_of["indicator"], r["indicator"],
                                f"one row per unit, year and indicator (row {int(r['first'])} "
                                f"has the same unit '{r['unit']}', year {int(r['year'])})"))
    if "unit_of_measure" in header_of:
        um = out.dropna(subset=["indicator", "unit_of_measure"])
        first_um = um.groupby("indicator")["unit_of_measure"].transform("first")
        for i, r in um[um["unit_of_measure"] != first_um].iterrows():
            issues.append(raw.issue(int(r["source_row"]), header_of["unit_of_measure"],
                                    r["unit_of_measure"],
                                    f"one unit of measure per indicator ('{r['indicator']}' "
                                    f"is in '{first_um[i]}' elsewhere)"))
    return issues


def read_outcomes(
    path: str | Path, known_units: Mapping[int, Sequence[str]] | None = None
) -> pd.DataFrame:
    """Read and validate an outcomes file (see the module docstring for the rules)."""
    return parse_outcomes(read_table(path), known_units)


def store_outcomes(con: duckdb.DuckDBPyConnection, outcomes: pd.DataFrame, source: str = "") -> int:
    """Write validated outcomes in one transaction, replacing stored rows of the same
    (year, indicator). Returns the number of rows written."""
    incoming = outcomes.assign(source_file=source)[[*COLUMNS, "source_file", "source_row"]]
    con.execute(OUTCOMES_SCHEMA)
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("incoming_outcomes", incoming)
        con.execute(
            "DELETE FROM outcomes WHERE (year, indicator) IN "
            "(SELECT DISTINCT year, indicator FROM incoming_outcomes)"
        )
        con.execute("INSERT INTO outcomes BY NAME SELECT * FROM incoming_outcomes")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("incoming_outcomes")
    return len(incoming)


def ingest_outcomes(store, path: str | Path) -> pd.DataFrame:
    """Read, validate (units against each stored year's org tree) and store an outcomes file."""
    known = {y: store.load_org(y)["unit"].tolist() for y in store.years()}
    outcomes = read_outcomes(path, known_units=known)
    store_outcomes(store.con, outcomes, source=str(path))
    return outcomes


def load_outcomes_frame(
    con: duckdb.DuckDBPyConnection,
    years: Sequence[int] | None = None,
    indicators: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Stored outcomes in long form `year, unit, indicator, value, unit_of_measure` (empty if
    none were ingested), optionally only the given years and indicators."""
    try:
        df = con.execute(f"SELECT {', '.join(COLUMNS)} FROM outcomes ORDER BY year, unit, indicator").df()
    except duckdb.CatalogException:
        df = pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(
            COLUMNS, ["int64", "string", "string", "float64", "string"], strict=True)})
    if years is not None:
        df = df[df["year"].isin([int(y) for y in years])]
    if indicators is not None:
        df = df[df["indicator"].isin(list(indicators))]
    return df.astype({"unit": "string", "indicator": "string"}).reset_index(drop=True)
