"""Answer cells -> codes of an item's scale, as vendors write them (docs/sources.md).

An answer is, in this order:
- a Swedish or English option label of the item's own scale (case and spaces ignored);
- a "no answer" wording: a `missing_labels` entry of `params/config.yaml` or one of the usual
  don't-know wordings (`NO_ANSWER_WORDINGS`), also several joined by '/' ("Vet ej / ej
  aktuellt"), with or without a number before it ("6 = Vet ej"): missing (NA), never zero;
- a code of the scale, also written "5.0" or "5,0";
- an end label with its number, "10 – Mycket sannolikt", "0 = Inte alls", "5 Stämmer mycket
  bra", "Mycket sannolikt (10)": the number, when it is a code of the scale;
- a `missing_codes` entry (a code on the item's own scale always wins over it).
Anything else is refused. Text is NFKC-normalised first (full-width '５' is '5'); other scripts'
digits ('٥') are refused. Each distinct value is parsed once (files have 10^6 rows).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from hme_core.config import Settings
from hme_core.inputs.columns import header_key
from hme_core.instruments import Scale

#: Don't-know and not-applicable wordings vendors use, always read as no answer.
NO_ANSWER_WORDINGS = (
    "Vet ej", "Vet inte", "Ej aktuellt", "Inte aktuellt", "Ej relevant", "Inte relevant",
    "Ingen åsikt", "Har ingen åsikt", "Kan ej svara", "Kan inte svara", "Kan ej bedöma",
    "Kan inte bedöma", "Vill ej svara", "Vill inte svara", "Vill ej uppge", "Ingen uppgift",
    "Ej tillämpligt", "Inte tillämpligt", "Don't know", "Do not know", "Not applicable", "N/A",
    "No opinion", "Cannot say", "Prefer not to say",
)
_NUMBER = re.compile(r"^([+-]?\d{1,9})(?:[.,]0*)?$", re.ASCII)  # NFKC first; '٥' is an error
# "10 – Mycket sannolikt", "0 = Inte alls", "5 Stämmer mycket bra", "3. Ibland"
_NUMBER_FIRST = re.compile(r"^(\d{1,2})\s*(?:[-–—=:.)]\s*|\s)(\D.*)$", re.ASCII)
# "Mycket sannolikt (10)", "Inte alls - 0"
_NUMBER_LAST = re.compile(r"^(\D.*?)\s*(?:\((\d{1,2})\)|[-–—=:]\s*(\d{1,2}))$", re.ASCII)
_BAD = object()  # a cell value that is neither an answer nor missing


def no_answer_keys(settings: Settings) -> frozenset[str]:
    """The no-answer wordings as compared (`header_key`): config's and the usual ones."""
    return frozenset(header_key(m) for m in (*settings.missing_labels, *NO_ANSWER_WORDINGS))


def is_no_answer(key: str, no_answer: frozenset[str]) -> bool:
    """A compared cell that means no answer: a wording, several joined by '/', or a number
    before one ("6 = Vet ej").

    >>> keys = frozenset({"vet ej", "ej aktuellt"})
    >>> is_no_answer("vet ej / ej aktuellt", keys), is_no_answer("6 = vet ej", keys)
    (True, True)
    """
    if key in no_answer:
        return True
    match = _NUMBER_FIRST.match(key)
    if match and match.group(2).strip() in no_answer:
        return True
    parts = [p.strip() for p in key.split("/")]
    return len(parts) > 1 and all(p in no_answer for p in parts if p) and any(parts)


def answer_lookup(scale: Scale, settings: Settings) -> dict[str, int | None]:
    """Normalised text -> code (labels of the scale) or None (no-answer wordings)."""
    lookup: dict[str, int | None] = dict.fromkeys(no_answer_keys(settings))
    for option in scale.options:
        for label in (option.sv, option.en):
            if label:
                lookup[header_key(label)] = option.code
    return lookup


def answer_of(text: str, lookup: dict, codes: set[int], missing_codes: set[int],
              no_answer: frozenset[str] = frozenset()) -> object:
    """The code of one cell, None for no answer, `_BAD` when it is neither."""
    key = header_key(text)
    if key in lookup:
        return lookup[key]
    match = _NUMBER.match(key)
    if match:
        number = int(match.group(1))
        if number in codes:
            return number
        if number in missing_codes:
            return None
        return _BAD
    if is_no_answer(key, no_answer):
        return None
    first, last = _NUMBER_FIRST.match(key), _NUMBER_LAST.match(key)
    number = (first.group(1) if first else
              (last.group(2) or last.group(3)) if last else None)
    if number is not None and int(number) in codes:
        label = (first.group(2) if first else last.group(1)).strip()
        if lookup.get(label, int(number)) == int(number):  # a label of another code: refused
            return int(number)
    return _BAD


def answer_codes(values: pd.Series, scale: Scale, settings: Settings) -> tuple[pd.Series, np.ndarray]:
    """Cell texts -> `Int16` answer codes (NA = missing) and a mask of invalid cells.

    Each distinct value is parsed once and the result spread back with `numpy.take`.
    """
    positions, uniques = pd.factorize(values, use_na_sentinel=True)
    lookup = answer_lookup(scale, settings)
    codes, missing_codes = set(scale.codes), set(settings.missing_codes)
    no_answer = no_answer_keys(settings)
    parsed = [answer_of(u, lookup, codes, missing_codes, no_answer) for u in uniques]
    # One extra slot at the end: position -1 (a blank cell) is missing, not invalid.
    code_of = np.array([p if isinstance(p, int) else 0 for p in parsed] + [0], dtype=np.int16)
    missing_of = np.array([not isinstance(p, int) for p in parsed] + [True])
    bad_of = np.array([p is _BAD for p in parsed] + [False])
    array = pd.arrays.IntegerArray(code_of[positions], missing_of[positions])
    return pd.Series(array, index=values.index, dtype="Int16"), bad_of[positions]


def answers_expected(scale: Scale, settings: Settings) -> str:
    """E.g. "1–5 or a label such as 'Stämmer mycket bra', blank or 'Vet ej'"."""
    codes = sorted(scale.codes)
    if codes == list(range(codes[0], codes[-1] + 1)):
        text = f"{codes[0]}–{codes[-1]}"
    else:
        text = ", ".join(map(str, codes))
    labelled = [o.sv for o in scale.options if o.sv]
    if labelled:
        text += f" or a label such as '{labelled[-1]}'"
    missing = " or ".join(f"'{m}'" for m in settings.missing_labels[:1])
    return f"{text}, blank or {missing}" if missing else f"{text} or blank"
