"""Vendor column headers -> canonical column ids (`params/column_map.yaml` plus statement texts).

Rules, in order of precedence for each header:
1. a header equal to a canonical id (`unit`, `hme1`, ...) passes through;
2. the explicit map in `params/column_map.yaml` (e.g. `Enhet: unit`);
3. every item's Swedish and English statement text (the exact wording, docs/sources.md) maps to the
   item id, so an export whose headers are the statements needs no configuration.
Matching ignores case, surrounding and repeated spaces, byte-order marks and zero-width spaces,
Unicode compatibility forms (NFKC: full-width '５' is '5') and, for statements, a trailing
period. `{organisation}` in a statement (eNPS) matches any name.
Two headers that map to the same id are an `InputError` naming both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

from hme_core.errors import ConfigError, InputError, InputIssue
from hme_core.instruments import InstrumentSet
from hme_core.paths import params_dir
from hme_core.yaml_files import read_mapping

RESPONDENT_COLUMNS = ("respondent_id", "unit", "sex", "role", "profession", "age_group",
                      "patient_contact")
_SPACES = re.compile(r"\s+")
INVISIBLE = re.compile("[\ufeff\u200b\u2060]")


def header_key(text: object) -> str:
    """A header (or cell) as compared: NFKC, without BOM/zero-width characters, casefolded,
    whitespace runs as one space, stripped.

    >>> header_key(" \ufeffHME１  ")
    'hme1'
    """
    text = INVISIBLE.sub("", unicodedata.normalize("NFKC", str(text)))
    return _SPACES.sub(" ", text).strip().casefold()


def _statement_key(text: str) -> str:
    return header_key(text).rstrip(". ").rstrip()


def load_column_map(path: str | Path | None = None) -> dict[str, str]:
    """Read `params/column_map.yaml`: {header key (see `header_key`): canonical id}."""
    path = Path(path) if path else params_dir() / "column_map.yaml"
    data = read_mapping(path, "a mapping of vendor header -> column id")
    result: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{path}: key '{key}': expected a column id, got {value!r}")
        result[header_key(key)] = value.strip()
    return result


def _statement_matchers(instruments: InstrumentSet) -> tuple[dict[str, str], list]:
    """Exact statement keys -> item id, and regexes for statements with a placeholder."""
    exact: dict[str, str] = {}
    patterns: list[tuple[re.Pattern, str]] = []
    for ins in instruments:
        for item in ins.items:
            for text in (item.sv, item.en):
                key = _statement_key(text)
                if "{organisation}" in key:
                    parts = [re.escape(p) for p in key.split("{organisation}")]
                    patterns.append((re.compile("^" + ".+".join(parts) + "$"), item.id))
                else:
                    exact.setdefault(key, item.id)
    return exact, patterns


def match_columns(
    headers: Iterable[str],
    instruments: InstrumentSet,
    column_map: Mapping[str, str],
    source: str = "input",
) -> tuple[dict[str, str], list[InputIssue]]:
    """Like `canonical_columns` but returns the issues instead of raising.

    On a clash the first header keeps the id; each later one is reported and left out.
    """
    ids = {header_key(i): i for i in [*RESPONDENT_COLUMNS, *instruments.item_ids]}
    mapped = {header_key(k): v for k, v in column_map.items()}
    exact, patterns = _statement_matchers(instruments)
    result: dict[str, str] = {}
    owner: dict[str, str] = {}
    issues: list[InputIssue] = []
    for header in headers:
        key = header_key(header)
        target = ids.get(key) or mapped.get(key) or exact.get(_statement_key(header))
        if target is None:
            skey = _statement_key(header)
            target = next((item for rx, item in patterns if rx.match(skey)), None)
        if target is None:
            continue
        if target in owner:
            issues.append(InputIssue(source, None, header, None,
                                     f"one column for '{target}', but both '{owner[target]}' "
                                     f"and '{header}' map to it"))
            continue
        owner[target] = header
        result[header] = target
    return result, issues


def canonical_columns(
    headers: Iterable[str],
    instruments: InstrumentSet,
    column_map: Mapping[str, str],
    *,
    source: str = "input",
) -> dict[str, str]:
    """{header as in the file: canonical id} for every recognised header; others are left out.

    >>> from hme_core.instruments import load_instruments
    >>> canonical_columns(["Enhet", "Mitt arbete känns meningsfullt", "Extra"],
    ...                   load_instruments(), {"enhet": "unit"})
    {'Enhet': 'unit', 'Mitt arbete känns meningsfullt': 'hme1'}
    """
    result, issues = match_columns(headers, instruments, column_map, source)
    if issues:
        raise InputError(issues)
    return result


def match_aliases(
    headers: Iterable[str], aliases: Mapping[str, Iterable[str]], source: str
) -> tuple[dict[str, str], list[InputIssue]]:
    """{canonical id: header} for files with a fixed set of columns (org tree, head counts).

    `aliases` maps each id to its accepted headers (the id itself is always accepted);
    two headers for one id are reported.
    """
    lookup = {header_key(a): cid for cid, names in aliases.items() for a in [cid, *names]}
    found: dict[str, str] = {}
    issues: list[InputIssue] = []
    for header in headers:
        cid = lookup.get(header_key(header))
        if cid is None:
            continue
        if cid in found:
            issues.append(InputIssue(source, None, header, None,
                                     f"one column for '{cid}', but both '{found[cid]}' "
                                     f"and '{header}' map to it"))
            continue
        found[cid] = header
    return found, issues
