"""Unit-level outcome indicators (sick leave, turnover, ...): read, validate, store, load.

Files, in any format `readers.read_table` reads (Swedish CSV with `;` and decimal comma is
fine), headers matched ignoring case, Swedish or English:
- **long**: columns `unit` (Enhet), `year` (År), `indicator` (Indikator), `value` (Värde) and
  optionally `unit_of_measure` (Måttenhet);
- **wide**, as HR keeps them: a unit column (or HR's level columns 'Förvaltning;Enhet'), a
  year column, and one column per indicator headed by its label ("Sjukfrånvaro (%)"); or,
  without a year column, one column per indicator and year with the year in its header
  ("Sjukfrånvaro 2024 (%)", "Personalomsättning 2025": label "Sjukfrånvaro (%)", year 2024).
An indicator is written as its label, with any letters, kept as written for reports and the
workbook (`label`); an id for storage is derived from it (`indicator_id`: "Sjukfrånvaro (%)"
-> `sjukfranvaro`), and a trailing "(%)" is its unit of measure when no column gives one.
Rules: `unit` non-blank, and with the years' org trees (`ingest_outcomes`) a unit of that
year's tree by code, name, path or alias (`units.UnitLookup`), in a year with a stored survey;
`year` four digits (`2024`, also `2024.0`); `value` a number with decimal comma or point
(spaces as thousands separators allowed; a blank cell in a wide file is no value); one row per
(unit, year, indicator); one unit of measure and one label per indicator id. Every problem is
collected and raised once as `InputError` naming file, row, column.

Store: DuckDB table `outcomes` (`label` holds the indicator's label as written); a new file
replaces the rows of every (year, indicator) it contains, in one transaction
(`OUTCOMES_SCHEMA`).
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
#: The column research reads indicator labels from (`outcome_labels`).
LABEL_COLUMN = "label"
OUTCOMES_SCHEMA = """
CREATE TABLE IF NOT EXISTS outcomes (
    year INTEGER NOT NULL, unit VARCHAR NOT NULL, indicator VARCHAR NOT NULL,
    value DOUBLE NOT NULL, unit_of_measure VARCHAR, source_file VARCHAR, source_row INTEGER,
    label VARCHAR, PRIMARY KEY (year, unit, indicator));
ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS label VARCHAR;
"""
_YEAR = re.compile(r"^(\d{4})(?:[.,]0+)?$", re.ASCII)  # ASCII digits only (not '٢٠٢٥')
_INDICATOR = re.compile(r"^[a-z][a-z0-9_]*$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$", re.ASCII)
_SPACES = re.compile(r"[\s\u00a0\u202f]")
_MEASURE = re.compile(r"\(\s*([^()]{1,20}?)\s*\)\s*$")
_HEADER_YEAR = re.compile(r"(?<![0-9])(19[0-9]{2}|20[0-9]{2})(?![0-9])")


def indicator_id(label: str) -> str:
    """The storage id of an indicator label: accents folded, lower case, '_' between words,
    a trailing unit of measure left out.

    >>> indicator_id("Sjukfrånvaro (%)"), indicator_id("sick_leave_rate"), indicator_id("2 år")
    ('sjukfranvaro', 'sick_leave_rate', 'i_2_ar')
    """
    from hme_core.unit_files import slug

    base = _MEASURE.sub("", label).strip() or label
    ident = slug(base, 60).replace("-", "_")
    return ident if ident[:1].isalpha() else f"i_{ident}" if ident else "indicator"


def measure_of(label: str) -> str | None:
    """'Sjukfrånvaro (%)' -> '%'; None without a trailing parenthesis."""
    m = _MEASURE.search(label)
    return m.group(1) if m else None


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


#: Swedish and English headers accepted for the outcome columns (case ignored).
ALIASES = {"enhet": "unit", "enhetskod": "unit", "år": "year", "indikator": "indicator",
           "värde": "value", "måttenhet": "unit_of_measure", "enhet för mått": "unit_of_measure",
           "unit code": "unit", "enhetsnamn": "unit", "arbetsplats": "unit", "avdelning": "unit",
           "organisation": "unit", "sökväg": "unit", "path": "unit", "period": "year",
           "nyckeltal": "indicator", "mått": "indicator", "utfall": "value"}


def header_years(headers: Sequence[str]) -> dict[str, tuple[int, str]] | None:
    """{header: (year, label)} when every indicator header of a wide file holds one year
    ("Sjukfrånvaro 2024 (%)" -> (2024, "Sjukfrånvaro (%)")); None otherwise.

    >>> header_years(["Sjukfrånvaro 2024 (%)", "Personalomsättning 2025"])
    {'Sjukfrånvaro 2024 (%)': (2024, 'Sjukfrånvaro (%)'), 'Personalomsättning 2025': (2025, 'Personalomsättning')}
    >>> header_years(["Sjukfrånvaro (%)"]) is None
    True
    """
    out = {}
    for h in headers:
        years = _HEADER_YEAR.findall(h)
        if len(years) != 1:
            return None
        label = " ".join(_HEADER_YEAR.sub(" ", h).split())
        out[h] = (int(years[0]), label)
    return out or None


def _headers(raw: RawTable) -> tuple[dict[str, str], list[InputIssue], list[str]]:
    """({column id: header}, issues, the indicator headers of a wide file or [])."""
    from hme_core.inputs.units import level_headers

    levels = level_headers(list(raw.frame.columns))
    by_key = {}
    for h in raw.frame.columns:
        if h not in levels:
            by_key.setdefault(ALIASES.get(h.strip().casefold(), h.strip().casefold()), h)
    found = ", ".join(f"'{h}'" for h in raw.frame.columns)
    header_of = {c: by_key[c] for c in (*REQUIRED, *OPTIONAL) if c in by_key}
    wide: list[str] = []
    if "indicator" not in header_of and "value" not in header_of:
        taken = {*header_of.values(), *levels}
        wide = [h for h in raw.frame.columns if h not in taken]
    needed = ["unit", "year"] if wide else list(REQUIRED)
    if levels:
        needed.remove("unit")
    if wide and "year" not in header_of and header_years(wide) is not None:
        needed.remove("year")  # each indicator header holds its year
    issues = [
        raw.issue(None, c, None, f"a column '{c}' or its Swedish header (Enhet;År;Indikator;"
                                 f"Värde, or wide: Enhet;År;<one column per indicator>, or "
                                 f"Enhet;<one column per indicator and year, e.g. "
                                 f"'Sjukfrånvaro 2025 (%)'>) "
                                 f"(found columns {found})")
        for c in needed
        if c not in header_of
    ]
    return header_of, issues, wide


def _long_cells(raw: RawTable, header_of: dict, wide: list[str], unit_h: str):
    """(row, header of the value, unit, year text, indicator label, value text, measure) per
    value: one per row of a long file, one per filled indicator cell of a wide one."""
    frame, rows = raw.frame, np.asarray(raw.row_numbers)

    def text(i, h):
        v = frame[h].iat[i]
        return None if pd.isna(v) else str(v).strip() or None

    in_headers = header_years(wide) if wide and "year" not in header_of else None
    for i in range(len(frame)):
        unit = text(i, unit_h)
        year = None if in_headers else text(i, header_of["year"])
        if wide:
            for h in wide:
                value = text(i, h)
                if value is not None:
                    label = in_headers[h][1] if in_headers else h.strip()
                    yield (int(rows[i]), h, unit, str(in_headers[h][0]) if in_headers else year,
                           label, value, None)
        else:
            measure = text(i, header_of["unit_of_measure"]) if "unit_of_measure" in header_of \
                else None
            yield (int(rows[i]), header_of["value"], unit, year, text(i, header_of["indicator"]),
                   text(i, header_of["value"]), measure)


def parse_outcomes(
    raw: RawTable, known_units: Mapping[int, Sequence[str]] | None = None,
    trees: Mapping[int, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Validate a `RawTable` of outcomes; return `year, unit, indicator, value, unit_of_measure,
    label, source_row` or raise `InputError` with every problem found.

    `known_units` maps a year to the unit codes of its org tree; units of years in it must
    exist. `trees` maps a year to its org tree: units are then resolved by code, name or path,
    and a year without a tree is refused.
    """
    from hme_core.inputs.columns import header_key
    from hme_core.inputs.orgtrees import with_unit_cells
    from hme_core.inputs.units import UnitLookup, load_units_file, unit_problem

    header_of, issues, wide = _headers(raw)
    if issues:
        raise InputError(issues)
    raw, unit_h = with_unit_cells(raw, header_of.get("unit"))
    lookups = {y: UnitLookup(t, load_units_file()[0]) for y, t in (trees or {}).items()}
    records = []
    for row, value_h, unit, year_text, label, value_text, measure in _long_cells(
            raw, header_of, wide, unit_h):
        if not unit:
            issues.append(raw.issue(row, unit_h, None, "a unit (blank is not allowed)"))
        year = parse_year(year_text) if year_text else None
        if year is None:
            issues.append(raw.issue(row, header_of.get("year", value_h), year_text,
                                    "a four-digit year such as 2024"))
        if not label:
            issues.append(raw.issue(row, header_of.get("indicator"), label,
                                    "an indicator (its label, e.g. 'Sjukfrånvaro (%)')"))
        value = parse_number(value_text) if value_text else None
        if value is None:
            issues.append(raw.issue(row, value_h, value_text,
                                    "a number such as 4,25 (decimal comma or point)"))
        if unit and year is not None and trees:
            if year not in lookups:
                issues.append(raw.issue(row, header_of.get("year", value_h), year_text,
                                        f"a year with a stored survey "
                                        f"({', '.join(map(str, sorted(lookups)))}). Fix: ingest "
                                        f"that year's responses first, or leave its rows out"))
            else:
                code, named = _resolve_any_year(lookups, year, header_key(unit))
                if code is None:
                    issues.append(raw.issue(row, unit_h, unit, unit_problem(
                        unit, named, lookups[year], trees[year], f"the {year} org tree")))
                else:
                    unit = code
        elif unit and year is not None and known_units is not None and year in known_units:
            if unit not in set(known_units[year]):
                issues.append(raw.issue(row, unit_h, unit,
                                        f"a unit code of the {year} org tree"))
        ident = indicator_id(label) if label else None
        records.append((year, unit, ident, value, measure or (measure_of(label) if label else None),
                        label, row))
    out = pd.DataFrame(records, columns=[*COLUMNS, LABEL_COLUMN, "source_row"])
    issues += _consistency_issues(raw, out, header_of)
    if issues:
        raise InputError(sorted(issues, key=lambda x: (x.row or 0, str(x.column))))
    out["year"] = out["year"].astype("int64")
    out["value"] = out["value"].astype(float)
    return out


