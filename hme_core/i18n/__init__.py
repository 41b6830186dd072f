"""User-facing texts per language, and locale-aware formatting.

Swedish (``"sv"``) is the default language, English (``"en"``) the second. Every text lives in a
catalogue per language, ``hme_core/i18n/texts/<lang>.yaml`` (a third language is one more file
with the same keys), keyed by a short id; `t` looks one up and fills its ``{placeholders}``.
Numbers, dates and sorting follow the catalogue's locale (babel: ``sv_SE`` / ``en_GB``).

Rounding rule (one place, used by every formatter and by `trend_arrow`): **half up**, i.e. halves
round away from zero, as Swedish readers expect from school and from vendor reports (74,45 →
74,5; −2,05 → −2,1). The float is first read as its shortest decimal form (``repr``), so 0.05 is
treated as exactly 0,05 and not as the binary 0.05000000000000000277….

>>> t("report_title", year=2026)
'Medarbetarundersökning 2026'
>>> fmt_number(74.45, lang="en")
'74.5'
>>> fmt_signed(-2.1)
'−2,1'
>>> trend_arrow(0.05), trend_arrow(0.04), trend_arrow(-0.05)
('▲', '=', '▼')
"""

from __future__ import annotations

import datetime as dt
import string
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache
from pathlib import Path

import pandas as pd
from babel.dates import format_date
from babel.numbers import get_decimal_symbol, get_group_symbol

from hme_core.errors import LanguageError
from hme_core.yaml_files import read_mapping

MISSING = "–"  # en dash, shown for suppressed or missing values
MINUS = "\u2212"  # true minus sign, typographically correct in both Swedish and English
NBSP = "\u00a0"

_TEXT_DIR = Path(__file__).parent / "texts"


def _load_catalogues() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Read every texts/<lang>.yaml: ({lang: babel locale}, {key: {lang: text}}). Swedish first."""
    files = sorted(_TEXT_DIR.glob("*.yaml"), key=lambda p: (p.stem != "sv", p.stem != "en", p.stem))
    locales: dict[str, str] = {}
    texts: dict[str, dict[str, str]] = {}
    for path in files:
        doc = read_mapping(path)
        locales[path.stem] = doc["language"]["locale"]
        for key, text in doc["texts"].items():
            texts.setdefault(key, {})[path.stem] = text
    return locales, texts


LOCALES, TEXTS = _load_catalogues()
LANGS: tuple[str, ...] = tuple(LOCALES)


def check_lang(lang: str) -> str:
    """Return `lang` if a catalogue exists for it, else raise `LanguageError` (an `HMEError`, and
    a `ValueError`) naming the allowed values and where a new language goes."""
    if lang not in LANGS:
        raise LanguageError(
            f"--lang: expected one of {', '.join(repr(x) for x in LANGS)}, got {lang!r} "
            f"(a new language is a file hme_core/i18n/texts/<lang>.yaml)")
    return lang


def placeholders(text: str) -> set[str]:
    """The ``{field}`` names used in a text template."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def t(key: str, lang: str = "sv", **fmt: object) -> str:
    """The report text `key` in `lang`, with ``{placeholders}`` filled from `fmt`.

    Raises KeyError naming the key if it is not in `TEXTS` (or a placeholder is not given),
    ValueError if `lang` is not 'sv' or 'en'.

    >>> t("n_equals", "en", n=123)
    'n = 123'
    """
    check_lang(lang)
    if key not in TEXTS:
        raise KeyError(f"no report text with key {key!r} in hme_core/i18n/texts/{lang}.yaml")
    text = TEXTS[key][lang]
    missing = placeholders(text) - fmt.keys()
    if missing:
        raise KeyError(f"report text {key!r} needs placeholder(s) {sorted(missing)}")
    return text.format(**fmt)


def _is_missing(x: object) -> bool:
    """True for None, NaN, NaT and pd.NA (what suppressed or absent values look like)."""
    return x is None or (not isinstance(x, str) and bool(pd.isna(x)))


def round_half_up(x: float, decimals: int) -> Decimal:
    """`x` rounded half away from zero to `decimals` places, as an exact Decimal (see module)."""
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


@cache
def _separators(lang: str) -> dict[int, str]:
    """The locale's decimal and grouping symbols (babel), as a `str.translate` table from
    Python's own "1,234.5"."""
    locale = LOCALES[check_lang(lang)]
    return str.maketrans({",": get_group_symbol(locale), ".": get_decimal_symbol(locale)})


