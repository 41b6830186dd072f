"""A hidden value's '–' carries a mark, and the footnote under its table gives the reason."""

from __future__ import annotations

import pytest

from hme_core.i18n import t
from hme_core.report.hidden import HiddenMarks, reason_for, reason_text


def test_the_reason_follows_from_the_answer_count_and_the_limit():
    # limit 5 (indices): 0 answers = no data, 1-4 = too few (primary), 5+ yet hidden = secondary
    assert [reason_for(n, 5) for n in (0, 1, 4, 5, 12)] == [
        "no_data", "primary", "primary", "secondary", "secondary"]
    assert reason_for(9, 10) == "primary"  # the limit of answer shares


def test_marks_are_numbered_in_order_of_appearance_and_shown_values_stay_as_they_are():
    marks = HiddenMarks("sv")
    assert marks.cell("74,5", "primary", 5) == "74,5"
    assert marks.cell("–", "secondary") == "–¹"
    assert marks.cell("–", "primary", 10) == "–²"
    assert marks.cell("–", "secondary") == "–¹"  # the same reason, the same mark
    assert marks.dash("primary", 5) == "–³"  # another limit, another sentence


def test_the_footnote_explains_exactly_the_marks_used():
    marks = HiddenMarks("sv")
    assert marks.footnote() == ""
    marks.dash("primary", 10)
    marks.dash("earlier")
    note = marks.footnote()
    assert f"¹ {reason_text('primary', 'sv', 10)}" in note
    assert "Färre än 10 svar" in note
    assert f"² {reason_text('earlier', 'sv')}" in note
    assert reason_text("secondary", "sv") not in note
    assert t("hidden_intro", "sv") in note and 'class="footnote hidden-reasons"' in note


def test_english_reasons_and_unknown_reasons_refused():
    assert reason_text("secondary", "en") == (
        "Hidden so that a smaller unit's or group's results cannot be worked out"
        " (secondary suppression).")
    with pytest.raises(ValueError, match="reason"):
        reason_text("tertiary", "sv")
