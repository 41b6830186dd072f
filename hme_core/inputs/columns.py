"""Vendor column headers -> canonical column ids (`params/column_map.yaml` plus statement texts).

Rules, in order of precedence for each header (an SPSS file's variable label is tried the same
way after its short name, so `F1` labelled with a statement is that statement):
1. a header equal to a canonical id (`unit`, `hme1`, ...) passes through;
2. the explicit map in `params/column_map.yaml` (e.g. `Enhet: unit`);
3. every item's Swedish and English statement text (the exact wording, docs/sources.md) maps to
   the item id, so an export whose headers are the statements needs no configuration;
4. built-in Swedish/English synonyms of the respondent columns (`SYNONYMS`);
5. the eNPS question in other words (`ENPS_WORDS`): a header that asks (a question mark, or
   "0-10") whether one would recommend the employer or workplace ("Hur troligt är det att du
   skulle rekommendera Region X som arbetsgivare till en vän?"); a statement such as "Jag
   rekommenderar gärna min arbetsplats." stays the organisation's own question. Its answers
   are still checked against 0–10.
A column map entry may also be a mapping: `{column: role, values: {Ja: chef, Nej: medarbetare},
missing: ["Vet inte"]}` maps the column, translates its values and adds no-answer values.
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


#: Headers vendors use for the respondent columns (matched with `header_key`).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "respondent_id": ("Respondent", "RespondentID", "Respondent ID", "Respondent-ID", "Löpnummer",
                      "Svars-ID", "Response ID"),
    "unit": ("Enhet", "Enhetskod", "Organisationstillhörighet", "Organisation",
             "Organisationsenhet", "Arbetsplats", "Avdelning", "Org. enhet", "Unit", "Unit code",
             "Department", "Org unit", "Organisational unit"),
    "sex": ("Kön", "Juridiskt kön", "Sex", "Gender"),
    "role": ("Roll", "Befattningsroll", "Chef/medarbetare", "Role", "Manager"),
    "profession": ("Yrke", "Yrkesgrupp", "Yrkeskategori", "Befattning", "Profession",
                   "Occupation", "Job title"),
    "age_group": ("Åldersgrupp", "Ålder", "Åldersintervall", "Age group", "Age"),
    "enps": ("eNPS",),
}
#: Rule 5: (a word of recommending, a word of the employer or workplace) per language.
ENPS_WORDS = (("rekommendera", ("arbetsgivare", "arbetsplats")),
              ("recommend", ("employer", "workplace", "place to work")))


# a vendor's question number before a statement: "1. ", "12) ", "F3: ", "Q4 - ", "Fråga 5. ",
# "H1.", "P3)", "HSE 10:", "B2a.", "3.1 ": up to three words of letters (the section's
# letter or name), a number (with a sub-number or letter), then punctuation or a space
_NUMBERING = re.compile(
    r"^(?:(?:fråga|question|item|påstående)\s*)?(?:[a-zåäö]{1,4}[ _-]?)?"
    r"\d{1,3}(?:[.,]\d{1,2})?[a-z]?(?:\s*[.):–—-]\s*|\s+)", re.IGNORECASE)


def _statement_key(text: str) -> str:
    """A statement as compared: `header_key` without a leading question number and the
    closing full stop.

    >>> _statement_key("12) Mitt arbete känns meningsfullt."), _statement_key("F3: Jag vet")
    ('mitt arbete känns meningsfullt', 'jag vet')
    >>> _statement_key("H1. Min chefs chef"), _statement_key("Fråga 2: Jag ser")
    ('min chefs chef', 'jag ser')
    """
    return _NUMBERING.sub("", header_key(text), count=1).rstrip(". ").rstrip()


def question_number(text: object) -> str:
    """The vendor's question number before a statement ('' without one): 'H1', 'P3', '12'.

    >>> question_number("P3) Hur ofta?"), question_number("Fråga 2: Jag ser"), question_number("Kön")
    ('P3', '2', '')
    """
    clean = INVISIBLE.sub("", unicodedata.normalize("NFKC", str(text))).strip()
    match = _NUMBERING.match(clean)
    if not match or match.end() >= len(clean):
        return ""
    number = re.sub(r"^(?i:fråga|question|item|påstående)\s*", "", match.group(0))
    return re.sub(r"[\s.):–—_-]+$", "", number).replace(" ", "")


def question_text(text: object) -> str:
    """A header as the organisation wrote the question: spaces tidied, the vendor's question
    number removed, the wording and its case kept.

    >>> question_text("H1.  Min chefs chef ger förutsättningar")
    'Min chefs chef ger förutsättningar'
    """
    clean = _SPACES.sub(" ", INVISIBLE.sub("", unicodedata.normalize("NFKC", str(text)))).strip()
    rest = _NUMBERING.sub("", clean, count=1).strip()
    return rest or clean


def _read_map(path: str | Path | None) -> tuple[Path, dict]:
    path = Path(path) if path else params_dir() / "column_map.yaml"
    if not path.exists():
        return path, {}
    return path, read_mapping(path, "a mapping of vendor header -> column id")


def load_column_map(path: str | Path | None = None) -> dict[str, str]:
    """Read `params/column_map.yaml`: {header key (see `header_key`): canonical id}."""
    path, data = _read_map(path)
    result: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            value = value.get("column")
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{path}: key '{key}': expected a column id (e.g. unit, role, hme1) "
                              f"or {{column: ID, values: {{...}}, missing: [...]}}, got {value!r}")
        result[header_key(key)] = value.strip()
    return result


def load_value_maps(path: str | Path | None = None) -> dict[str, tuple[dict[str, str], list[str]]]:
    """Value maps of `params/column_map.yaml`: {header key: ({value key: value}, [missing])}.

    >>> import tempfile, os
    >>> f = os.path.join(tempfile.mkdtemp(), "m.yaml")
    >>> _ = open(f, "w").write("Chef?: {column: role, values: {Ja: chef}, missing: [Vet inte]}")
    >>> load_value_maps(f)
    {'chef?': ({'ja': 'chef'}, ['Vet inte'])}
    """
    path, data = _read_map(path)
    result = {}
    for key, value in data.items():
        if not isinstance(value, dict):
            continue
        values, missing = value.get("values") or {}, value.get("missing") or []
        unknown = set(value) - {"column", "values", "missing"}
        if unknown or not isinstance(values, dict) or not isinstance(missing, list):
            raise ConfigError(f"{path}: key '{key}': expected {{column: ID, values: {{FROM: TO}}, "
                              f"missing: [VALUE, ...]}}, got {value!r}")
        result[header_key(key)] = ({header_key(k): str(v) for k, v in values.items()},
                                   [str(m) for m in missing])
    return result


def _statement_matchers(instruments: InstrumentSet) -> tuple[dict[str, str], list]:
    """Exact statement keys -> item id, and regexes for statements with a placeholder."""
    exact: dict[str, str] = {}
    patterns: list[tuple[re.Pattern, str]] = []
    for ins in instruments:
        for item in ins.items:
            for text in filter(None, (item.sv, item.en)):
                key = _statement_key(text)
                if "{organisation}" in key:
                    parts = [re.escape(p) for p in key.split("{organisation}")]
                    patterns.append((re.compile("^" + ".+".join(parts) + "$"), item.id))
                else:
                    exact.setdefault(key, item.id)
    return exact, patterns


def recognise(
    header: str, instruments: InstrumentSet, column_map: Mapping[str, str],
    label: str | None = None,
) -> tuple[str | None, str]:
    """(canonical id or None, the rule that recognised it) for one header (and SPSS label)."""
    ids = {header_key(i): i for i in [*RESPONDENT_COLUMNS, *instruments.item_ids]}
    mapped = {header_key(k): v for k, v in column_map.items()}
    exact, patterns = _statement_matchers(instruments)
    synonyms = {header_key(a): cid for cid, names in SYNONYMS.items() for a in names}
    for text, where in ((header, "header"), (label, "SPSS variable label")):
        if not text:
            continue
        key, skey = header_key(text), _statement_key(text)
        if key in ids:
            return ids[key], f"{where} is the column id"
        if key in mapped:
            return mapped[key], f"{where} in column_map.yaml"
        if skey in exact:
            return exact[skey], f"{where} is the statement text"
        item = next((item for rx, item in patterns if rx.match(skey)), None)
        if item:
            return item, f"{where} is the statement text"
        if key in synonyms:
            return synonyms[key], f"{where} is a known synonym"
        asks = "?" in key or re.search(r"0\s*[-–]\s*10", key) is not None
        if asks and "enps" in instruments.item_ids and any(
                verb in key and any(w in key for w in whom) for verb, whom in ENPS_WORDS):
            return "enps", f"{where} asks the eNPS question (recommend the employer)"
    return None, "not recognised"


def match_columns(
    headers: Iterable[str],
    instruments: InstrumentSet,
    column_map: Mapping[str, str],
    source: str = "input",
    labels: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], list[InputIssue]]:
    """Like `canonical_columns` but returns the issues instead of raising.

    `labels` are SPSS variable labels by header. On a clash the first header keeps the id;
    each later one is reported and left out.
    """
    labels = labels or {}
    owner, issues = _one_header_each(
        ((h, recognise(h, instruments, column_map, labels.get(h))[0]) for h in headers), source)
    return {header: target for target, header in owner.items()}, issues


def _one_header_each(
    pairs: Iterable[tuple[str, str | None]], source: str
) -> tuple[dict[str, str], list[InputIssue]]:
    """{target: first header mapped to it} from (header, target or None) pairs; every later
    header for a target already taken is reported and left out."""
    owner: dict[str, str] = {}
    issues: list[InputIssue] = []
    for header, target in pairs:
        if target is None:
            continue
        if target in owner:
            issues.append(InputIssue(source, None, header, None,
                                     f"one column for '{target}', but both '{owner[target]}' "
                                     f"and '{header}' map to it"))
            continue
        owner[target] = header
    return owner, issues


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
    return _one_header_each(((h, lookup.get(header_key(h))) for h in headers), source)