@lru_cache(maxsize=1 << 16)  # a report or index page formats the same few thousand numbers
def _format(d: Decimal, decimals: int, lang: str, plus: bool = False) -> str:
    """`d` (already rounded) with `decimals` places in groups of three, in the locale's
    symbols: what babel's `format_decimal(d, "#,##0.0…")` gives (tests/test_i18n.py compares
    them), at a fiftieth of its cost: a report formats ~800 numbers."""
    body = f"{abs(d):,.{max(decimals, 0)}f}".translate(_separators(lang))
    if d == 0:
        return body
    return (MINUS if d < 0 else "+" if plus else "") + body


def fmt_number(x: float | None, decimals: int = 1, lang: str = "sv") -> str:
    """A number with `decimals` places: '74,5' (sv) / '74.5' (en); NaN or None → '–'.

    Negative values use the minus sign U+2212; thousands use a no-break space (sv) or comma (en).
    """
    if _is_missing(x):
        return MISSING
    return _format(round_half_up(x, decimals), decimals, lang)  # type: ignore[arg-type]


def fmt_signed(x: float | None, decimals: int = 1, lang: str = "sv") -> str:
    """A difference with an explicit sign: '+3,9', '−2,1'; '0,0' when it rounds to zero."""
    if _is_missing(x):
        return MISSING
    return _format(round_half_up(x, decimals), decimals, lang, plus=True)  # type: ignore[arg-type]


def fmt_percent(share: float | None, decimals: int = 1, lang: str = "sv") -> str:
    """A share in 0–1 as a percentage: '74,5 %' (sv, no-break space before %) / '74.5%' (en)."""
    if _is_missing(share):
        return MISSING
    number = fmt_number(float(share) * 100, decimals, lang)  # type: ignore[arg-type]
    return number + (NBSP + "%" if lang == "sv" else "%")


def fmt_int(n: int | None, lang: str = "sv") -> str:
    """A count with grouped thousands: '9 597' (sv, no-break space) / '9,597' (en)."""
    return fmt_number(n, 0, lang)


def fmt_date(date: dt.date, lang: str = "sv") -> str:
    """A date in long form: '23 november 2026' (sv) / '23 November 2026' (en)."""
    return format_date(date, format="long", locale=LOCALES[check_lang(lang)])


def trend_arrow(diff: float | None, decimals: int = 1) -> str:
    """'▲' up, '▼' down, '=' when `diff` rounds (half up) to zero at `decimals` places.

    Missing → '–'. Consistent with `fmt_signed`: an arrow never sits next to '0,0'.
    """
    if _is_missing(diff):
        return MISSING
    d = round_half_up(diff, decimals)  # type: ignore[arg-type]
    return "▲" if d > 0 else "▼" if d < 0 else "="


# Swedish collation (CLDR 'sv'): å < ä < ö after z; æ sorts as ä, ø/œ as ö, ü as y; other
# accents are ignored. Private-use code points keep å, ä, ö after every folded letter.
_SV_LAST = {"å": "\U000f0001", "ä": "\U000f0002", "æ": "\U000f0002", "ö": "\U000f0003",
            "ø": "\U000f0003", "œ": "\U000f0003", "ü": "y"}
_EN_FOLD = {"æ": "ae", "ø": "o", "œ": "oe", "ð": "d", "þ": "th", "ł": "l", "đ": "d"}


_SV_TABLE, _EN_TABLE = str.maketrans(_SV_LAST), str.maketrans(_EN_FOLD)


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    if decomposed.isascii():  # nothing to strip (most unit names of a large organisation)
        return decomposed
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def sort_key(text: str, lang: str = "sv") -> tuple[str, str]:
    """A key for locale-aware, case-insensitive sorting of names.

    Swedish: å, ä, ö after z in that order; English: accents folded (Å sorts with A). Ties
    are broken by the original text so the order is deterministic.

    >>> sorted(["Örebro", "Alingsås", "Åre", "Ystad", "Ängelholm"], key=sort_key)
    ['Alingsås', 'Ystad', 'Åre', 'Ängelholm', 'Örebro']
    """
    text = str(text)
    table = _SV_TABLE if check_lang(lang) == "sv" else _EN_TABLE
    if text.isascii():  # the same key without the per-character work: 50,000 names on an index
        return text.lower(), text
    folded = unicodedata.normalize("NFC", text).casefold().translate(table)
    return _strip_accents(folded), text
