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

from hme_core.errors import InputError, InputIssue, quoted
from hme_core.inputs.columns import header_key, match_aliases
from hme_core.inputs.readers import STRING, RawTable, read_table
from hme_core.inputs.responses import (
    cell_issues,
    clean_text,
    duplicate_issues,
    sort_issues,
    unknown_unit_issues,
)
from hme_core.inputs.units import (
    NAME_RULE,
    PATH_SEPARATOR,
    UNIT_CODE_RULE,
    bad_names,
    bad_unit_codes,
    level_headers,
    name_ok,
    resolve_units,
    split_path,
    unit_cells,
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


def _columns(raw: RawTable, aliases: dict, required: list[str],
             fixes: dict[str, str] | None = None) -> tuple[dict, list[InputIssue]]:
    """{id: header} for the file's columns, plus an issue per missing required column (with
    `fixes[id]`, another way to supply it, where there is one)."""
    found, issues = match_aliases(raw.frame.columns, aliases, raw.source)
    headers = ", ".join(f"'{h}'" for h in raw.frame.columns)
    for cid in required:
        if cid not in found:
            names = " or ".join(f"'{a}'" for a in (cid, *aliases[cid]))
            fix = f". Fix: {fixes[cid]}" if fixes and cid in fixes else ""
            issues.append(raw.issue(None, None, None,
                                    f"a column {names}; found columns {headers}{fix}"))
    return found, issues


def load_org_tree(path: str | Path, organisation: str | None = None,
                  renames: dict[str, str] | None = None) -> pd.DataFrame:
    """Read an org tree: columns `unit`, `name`, `parent` (string; parent NA for the root).

    Headers may be the ids or their aliases (`ORG_COLUMNS`, case-insensitive). A blank name
    becomes the unit code. Rows keep the file's order. `organisation` (default: the configured
    `organisation_name`) is the root of paths that start below it; `renames` (default:
    `renamed:` of `params/units.yaml`) keep a renamed unit's generated code.
    """
    from hme_core.config import load_settings
    from hme_core.inputs.columns import load_column_map
    from hme_core.inputs.units import load_units_file

    if organisation is None:
        organisation = load_settings().organisation_name
    if renames is None:
        renames = load_units_file()[1]
    return parse_org_tree(read_table(path), organisation, renames, load_column_map())


_LEVEL = re.compile(r"^(?:nivå|niva|level)\s*(\d+)(\s*(?:kod|code))?$")
PATH_COLUMNS = ("path", "sökväg", "organisationssökväg", "org path", "enhetssökväg")


def _level_columns(raw: RawTable) -> tuple[dict[int, str], dict[int, str]]:
    """Wide trees: {level: name header} and {level: code header} ('Nivå 1', 'Level 2 code'),
    or HR's named level columns in file order ('Förvaltning;Enhet')."""
    names, codes = {}, {}
    for h in raw.frame.columns:
        m = _LEVEL.match(header_key(h))
        if m:
            (codes if m.group(2) else names)[int(m.group(1))] = h
    if not names:
        names = dict(enumerate(level_headers(list(raw.frame.columns)), start=1))
    return names, codes


def generated_code(path: list[str]) -> str:
    """A stable code for a unit known only by its path: the same path gives the same code.

    >>> generated_code(["Region", "HSF"])
    'U-6a09adc5'
    """
    import hashlib

    key = "\x1f".join(header_key(p) for p in path)
    return "U-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]


def _renamed(names: list[str], renames: dict[str, str]) -> list[str]:
    """The path whose generated code a unit keeps: the longest renamed prefix of `names`
    (written with or without the root) replaced by its old path (`params/units.yaml`)."""
    for cut in range(len(names), 0, -1):
        for start in (0, 1):
            old = renames.get(header_key(PATH_SEPARATOR.join(names[start:cut])))
            if old is not None and cut > start:
                before = split_path(old)
                if start and (not before or header_key(before[0]) != header_key(names[0])):
                    before = [names[0], *before]
                return before + names[cut:]
    return names


Part = tuple[str | None, str, str, int]  # (code or None, name, header, row)


def _tree_from_paths(raw: RawTable, paths: list[list[Part]], organisation: str | None,
                     renames: dict[str, str]) -> pd.DataFrame:
    """One [(code or None, name, header, row), ...] list per row, top first -> `unit, name,
    parent` rows. Paths that start below the root get `organisation` as their root."""
    issues = []
    for path in paths:
        for code, name, header, row in path:
            if not name_ok(name):
                cell = raw.frame[header].iat[int(np.flatnonzero(raw.row_numbers == row)[0])] \
                    if header in raw.frame else name
                part = "" if cell == name else f" (here the part {quoted(name)})"
                issues.append(raw.issue(row, header, cell, NAME_RULE + part))
            if code is not None and bad_unit_codes(pd.Series([code]))[0]:
                issues.append(raw.issue(row, header, code, UNIT_CODE_RULE))
    firsts = {header_key(p[0][1]): p[0][1] for p in paths if p}
    if len(firsts) > 1 and organisation and organisation.strip():
        top = header_key(organisation)
        paths = [p if header_key(p[0][1]) == top else [(None, organisation.strip(), "", 0), *p]
                 for p in paths]
    elif len(firsts) > 1:
        listed = ", ".join(f"'{n}'" for n in list(firsts.values())[:6])
        issues.append(raw.issue(None, None, None,
                                f"one root (the same first level on every row); the paths start "
                                f"at {len(firsts)} units ({listed}). Fix: give the organisation's "
                                f"name, the root of them all: `hme init --organisation NAME` or "
                                f"organisation_name in params/config.yaml"))
    if issues:
        raise InputError(sort_issues(issues, list(raw.frame.columns)))
    rows: dict[tuple, tuple[str, str, str | None]] = {}
    for path in paths:
        parent = None
        for depth in range(len(path)):
            key = tuple(header_key(n) for _c, n, _h, _r in path[:depth + 1])
            code, name, header, row = path[depth]
            if key not in rows:
                names = [n for _c, n, _h, _r in path[:depth + 1]]
                rows[key] = (code or generated_code(_renamed(names, renames)), name, parent)
            elif code and rows[key][0] != code:
                issues.append(raw.issue(row, header, code,
                                        f"the code '{rows[key][0]}' given for '{name}' above"))
            parent = rows[key][0]
    if issues:
        raise InputError(issues)
    frame = pd.DataFrame(list(rows.values()), columns=["unit", "name", "parent"])
    return frame.astype(STRING)


def unit_column(raw: RawTable, column_map: dict[str, str] | None) -> str | None:
    """The responses' own unit column (column map or a known synonym, by its header or, in
    an SPSS file, its variable label as `columns.recognise` reads them), for a tree made of
    the unit cells themselves."""
    from hme_core.inputs.columns import SYNONYMS
    from hme_core.inputs.readers import variable_labels

    keys = {header_key(a) for a in ("unit", *SYNONYMS["unit"])}
    keys |= {header_key(k) for k, v in (column_map or {}).items() if v == "unit"}
    labels = variable_labels(raw)
    return next((h for h in raw.frame.columns if header_key(h) in keys), None) or next(
        (h for h in raw.frame.columns if header_key(labels.get(h) or "") in keys), None)


def _wide_or_path(raw: RawTable, organisation: str | None = None,
                  renames: dict[str, str] | None = None,
                  column_map: dict[str, str] | None = None) -> pd.DataFrame | None:
    """The org tree of a wide file (one column per level), a path column, or the unit column
    of a responses file (paths, names or codes); None for neither."""
    renames = renames or {}
    names, codes = _level_columns(raw)
    cells = {h: clean_text(raw.frame[h]).reset_index(drop=True) for h in raw.frame.columns}
    rows = [int(r) for r in raw.row_numbers]
    if names:
        levels = sorted(names)
        if levels != list(range(1, len(levels) + 1)):
            raise InputError(raw.issue(raw.header_row, None, ", ".join(names.values()),
                                       "level columns numbered 1, 2, 3, ... without gaps "
                                       "('Nivå 1', 'Nivå 2', ...)"))
        paths, issues = [], []
        for i in range(len(raw.frame)):
            path, ended = [], False
            for lv in levels:
                name = cells[names[lv]].iat[i]
                code = cells[codes[lv]].iat[i] if lv in codes else None
                if name is pd.NA or name is None:
                    ended = True
                    continue
                if ended:
                    issues.append(raw.issue(rows[i], names[lv], name,
                                            f"no name after an empty level (fill in the "
                                            f"levels above '{name}')"))
                given = code is not None and code is not pd.NA
                path.append((code if given else None, name, codes[lv] if given else names[lv],
                             rows[i]))
            paths.append(path)
        if issues:
            raise InputError(issues)
        paths = [p for p in paths if p]
        return _tree_from_paths(raw, paths, organisation, renames) if paths else None
    path_h = next((h for h in raw.frame.columns if header_key(h) in PATH_COLUMNS), None)
    own = False
    if path_h is None:
        path_h, own = unit_column(raw, column_map), True
        if path_h is None or any(header_key(h) in {"name", "namn", "enhetsnamn", "unit name"}
                                 for h in raw.frame.columns):
            return None
    values = cells[path_h]
    if own and not values.str.contains("/", regex=False).fillna(False).any():
        if not (organisation and organisation.strip()):
            raise InputError(raw.issue(None, path_h, None,
                                       "the organisation's name to be the root of the units in "
                                       "this column. Fix: `hme init --organisation NAME` or "
                                       "organisation_name in params/config.yaml"))
    paths = [[(None, part, path_h, rows[i]) for part in split_path(v)]
             for i, v in enumerate(values.fillna(""))]
    paths = [p for p in paths if p]
    return _tree_from_paths(raw, paths, organisation, renames) if paths else None


def parse_org_tree(raw: RawTable, organisation: str | None = None,
                   renames: dict[str, str] | None = None,
                   column_map: dict[str, str] | None = None) -> pd.DataFrame:
    """Validate a `RawTable` org tree; see `load_org_tree`.

    Layouts: `unit, name, parent`; wide (`Nivå 1`, `Nivå 2`, ... or `Level 1`, ... holding
    names, optional `Nivå 1 kod` code columns, one row per path from the root; or HR's named
    level columns such as 'Förvaltning;Avdelning;Enhet'); one path column
    (`Sökväg`/`Path`: "Region / HSF / Område medicin / Avd 32"); or a responses file's own
    unit column (paths, or names under the root). Paths may start below the root when
    `organisation` names it. Units without a code get `generated_code(path)`, stable from
    year to year (and kept across a rename given in `renames`). Names and codes follow
    `units.NAME_RULE` and `units.UNIT_CODE_RULE` in every layout.
    """
    has_parent = any(header_key(h) in {header_key(a) for a in ("parent", *ORG_COLUMNS["parent"])}
                     for h in raw.frame.columns)
    if not has_parent:
        tree = _wide_or_path(raw, organisation, renames, column_map)
        if tree is not None:
            roots = tree[tree["parent"].isna()]
            if len(roots) != 1:
                listed = ", ".join(f"'{n}'" for n in roots["name"])
                raise InputError(raw.issue(None, None, None,
                                           f"one root (the same first level on every row); "
                                           f"found {len(roots)}: {listed}"))
            return tree
    found, issues = _columns(raw, ORG_COLUMNS, ["unit", "name", "parent"], {
        "parent": "give the tree as unit, name, parent; as level columns (Nivå 1, Nivå 2, ...); "
                  "as a path column (Sökväg: 'Förvaltning / Avdelning / Enhet'); or point "
                  "--org at the responses file itself when its unit column holds paths"})
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
    path: str | Path, year: int | None = None, known_units: Collection[str] | None = None,
    org: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Read head counts: columns `unit` (string), `year` (int64), `employees` (int64).

    `employees` must be a whole number ≥ 0 ("12", "12.0" and "1 234" are fine; "12.5", "-3",
    "abc" are not); (unit, year) must be unique. With `year`, only that year's rows are kept
    and checked beyond their year (a file without a year column is taken to be that year);
    `known_units` (codes of the org tree) makes other unit codes an error. With `org` (the
    tree), a unit may be given as the responses' can: code, name, path, an alias of
    `params/units.yaml`, or HR's level columns ('Förvaltning;Enhet') read as a path
    (`units.UnitLookup`).
    """
    return parse_headcounts(read_table(path), year, known_units, org)


def with_unit_cells(raw: RawTable, unit_header: str | None) -> tuple[RawTable, str | None]:
    """`raw` with HR's level columns joined into one path column (named 'Förvaltning;Enhet'
    in messages) when there are two or more, and the header of the units' column."""
    header, values = unit_cells(raw, unit_header, clean_text)
    if header is None or header in raw.frame.columns:
        return raw, header
    frame = raw.frame.assign(**{header: values.set_axis(raw.frame.index)})
    return RawTable(frame, raw.row_numbers, raw.path, raw.header_row, raw.sheets), header