def _resolve_any_year(lookups: Mapping[int, object], year: int, key: str
                      ) -> tuple[str | None, list[str]]:
    """A unit cell of `year` as that year's tree reads it; else as another stored year's tree
    reads it (nearest year first) when the code it finds is in `year`'s tree too: HR writes a
    renamed unit's current name also for the years before its rename."""
    code, named = lookups[year].resolve(key)
    if code is not None or named:
        return code, named
    for other in sorted(lookups, key=lambda y: (abs(y - year), -y)):
        found, _ = lookups[other].resolve(key) if other != year else (None, [])
        if found is not None and found in lookups[year].row:
            return found, []
    return None, []


def _consistency_issues(raw: RawTable, out: pd.DataFrame, header_of: dict) -> list[InputIssue]:
    issues = []
    column = header_of.get("indicator")
    keys = out[["unit", "year", "indicator"]]
    first = out.groupby(["unit", "year", "indicator"], dropna=False)["source_row"].transform("min")
    dup = keys.notna().all(axis=1) & out.duplicated(["unit", "year", "indicator"])
    for _, r in out[dup].assign(first=first[dup]).iterrows():
        issues.append(raw.issue(int(r["source_row"]), column, r["label"],
                                f"one row per unit, year and indicator (row {int(r['first'])} "
                                f"has the same unit '{r['unit']}', year {int(r['year'])})"))
    labels = out.dropna(subset=["indicator"]).drop_duplicates(["indicator", "label"])
    for ident, group in labels.groupby("indicator"):
        if len(group) > 1:
            written = " and ".join(f"'{x}'" for x in group["label"])
            issues.append(raw.issue(int(group["source_row"].iat[1]), column, group["label"].iat[1],
                                    f"one label per indicator: {written} both become the id "
                                    f"'{ident}'; write them alike or tell them apart"))
    um = out.dropna(subset=["indicator", "unit_of_measure"])
    first_um = um.groupby("indicator")["unit_of_measure"].transform("first")
    for i, r in um[um["unit_of_measure"] != first_um].iterrows():
        issues.append(raw.issue(int(r["source_row"]), header_of.get("unit_of_measure", column),
                                r["unit_of_measure"],
                                f"one unit of measure per indicator ('{r['label']}' "
                                f"is in '{first_um[i]}' elsewhere)"))
    return issues


