"""Translation table and locale formatting (hme_core/i18n.py)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from hme_core.i18n import (
    LANGS,
    TEXTS,
    fmt_date,
    fmt_int,
    fmt_number,
    fmt_percent,
    fmt_signed,
    placeholders,
    sort_key,
    t,
    trend_arrow,
)

NBSP = "\u00a0"
MINUS = "\u2212"


# --- translation table -------------------------------------------------------------------------

def test_every_text_has_both_languages_with_the_same_placeholders():
    for key, texts in TEXTS.items():
        assert set(texts) == set(LANGS), key
        assert all(texts[lang].strip() for lang in LANGS), key
        assert placeholders(texts["sv"]) == placeholders(texts["en"]), key


def test_t_defaults_to_swedish_and_fills_placeholders():
    assert t("report_title", year=2026) == "Medarbetarundersökning 2026"
    assert t("report_title", "en", year=2026) == "Employee survey 2026"
    assert t("suppressed", n=5).startswith("Resultat visas inte eftersom färre än 5 personer")
    assert t("stoplight_explanation", n=10).startswith("Vid minst 10 svarande visas")


def test_t_unknown_key_is_a_keyerror_naming_it():
    with pytest.raises(KeyError, match="no_such_text"):
        t("no_such_text")


def test_t_missing_placeholder_is_a_keyerror_naming_it():
    with pytest.raises(KeyError, match="year"):
        t("report_title")


@pytest.mark.parametrize("func", [lambda: t("responses", "de"), lambda: fmt_number(1.0, 1, "fi")])
def test_unknown_language_is_a_valueerror_listing_the_allowed(func):
    with pytest.raises(ValueError, match="'sv', 'en'"):
        func()


# --- numbers -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "decimals", "lang", "expected"),
    [
        (74.5, 1, "sv", "74,5"),
        (74.5, 1, "en", "74.5"),
        (78, 0, "sv", "78"),
        (-2.1, 1, "sv", f"{MINUS}2,1"),
        (-2.1, 1, "en", f"{MINUS}2.1"),
        (9597.46, 1, "sv", f"9{NBSP}597,5"),
        (9597.46, 1, "en", "9,597.5"),
        (-0.04, 1, "sv", "0,0"),  # never '−0,0'
    ],
)
def test_fmt_number(value, decimals, lang, expected):
    assert fmt_number(value, decimals, lang) == expected


@pytest.mark.parametrize("missing", [float("nan"), None, pd.NA])
def test_missing_values_format_as_en_dash(missing):
    assert fmt_number(missing) == "–"
    assert fmt_signed(missing) == "–"
    assert fmt_percent(missing) == "–"
    assert trend_arrow(missing) == "–"


def test_fmt_signed_uses_plus_and_true_minus():
    assert fmt_signed(3.9) == "+3,9"
    assert fmt_signed(-2.1) == f"{MINUS}2,1"
    assert fmt_signed(3.9, 1, "en") == "+3.9"
    assert fmt_signed(0.04) == "0,0"


def test_fmt_percent_nbsp_in_swedish_only():
    assert fmt_percent(0.745) == f"74,5{NBSP}%"
    assert fmt_percent(0.745, 1, "en") == "74.5%"
    assert fmt_percent(0.5, 0) == f"50{NBSP}%"


def test_fmt_int_groups_thousands():
    assert fmt_int(9597) == f"9{NBSP}597"
    assert fmt_int(9597, "en") == "9,597"
    assert fmt_int(7153) == f"7{NBSP}153"


def test_fmt_date_long_form():
    assert fmt_date(dt.date(2026, 11, 23)) == "23 november 2026"
    assert fmt_date(dt.date(2026, 11, 23), "en") == "23 November 2026"


def test_enps_check_values_from_seed_002():
    # docs/sources.md, eNPS: 1017 promoters, 2442 passive, 3639 detractors of 7098
    # → 14,3 % / 34,4 % / 51,3 %, eNPS −36,9; 2024 −40,8, diff +3,9 ▲.
    total = 1017 + 2442 + 3639
    assert [fmt_percent(k / total) for k in (1017, 2442, 3639)] == [
        f"14,3{NBSP}%", f"34,4{NBSP}%", f"51,3{NBSP}%"]
    enps = 100 * (1017 - 3639) / total
    assert fmt_number(enps) == f"{MINUS}36,9"
    assert fmt_signed(-36.9 - -40.8) == "+3,9"
    assert trend_arrow(-36.9 - -40.8) == "▲"


# --- rounding: half up (away from zero), documented in the module docstring --------------------

@pytest.mark.parametrize(
    ("diff", "arrow"),
    [(0.04, "="), (0.049999, "="), (0.05, "▲"), (-0.04, "="), (-0.05, "▼"), (0.0, "="),
     (3.9, "▲"), (-2.1, "▼")],
)
def test_trend_arrow_at_the_rounding_edge(diff, arrow):
    assert trend_arrow(diff, 1) == arrow


def test_trend_arrow_respects_decimals():
    assert trend_arrow(0.4, 0) == "="
    assert trend_arrow(0.5, 0) == "▲"
    assert trend_arrow(0.004, 2) == "="


def test_rounding_is_half_up_not_bankers():
    # Banker's rounding would give 0,2 / 2 / 74,4; half up gives what a reader expects.
    assert fmt_number(0.25, 1) == "0,3"
    assert fmt_number(2.5, 0) == "3"
    assert fmt_number(74.45, 1) == "74,5"
    assert fmt_number(-2.05, 1) == f"{MINUS}2,1"
    # The float 0.15 is stored as 0.1499999…; the shortest decimal form '0.15' is what rounds.
    assert fmt_number(0.15, 1) == "0,2"


# --- sorting -----------------------------------------------------------------------------------

def test_swedish_sort_puts_a_ring_a_umlaut_o_umlaut_after_z():
    names = ["Örebro", "Alingsås", "Åre", "Ystad", "Ängelholm"]
    assert sorted(names, key=sort_key) == ["Alingsås", "Ystad", "Åre", "Ängelholm", "Örebro"]


def test_swedish_sort_is_case_insensitive():
    names = ["örebro", "Åre", "zebra", "Älmhult", "alvesta"]
    assert sorted(names, key=sort_key) == ["alvesta", "zebra", "Åre", "Älmhult", "örebro"]


def test_english_sort_folds_accents():
    names = ["Örebro", "Alingsås", "Åre", "Ystad", "Ängelholm"]
    assert sorted(names, key=lambda s: sort_key(s, "en")) == [
        "Alingsås", "Ängelholm", "Åre", "Örebro", "Ystad"]


def test_ascii_names_sort_as_their_lower_case_among_accented_ones():
    """ASCII names take a short path (50,000 on a large index page); same keys as the full one."""
    assert sort_key("Enhet 12") == ("enhet 12", "Enhet 12")
    names = ["Zeta", "zebra", "Ödla", "Alpha", "Åre", "alpha"]
    assert sorted(names, key=sort_key) == ["Alpha", "alpha", "zebra", "Zeta", "Åre", "Ödla"]
    assert sorted(names, key=lambda s: sort_key(s, "en")) == [
        "Alpha", "alpha", "Åre", "Ödla", "zebra", "Zeta"]


def test_numbers_are_formatted_as_babel_formats_them_in_every_language():
    """`_format` writes Python's own grouping in the locale's symbols; it must equal babel's
    `format_decimal` with the pattern "#,##0.0…" for every language, sign and size."""
    from decimal import Decimal

    from babel.numbers import format_decimal

    from hme_core.i18n import LANGS, LOCALES, _format

    values = ["0", "0.0", "0.5", "7", "74.5", "74.45", "999.9", "1000", "1234.5", "-1234.56",
              "12345678.9", "-0.04", "100", "1000000"]
    for lang in LANGS:
        for decimals in (0, 1, 2):
            for text in values:
                d = Decimal(text).quantize(Decimal(1).scaleb(-decimals))
                pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
                expected = format_decimal(abs(d), format=pattern, locale=LOCALES[lang])
                assert _format(d, decimals, lang).lstrip("\u2212+") == expected, (lang, text)
    assert _format(Decimal("-1234.5"), 1, "sv") == "\u22121\u00a0234,5"
    assert _format(Decimal("1234.5"), 1, "en", plus=True) == "+1,234.5"