def parse_headcounts(
    raw: RawTable, year: int | None = None, known_units: Collection[str] | None = None,
    org: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Validate a `RawTable` of head counts; see `load_headcounts`."""
    levels = bool(level_headers(list(raw.frame.columns)))
    required = ["employees"] if levels else ["unit", "employees"]
    required += [] if year is not None else ["year"]
    found, issues = _columns(raw, HEADCOUNT_COLUMNS, required, {
        "year": "add a year column, or give the survey year with --year (a file without a year "
                "column is then that year's)"})
    if issues:
        raise InputError(issues)
    raw, unit_h = with_unit_cells(raw, found.get("unit"))
    count_h = found["employees"]
    unit = clean_text(raw.frame[unit_h]).reset_index(drop=True)
    if "year" in found:
        years, bad = _whole_numbers(clean_text(raw.frame[found["year"]]), _YEAR)
        issues += cell_issues(raw, found["year"], bad, "a year such as 2025")
    else:
        years, bad = pd.Series(year, index=unit.index, dtype="Int64"), np.zeros(len(unit), bool)
    keep = ~bad & (years.eq(year).fillna(False).to_numpy(dtype=bool) if year is not None else True)

    kept = RawTable(raw.frame.loc[keep], raw.row_numbers[keep], raw.path, raw.header_row,
                    raw.sheets)
    unit, years = unit[keep].reset_index(drop=True), years[keep].reset_index(drop=True)
    employees, bad = _whole_numbers(clean_text(kept.frame[count_h]), _WHOLE)
    issues += cell_issues(kept, count_h, bad,
                          "a whole number of employees from 0 to 999 999 999, e.g. 12")
    issues += cell_issues(kept, unit_h, unit.isna().to_numpy(), "a unit code (blank is not allowed)")
    if org is not None:
        unit, unit_issues = resolve_units(kept, unit_h, unit, org)
        issues += unit_issues
    elif known_units is not None:
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
