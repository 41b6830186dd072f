"""Org trees and head counts from files, validated before they reach the store.

A unit's result includes everyone in its subtree (docs/sources.md), so the tree must really be a
tree: unique unit codes, every parent a unit of the file, exactly one root, no cycles. Head counts
(employees per unit and year) feed response rates. Every problem found is collected and raised
once as `InputError` with file, row as in the file, column header, value and what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd

from hme_core.errors import InputError, InputIssue
from hme_core.inputs.columns import match_aliases
from hme_core.inputs.readers import STRING, RawTable, read_table
from hme_core.inputs.responses import (
    NAME_RULE,
    UNIT_CODE_RULE,
    bad_names,
    bad_unit_codes,
    cell_issues,
    clean_text,
    duplicate_issues,
    sort_issues,
    unknown_unit_issues,
)

ORG_COLUMNS: dict[str, tuple[str, ...]] = {
    "unit": ("Enhet", "Enhetskod", "Unit code"),
    "name": ("Namn", "Enhetsnamn", "Unit name"),
    "parent": ("Överordnad", "Överordnad enhet", "Parent", "Parent unit"),
}
HEADCOUNT_COLUMNS: dict[str, tuple[str, ...]] = {
    "unit": ("Enhet", "Enhetskod", "Unit code"),
    "year": ("År", "Year"),
    "employees": ("Anställda", "Antal anställda", "Antal", "Employees", "Headcount"),
}
# "12", "12.0", "1 234"; at most nine digits (no organisation has a billion employees, and
# "99999999999999999999" or "1e3" must be an error, not an overflow); ASCII digits after NFKC.
_WHOLE = re.compile(r"^\d{1,9}(?:[.,]0*)?$|^\d{1,3}(?:[ \u00a0]\d{3}){1,2}$", re.ASCII)
_YEAR = re.compile(r"^\d{4}(?:[.,]0*)?$", re.ASCII)


def _columns(raw: RawTable, aliases: dict, required: list[str]) -> tuple[dict, list[InputIssue]]:
    """{id: header} for the file's columns, plus an issue per missing required column."""
    found, issues = match_aliases(raw.frame.columns, aliases, raw.source)
    headers = ", ".join(f"'{h}'" for h in raw.frame.columns)
    for cid in required:
        if cid not in found:
            names = " or ".join(f"'{a}'" for a in (cid, *aliases[cid]))
            issues.append(raw.issue(None, None, None,
                                    f"a column {names}; found columns {headers}"))
    return found, issues


def load_org_tree(path: str | Path) -> pd.DataFrame:
    """Read an org tree: columns `unit`, `name`, `parent` (string; parent NA for the root).

    Headers may be the ids or their aliases (`ORG_COLUMNS`, case-insensitive). A blank name
    becomes the unit code. Rows keep the file's order.
    """
    return parse_org_tree(read_table(path))


def parse_org_tree(raw: RawTable) -> pd.DataFrame:
    """Validate a `RawTable` org tree; see `load_org_tree`."""
    found, issues = _columns(raw, ORG_COLUMNS, ["unit", "name", "parent"])
    if issues:
        raise InputError(issues)
    unit_h, name_h, parent_h = found["unit"], found["name"], found["parent"]
    unit = clean_text(raw.frame[unit_h]).reset_index(drop=True)
    name = clean_text(raw.frame[name_h]).reset_index(drop=True).fillna(unit)
    parent = clean_text(raw.frame[parent_h]).reset_index(drop=True)

    issues += cell_issues(raw, unit_h, unit.isna().to_numpy(), "a unit code (blank is not allowed)")
    issues += cell_issues(raw, unit_h, bad_unit_codes(unit), UNIT_CODE_RULE)
    issues += cell_issues(raw, name_h, bad_names(name), NAME_RULE)
    issues += duplicate_issues(raw, unit_h, unit, unit, "a unique unit code")
    codes_ok = not issues
    orphan = (parent.notna() & ~parent.isin(unit.dropna())).to_numpy(dtype=bool)
    issues += cell_issues(raw, parent_h, orphan,
                          "the code of a unit in this file, or blank for the root")
    issues += _root_issues(raw, unit, parent, parent_h)
    if codes_ok:  # cycles are only well defined once unit codes are unique
        issues += _cycle_issues(raw, unit, parent, parent_h)
    if issues:
        raise InputError(sort_issues(issues, list(raw.frame.columns)))
    return pd.DataFrame({"unit": unit, "name": name, "parent": parent}).astype(STRING)


