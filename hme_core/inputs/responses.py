"""The canonical response table: one row per respondent, answers as the scale's codes.

`load_responses(path, ...)` reads any supported file (`readers.py`), renames vendor headers to
canonical ids (`inputs.columns`) and parses every cell; `parse_responses(raw, ...)` does the work
on an already read `RawTable`. Every problem found is collected and raised once as `InputError`
(file, row as in the file, column header as in the file, value, what was expected).

Canonical table, columns in this order:
- `source_row` (int64): the row number a user sees in the file (header = row 1);
- `respondent_id` (string, NA allowed; non-blank ids must be unique);
- `unit` (string, required; a code of the org tree when `known_units` is given);
- `sex` (`kvinna`/`man`/`annat`), `role` (`chef`/`medarbetare`), `profession`, `age_group`
  (string, NA when blank, a missing label, or the column is absent);
- `patient_contact` (`ja`/`nej`, optional): who is asked HSE (an instrument's `audience`);
- one `Int16` column per item present in the file, in instrument order, holding the answer
  CODE (1-5 on the HME scale, 0-10 for eNPS); NA = missing.

Answers are parsed by `inputs.answers` on each item's own scale: a code, an option label, an
end label with its number ("10 – Mycket sannolikt"); blank, a no-answer wording ("Vet ej / ej
aktuellt") or a `missing_codes` entry are missing (NA), never zero. A code on the item's own
scale always wins over `missing_codes` (6 is a valid eNPS answer even when 6 = "Vet ej" on
HME). Anything else is an error.

`parse_responses` also keeps each item's question as the file words it (its header, or an SPSS
variable label, without the vendor's question number) in the table's
`attrs["item_texts"]`: the organisation's wording, shown in its reports.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from hme_core.config import Settings
from hme_core.errors import InputError, InputIssue
from hme_core.inputs.answers import answer_codes, answers_expected, no_answer_keys
from hme_core.inputs.columns import (
    INVISIBLE,
    RESPONDENT_COLUMNS,
    SYNONYMS,
    header_key,
    load_column_map,
    load_value_maps,
    match_columns,
    question_text,
)
from hme_core.inputs.readers import STRING, RawTable, read_table, variable_labels
from hme_core.inputs.units import (  # noqa: F401 - names and codes: one rule, in units.py
    CONTROL_CHARS,
    NAME_RULE,
    PATH_SEPARATOR,
    UNIT_CODE_RULE,
    UnitLookup,
    bad_names,
    bad_unit_codes,
    resolve_units,
)
from hme_core.instruments import InstrumentSet
from hme_core.vocabulary import BREAKDOWN_VARIABLES, spellings

# Accepted spellings of the breakdown columns (matched with `header_key`).
_CATEGORIES = {variable: spellings(variable) for variable in BREAKDOWN_VARIABLES}
_CATEGORIES["patient_contact"] = {"ja": ("Ja", "Yes", "J", "Y"), "nej": ("Nej", "No", "N")}
_BAD = object()  # a cell value that is neither a category nor missing


def load_responses(
    path: str | Path,
    instruments: InstrumentSet,
    settings: Settings,
    column_map: Mapping[str, str] | None = None,
    known_units: Collection[str] | None = None,
    org: pd.DataFrame | None = None,
    value_maps: Mapping[str, tuple[dict[str, str], list[str]]] | None = None,
) -> pd.DataFrame:
    """Read a response file into the canonical response table (see module docstring)."""
    return parse_responses(read_table(path), instruments, settings, column_map, known_units, org,
                           value_maps)


def parse_responses(
    raw: RawTable,
    instruments: InstrumentSet,
    settings: Settings,
    column_map: Mapping[str, str] | None = None,
    known_units: Collection[str] | None = None,
    org: pd.DataFrame | None = None,
    value_maps: Mapping[str, tuple[dict[str, str], list[str]]] | None = None,
) -> pd.DataFrame:
    """Validate and convert a `RawTable` of responses into the canonical response table.

    `column_map` defaults to `params/column_map.yaml` (value maps and extra no-answer values
    per column from the same file); `known_units` (unit codes of the org tree), when given,
    makes any other unit code an error; with `org` (the tree), a unit may also be named by a
    name unique in the tree or by its path ("Region / HSF / Avd 32"), see `UnitLookup`.
    """
    column_map = load_column_map() if column_map is None else column_map
    value_maps = load_value_maps() if value_maps is None else value_maps
    headers = list(raw.frame.columns)
    labels = variable_labels(raw)
    mapping, issues = match_columns(headers, instruments, column_map, raw.source, labels)
    header_of = {cid: header for header, cid in mapping.items()}
    found = ", ".join(f"'{h}'" for h in headers)

    if "unit" not in header_of:
        issues.append(raw.issue(None, None, None,
                                f"a column with each respondent's unit (headers recognised: "
                                f"{', '.join(repr(a) for a in ('unit', *SYNONYMS['unit'][:4]))}"
                                f", ...); found columns {found}. Fix: add the unit column's "
                                f"header to params/column_map.yaml, e.g. 'Min enhet: unit'"
                                f"{_header_below_hint(raw, column_map)}{raw.sheet_hint()}"))
    items = [i for i in instruments.item_ids if i in header_of]
    if not items:
        issues.append(raw.issue(None, None, None,
                                f"at least one statement column (header = the statement text or "
                                f"an id such as 'hme1'); {_nearest_statements(headers, instruments)}"
                                f". Fix: map the headers in params/column_map.yaml, e.g. "
                                f"'F1: hme1' (see `hme inspect FILE`){raw.sheet_hint()}"))
    # a value map is found by the header, or by the SPSS variable label that named the column
    mapped_values = {cid: value_maps.get(header_key(h))
                     or value_maps.get(header_key(labels.get(h) or ""), ({}, []))
                     for h, cid in mapping.items()}

    n = len(raw.frame)
    out: dict[str, pd.Series] = {"source_row": pd.Series(raw.row_numbers, dtype="int64")}
    for cid in RESPONDENT_COLUMNS:
        header = header_of.get(cid)
        if header is None:
            out[cid] = pd.Series(pd.NA, index=range(n), dtype=STRING)
            continue
        values = _mapped(clean_text(raw.frame[header]), mapped_values[cid])
        if cid in _CATEGORIES:
            written = values
            values, bad = _categories(values, _CATEGORIES[cid], settings)
            if bad.any():
                issues += cell_issues(raw, header, bad, _category_expected(
                    _CATEGORIES[cid], settings, header, cid, str(written[bad].iloc[0])))
        elif cid in ("profession", "age_group"):
            values = values.mask(_is_missing_label(values, settings))
        elif cid == "unit":
            issues += cell_issues(raw, header, values.isna().to_numpy(),
                                  "a unit code (blank is not allowed)")
            if org is not None:  # codes, names and paths of the tree (its codes are checked)
                values, unit_issues = resolve_units(raw, header, values, org)
                issues += unit_issues
                out[cid] = values.reset_index(drop=True)
                continue
            bad = bad_unit_codes(values)
            issues += cell_issues(raw, header, bad, UNIT_CODE_RULE)
            if known_units is not None:
                issues += unknown_unit_issues(raw, header, values.mask(bad), known_units)
        elif cid == "respondent_id":
            issues += duplicate_issues(raw, header, values, values, "a unique respondent id")
        out[cid] = values.reset_index(drop=True)

    scales = {i: instruments.instrument_of_item(i).scale_of(i) for i in items}
    for item in items:
        header = header_of[item]
        codes, bad = answer_codes(_mapped(raw.frame[header].astype(STRING), mapped_values[item]),
                                  scales[item], settings)
        issues += cell_issues(raw, header, bad, answers_expected(scales[item], settings))
        out[item] = codes.reset_index(drop=True)

    if issues:
        raise InputError(sort_issues(issues, headers))
    table = pd.DataFrame(out)
    table.attrs["item_texts"] = {item: _question(header_of[item], labels.get(header_of[item]))
                                 for item in items}
    table.attrs["item_positions"] = {item: headers.index(header_of[item]) for item in items}
    return table


def _question(header: str, label: str | None) -> str:
    """The question as the file words it: an SPSS variable label that is more than a short
    name, else the header; the vendor's question number removed ("H1. ..." -> "...")."""
    text = label if label and len(str(label).split()) > 1 else header
    return question_text(text)


