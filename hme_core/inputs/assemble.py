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
from hme_core.inputs.readers import read_table
from hme_core.inputs.responses import parse_responses
from hme_core.inputs.units import UNIT_CODE_RULE, load_units_file
from hme_core.instruments import InstrumentSet

NO_TREE = ("an org tree: give --org FILE (unit, name, parent; level columns 'Nivå 1', "
           "'Nivå 2', ...; or a path column 'Sökväg'), or --org RESPONSES when the responses' "
           "unit column holds the units' paths ('Förvaltning / Avdelning / Enhet')")


def implied_tree(raw, settings: Settings, column_map: dict) -> pd.DataFrame | None:
    """The tree of a responses file whose unit column holds paths; None when it does not."""
    header = unit_column(raw, column_map)
    if header is None or not raw.frame[header].str.contains("/", regex=False).fillna(False).any():
        return None
    return parse_org_tree(raw, settings.organisation_name, load_units_file()[1], column_map)


def read_all(responses_path: Path, org_path: Path | None, headcount_path: Path | None,
             year: int | None, instruments: InstrumentSet, settings: Settings):
    """(responses, org or None, head counts or None), validated; see the module docstring."""
    issues: list[InputIssue] = []
    org = headcounts = responses = None
    column_map = load_column_map()
    raw = read_table(responses_path)
    try:
        if org_path is not None:
            same = Path(str(org_path)) == Path(str(responses_path))
            org = parse_org_tree(raw if same else read_table(org_path),
                                 settings.organisation_name, load_units_file()[1], column_map)
        else:
            org = implied_tree(raw, settings, column_map)
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