def _root_issues(raw: RawTable, unit: pd.Series, parent: pd.Series, parent_h: str) -> list:
    """Exactly one unit without a parent (the whole organisation)."""
    roots = np.flatnonzero((parent.isna() & unit.notna()).to_numpy(dtype=bool))
    if len(roots) == 1:
        return []
    if not len(roots):
        return [raw.issue(None, parent_h, None,
                          "exactly one root (a unit with a blank parent); found none")]
    listed = ", ".join(f"'{unit.iat[p]}' (row {raw.row_numbers[p]})" for p in roots)
    return [raw.issue(int(raw.row_numbers[p]), parent_h, None,
                      f"exactly one root (a unit with a blank parent); found {len(roots)}: {listed}")
            for p in roots]


def _cycle_issues(raw: RawTable, unit: pd.Series, parent: pd.Series, parent_h: str) -> list:
    """One issue per cycle of parents, naming its units and their rows."""
    parent_of = dict(zip(unit, parent, strict=True))
    row_of = dict(zip(unit, raw.row_numbers, strict=True))
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done (reaches the root)
    issues = []
    for start in unit:
        path: list[str] = []
        node = start
        while isinstance(node, str) and node not in state:
            state[node] = 1
            path.append(node)
            node = parent_of.get(node)  # None past a root or a parent missing from the file
        if isinstance(node, str) and state.get(node) == 1:
            cycle = path[path.index(node):]
            chain = " → ".join([*cycle, cycle[0]])
            rows = ", ".join(str(row_of[u]) for u in cycle)
            first = min(cycle, key=row_of.get)
            issues.append(raw.issue(int(row_of[first]), parent_h, parent_of[first],
                                    f"a parent chain that ends at the root, not the cycle "
                                    f"{chain} (rows {rows})"))
        for u in path:
            state[u] = 2
    return issues


def load_headcounts(
    path: str | Path, year: int | None = None, known_units: Collection[str] | None = None
) -> pd.DataFrame:
    """Read head counts: columns `unit` (string), `year` (int64), `employees` (int64).

    `employees` must be a whole number ≥ 0 ("12", "12.0" and "1 234" are fine; "12.5", "-3",
    "abc" are not); (unit, year) must be unique. With `year`, only that year's rows are kept
    and checked beyond their year (a file without a year column is taken to be that year);
    `known_units` (codes of the org tree) makes other unit codes an error.
    """
    return parse_headcounts(read_table(path), year, known_units)


def parse_headcounts(
    raw: RawTable, year: int | None = None, known_units: Collection[str] | None = None
) -> pd.DataFrame:
    """Validate a `RawTable` of head counts; see `load_headcounts`."""
    required = ["unit", "employees"] if year is not None else ["unit", "year", "employees"]
    found, issues = _columns(raw, HEADCOUNT_COLUMNS, required)
    if issues:
        raise InputError(issues)
    unit_h, count_h = found["unit"], found["employees"]
    unit = clean_text(raw.frame[unit_h]).reset_index(drop=True)
    if "year" in found:
        years, bad = _whole_numbers(clean_text(raw.frame[found["year"]]), _YEAR)
        issues += cell_issues(raw, found["year"], bad, "a year such as 2025")
    else:
        years, bad = pd.Series(year, index=unit.index, dtype="Int64"), np.zeros(len(unit), bool)
    keep = ~bad & (years.eq(year).fillna(False).to_numpy(dtype=bool) if year is not None else True)

    kept = RawTable(raw.frame.loc[keep], raw.row_numbers[keep], raw.path, raw.header_row)
    unit, years = unit[keep].reset_index(drop=True), years[keep].reset_index(drop=True)
    employees, bad = _whole_numbers(clean_text(kept.frame[count_h]), _WHOLE)
    issues += cell_issues(kept, count_h, bad,
                          "a whole number of employees from 0 to 999 999 999, e.g. 12")
    issues += cell_issues(kept, unit_h, unit.isna().to_numpy(), "a unit code (blank is not allowed)")
    if known_units is not None:
        issues += unknown_unit_issues(kept, unit_h, unit, known_units)
    key = unit + "\x1f" + years.astype(STRING)
    shown = unit + ", " + years.astype(STRING)
    issues += duplicate_issues(kept, unit_h, key, shown, "one head count per unit and year")
    if issues:
        raise InputError(sort_issues(issues, list(raw.frame.columns)))
    return pd.DataFrame({"unit": unit.astype(STRING), "year": years.astype("int64"),
                         "employees": employees.astype("int64")})


def _whole_numbers(values: pd.Series, pattern: re.Pattern) -> tuple[pd.Series, np.ndarray]:
    """Texts matching `pattern` -> Int64 (spaces and a zero decimal part dropped); mask of others."""
    values = values.reset_index(drop=True)
    ok = values.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
    digits = values.where(ok).str.replace(r"[.,]0*$|[ \u00a0]", "", regex=True)
    return pd.to_numeric(digits).astype("Int64"), ~ok