def _mapped(values: pd.Series, spec: tuple[dict[str, str], list[str]]) -> pd.Series:
    """Apply a column's value map ({value key: value}) and extra no-answer values (-> blank)."""
    translate, missing = spec
    if not translate and not missing:
        return values
    gone = {header_key(m) for m in missing}
    positions, uniques = pd.factorize(values, use_na_sentinel=True)
    out = [pd.NA if header_key(u) in gone else translate.get(header_key(u), u) for u in uniques]
    table = np.array([*out, pd.NA], dtype=object)
    return pd.Series(table[positions], index=values.index, dtype=STRING)


def _nearest_statements(headers: list[str], instruments: InstrumentSet) -> str:
    """"the nearest headers: 'X' (like 'hme1: ...')" for headers resembling a statement."""
    import difflib

    texts = {item.sv: item.id for ins in instruments for item in ins.items}
    near = []
    for h in headers:
        best = difflib.get_close_matches(h, list(texts), n=1, cutoff=0.6)
        if best:
            near.append(f"'{h}' (like {texts[best[0]]}: '{best[0]}')")
    if not near:
        return f"no header resembles a statement (found columns {', '.join(map(repr, headers))})"
    return "the nearest headers are " + "; ".join(near[:5])


def _header_below_hint(raw: RawTable, column_map: Mapping[str, str]) -> str:
    """" (row 2 looks like the header ...)" when the first data row holds the headers, as in
    Excel exports with a merged title row above the real header row."""
    if not len(raw.frame):
        return ""
    first = [str(v) for v in raw.frame.iloc[0].dropna()]
    keys = {header_key(k) for k, v in column_map.items() if v == "unit"} | {"unit"}
    if not any(header_key(v) in keys for v in first):
        return ""
    return (f" (row {raw.row_numbers[0]} looks like the header row: remove the title or merged "
            f"header row above it)")