def read_outcomes(
    path: str | Path, known_units: Mapping[int, Sequence[str]] | None = None,
    trees: Mapping[int, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Read and validate an outcomes file (see the module docstring for the rules)."""
    return parse_outcomes(read_table(path), known_units, trees)


def store_outcomes(con: duckdb.DuckDBPyConnection, outcomes: pd.DataFrame, source: str = "") -> int:
    """Write validated outcomes in one transaction, replacing stored rows of the same
    (year, indicator). Returns the number of rows written."""
    if LABEL_COLUMN not in outcomes:
        outcomes = outcomes.assign(**{LABEL_COLUMN: outcomes["indicator"]})
    incoming = outcomes.assign(source_file=source)[
        [*COLUMNS, "source_file", "source_row", LABEL_COLUMN]]
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
    """Read, validate (units by code, name or path against each stored year's org tree; only
    years with a stored survey) and store an outcomes file."""
    trees = {y: store.load_org(y) for y in store.years()}
    outcomes = read_outcomes(path, trees=trees)
    store_outcomes(store.con, outcomes, source=str(path))
    return outcomes


def outcome_labels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """{indicator id: its label as written in the file} of the stored outcomes ({} if none)."""
    try:
        rows = con.execute(f"SELECT indicator, any_value(coalesce({LABEL_COLUMN}, indicator)) "
                           f"FROM outcomes GROUP BY indicator").fetchall()
    except duckdb.Error:
        return {}
    return dict(rows)


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
