"""Data-driven suggestions for the analysis (hme_core/suggestions.py), on a hand-made unit."""

from __future__ import annotations

import math
import re

import pandas as pd

from hme_core.config import Settings
from hme_core.i18n import NBSP
from hme_core.instruments import load_instruments
from hme_core.narratives.suggestions import SuggestionRules, data_suggestions
from hme_core.results.unit_data import ReportData

# hme1 80 (parent 70, last year 70): strongest, +10 above parent, +10 up (outside the noise).
# hme2 50 (parent 60, last year 60): weakest, −10 below, −10 down (within the noise); answers
#   1–2: 10 % + 20 % = 30 % ≥ 25 % → high disagreement.
# hme3 suppressed (NaN everywhere); its distribution rows are not publishable and ignored.
# Response rate 50 % < 60 %.
STATEMENTS = pd.DataFrame({
    "instrument": ["hme"] * 3, "item": ["hme1", "hme2", "hme3"], "role": ["indexed"] * 3,
    "n": [12, 12, 3], "value": [80.0, 50.0, math.nan], "suppression": ["", "", "primary"],
    "distribution_shown": [True, True, False], "se": [2.0, 2.0, math.nan],
    "previous": [70.0, 60.0, math.nan], "previous_se": [2.0, 9.0, math.nan],
    "parent_value": [70.0, 60.0, 65.0], "diff": [10.0, -10.0, math.nan],
    "within_noise": [False, True, True],
})
DIST = pd.DataFrame([
    {"instrument": "hme", "item": item, "code": code, "n": 12, "count": 0, "share": share}
    for item, shares in (("hme1", (0.05, 0.10, 0.25, 0.30, 0.30)),
                         ("hme2", (0.10, 0.20, 0.30, 0.20, 0.20)),
                         ("hme3", (0.50, 0.50, 0.0, 0.0, 0.0)))
    for code, share in zip(range(1, 6), shares, strict=True)])


def _data(**kw) -> ReportData:
    base = dict(year=2025, unit="u", name="Enhet", path=["Region", "Område", "Enhet"], level=3,
                is_leaf=True, respondents=12, employees=24, response_rate=0.5, suppressed=False,
                settings=Settings(), comparison=pd.DataFrame(), changes=pd.DataFrame(),
                statements=STATEMENTS, distributions=DIST, enps=pd.DataFrame(),
                breakdowns=pd.DataFrame(), previous_year=2024)
    return ReportData(**{**base, **kw})


RULES = SuggestionRules(top_n=1, parent_n=1, changes_n=3)


def test_suggestions_worked_by_hand():
    s = data_suggestions(_data(), load_instruments(), "sv", RULES)
    assert s["strengths"] == ["Mitt arbete känns meningsfullt (80,0)"]
    assert s["areas_to_improve"] == ["Jag lär nytt och utvecklas i mitt dagliga arbete (50,0)"]
    assert s["above_parent"] == ["Mitt arbete känns meningsfullt: 80,0 mot 70,0 för Område "
                                 "(+10,0)"]
    assert s["below_parent"][0].endswith("50,0 mot 60,0 för Område (−10,0)")
    assert s["improved"] == ["Mitt arbete känns meningsfullt: +10,0 ▲ sedan 2024"]
    assert s["declined"][0].endswith("−10,0 ▼ sedan 2024 (inom felmarginalen)")
    assert s["disagreement"] == [
        f"Jag lär nytt och utvecklas i mitt dagliga arbete: 30{NBSP}% instämmer inte (svar 1–2)"]
    assert s["low_response"][0].startswith(f"Svarsfrekvensen är 50,0{NBSP}%, under 60{NBSP}%")


def test_a_suppressed_statement_never_appears_and_nan_is_never_printed():
    text = " ".join(sum(data_suggestions(_data(), load_instruments(), "en", RULES).values(), []))
    assert "look forward" not in text  # hme3
    assert not re.search(r"\bnan\b|\(–\)|: –|mot –|against –", text, re.IGNORECASE)


def test_a_suppressed_unit_gets_one_line_without_numbers():
    s = data_suggestions(_data(suppressed=True), load_instruments(), "sv", RULES)
    assert list(s) == ["no_results"]
    assert not any(ch.isdigit() for ch in s["no_results"][0].replace("5", ""))


def test_thresholds_come_from_the_rules():
    strict = SuggestionRules(disagreement_share=0.31, low_response_rate=0.5)
    s = data_suggestions(_data(), load_instruments(), "sv", strict)
    assert "disagreement" not in s and "low_response" not in s


def test_disagreement_shares_sum_the_disagree_codes_of_shown_agreement_items_only():
    """hme1: codes 1+2 = 0.05 + 0.10 = 0.15; hme2: 0.10 + 0.20 = 0.30; hme3's distribution is
    not shown (left out); a frequency-scale item (not the agreement scale) is left out; a
    missing share counts 0 (hme1 with code 2's share missing: 0.05)."""
    from hme_core.narratives.suggestions import disagreement_shares

    ins = load_instruments()
    shares = disagreement_shares(DIST, STATEMENTS, ins, [1, 2])
    assert list(shares.index) == ["hme1", "hme2"]
    assert shares.round(10).tolist() == [0.15, 0.30]
    gap = DIST.assign(share=DIST["share"].where(~((DIST["item"] == "hme1") & (DIST["code"] == 2))))
    assert disagreement_shares(gap, STATEMENTS, ins, [1, 2]).round(10).tolist() == [0.05, 0.30]