# --------------------------------------------------------------------------- answers


# --------------------------------------------------------------------------- other columns


def clean_text(values: pd.Series) -> pd.Series:
    """NFKC-normalise (full-width '５' -> '5'), drop BOM/zero-width characters, strip spaces;
    blank cells become NA (string dtype). Each distinct value is normalised once."""
    positions, uniques = pd.factorize(values.astype(STRING), use_na_sentinel=True)
    texts = [INVISIBLE.sub("", unicodedata.normalize("NFKC", u)).strip() for u in uniques]
    table = np.array([t if t else pd.NA for t in texts] + [pd.NA], dtype=object)
    return pd.Series(table[positions], index=values.index, dtype=STRING)


def _is_missing_label(values: pd.Series, settings: Settings) -> np.ndarray:
    """Mask of cells holding a `missing_labels` entry ("Vet ej", ...), per distinct value."""
    missing = no_answer_keys(settings)
    positions, uniques = pd.factorize(values, use_na_sentinel=True)
    flags = np.array([header_key(u) in missing for u in uniques] + [False])
    return flags[positions]


def _categories(
    values: pd.Series, accepted: Mapping[str, Iterable[str]], settings: Settings
) -> tuple[pd.Series, np.ndarray]:
    """Map spellings (case-insensitive) to canonical categories; unknown values are invalid."""
    lookup: dict[str, object] = dict.fromkeys(no_answer_keys(settings), pd.NA)
    for canonical, names in accepted.items():
        for s in (canonical, *names):
            lookup[header_key(s)] = canonical
    positions, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = [lookup.get(header_key(u), _BAD) for u in uniques]
    bad_of = np.array([m is _BAD for m in mapped] + [False])
    result = np.array([pd.NA if m is _BAD else m for m in mapped] + [pd.NA], dtype=object)
    return pd.Series(result[positions], index=values.index, dtype=STRING), bad_of[positions]


