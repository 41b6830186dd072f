"""One year's input files read together: responses, the org tree (a file, or the responses'
own unit column), head counts; every file's problems collected before one `InputError`.

The tree comes from `--org` when given (any layout of `orgtrees.parse_org_tree`, also the
responses file itself); without it, a responses file whose unit column holds paths
("Förvaltning / Avdelning / Enhet") is its own tree. Head counts and responses then name
units by code, name or path (`units.UnitLookup`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hme_core.config import Settings
from hme_core.errors import InputError, InputIssue
from hme_core.inputs.columns import load_column_map
from hme_core.inputs.orgtrees import load_headcounts, parse_org_tree, unit_column
from hme_core.inputs.readers import RawTable, read_table
from hme_core.inputs.responses import clean_text, parse_responses
from hme_core.inputs.units import UNIT_CODE_RULE, level_headers, load_units_file, unit_cells
from hme_core.instruments import InstrumentSet

NO_TREE = ("an org tree: give --org FILE (unit, name, parent; level columns 'Nivå 1', "
           "'Nivå 2', ...; or a path column 'Sökväg'), or --org RESPONSES when the responses' "
           "unit column holds the units' paths ('Förvaltning / Avdelning / Enhet')")


def implied_tree(raw, settings: Settings, column_map: dict) -> pd.DataFrame | None:
    """The tree of a responses file whose unit column holds paths, or is one of HR-style level
    columns ('Förvaltning;Enhet'); None otherwise."""
    header = unit_column(raw, column_map)
    levels = header is not None and header in level_headers(list(raw.frame.columns))
    if header is None or not levels and not raw.frame[header].str.contains(
            "/", regex=False).fillna(False).any():
        return None
    return parse_org_tree(raw, settings.organisation_name, load_units_file()[1], column_map)


def with_level_path(raw: RawTable, column_map: dict) -> RawTable:
    """A responses file with HR-style level columns ('Förvaltning', 'Enhet') whose unit column
    is one of them: the unit column then holds the joined path ('Kultur / Administration'),
    so units of the same name in different departments are told apart."""
    header = unit_column(raw, column_map)
    levels = level_headers(list(raw.frame.columns))
    if header is None or header not in levels:
        return raw
    _joined, values = unit_cells(raw, None, clean_text)
    frame = raw.frame.assign(**{header: values.set_axis(raw.frame.index)})
    return RawTable(frame, raw.row_numbers, raw.path, raw.header_row, raw.sheets)


def read_all(responses_path: Path, org_path: Path | None, headcount_path: Path | None,
             year: int | None, instruments: InstrumentSet, settings: Settings):
    """(responses, org or None, head counts or None), validated; see the module docstring."""
    issues: list[InputIssue] = []
    org = headcounts = responses = None
    column_map = load_column_map()
    as_read = read_table(responses_path)
    raw = with_level_path(as_read, column_map)
    try:
        if org_path is not None:
            same = Path(str(org_path)) == Path(str(responses_path))
            org = parse_org_tree(as_read if same else read_table(org_path),
                                 settings.organisation_name, load_units_file()[1], column_map)
        else:
            org = implied_tree(as_read, settings, column_map)
    except InputError as exc:
        issues += exc.issues
    tree_failed = bool(issues)
    known = set(org["unit"]) if org is not None else None
    try:
        responses = parse_responses(raw, instruments, settings, column_map, known_units=known,
                                    org=org)
    except InputError as exc:
        # without the tree that failed, unit cells were checked as codes: paths and names
        # would each be one more line saying what the tree's problems already say
        issues += [i for i in exc.issues if not (tree_failed and i.expected == UNIT_CODE_RULE)]
    if headcount_path is not None:
        try:
            headcounts = load_headcounts(headcount_path, year=year, known_units=known, org=org)
        except InputError as exc:
            issues += exc.issues
    if issues:
        raise InputError(issues)
    return responses, org, headcounts