def _category_expected(accepted: Mapping[str, Iterable[str]], settings: Settings,
                       header: str = "", column: str = "", value: str = "") -> str:
    """What a breakdown cell may hold, and how to map the organisation's own wording `value`
    (to the group its wording starts with, else the last group, as an example)."""
    names = [spellings[0] for spellings in accepted.values()]
    others = [s for spellings in accepted.values() for s in spellings[1:]]
    missing = f" or '{settings.missing_labels[0]}'" if settings.missing_labels else ""
    group = next((g for g in accepted if value.casefold().startswith(g)), list(accepted)[-1])
    fix = (f". Fix: map the file's wording in params/column_map.yaml, e.g. \"{header}\": "
           f"{{column: {column}, values: {{\"{value}\": {group}}}}}, or count it as no answer: "
           f"{{column: {column}, missing: [\"{value}\"]}}" if header else "")
    return f"one of {', '.join(names)} (also {', '.join(others)}), blank{missing}{fix}"


def unknown_unit_issues(
    raw: RawTable, header: str, units: pd.Series, known_units: Collection[str]
) -> list[InputIssue]:
    """Issues for non-blank unit codes that are not in `known_units` (the org tree)."""
    known = {str(u) for u in known_units}
    bad = (units.notna() & ~units.isin(known)).to_numpy(dtype=bool)
    examples = ", ".join(f"'{u}'" for u in sorted(known)[:5])
    more = ", ..." if len(known) > 5 else ""
    return cell_issues(raw, header, bad,
                       f"a unit code of the org tree ({examples}{more}; {len(known)} in all)")


def duplicate_issues(
    raw: RawTable, header: str, keys: pd.Series, shown: pd.Series, what: str
) -> list[InputIssue]:
    """One issue per row whose non-NA `keys` value already occurred, naming the first row."""
    keys = keys.reset_index(drop=True)
    dup = (keys.duplicated(keep="first") & keys.notna()).to_numpy(dtype=bool)
    if not dup.any():
        return []
    repeated = keys[dup].unique()
    first = (~keys.duplicated(keep="first") & keys.isin(repeated)).to_numpy(dtype=bool)
    first_row = dict(zip(keys[first], raw.row_numbers[first], strict=True))
    shown_values = shown.to_numpy(dtype=object)
    return [
        raw.issue(int(raw.row_numbers[p]), header, shown_values[p],
                  f"{what}; row {first_row[keys.iat[p]]} already has it")
        for p in np.flatnonzero(dup)
    ]


def cell_issues(raw: RawTable, header: str, bad: np.ndarray, expected: str) -> list[InputIssue]:
    """One issue per flagged cell of `header`, with the value as written in the file."""
    positions = np.flatnonzero(bad)
    if not len(positions):
        return []
    cells = raw.frame[header].to_numpy(dtype=object)
    return [raw.issue(int(raw.row_numbers[p]), header, cells[p], expected) for p in positions]


def sort_issues(issues: list[InputIssue], headers: list[str]) -> list[InputIssue]:
    """File-level issues first, then by row and by column position in the file."""
    order = {h: i for i, h in enumerate(headers)}
    return sorted(issues, key=lambda i: (i.row is not None, i.row or 0,
                                         order.get(i.column, -1) if i.column else -1))
