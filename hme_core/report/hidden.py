"""Why a value is hidden, said where its '–' stands: numbered marks and the footnote of a table.

A value the disclosure rules withheld (docs/sources.md; `hme_core/disclosure`) or that does not
exist is printed as '–' followed by a superscript mark; the footnote under the table gives each
mark's reason, in the words the child-unit heat map uses too (one text per reason):

- ``primary``: fewer answers than the publication limit (n ≥ 5 for an index or statement,
  n ≥ 10 for answer shares; the limit is printed);
- ``secondary``: enough answers, but hidden so that a smaller unit's or group's results cannot
  be worked out (secondary suppression: the rule is named, never the unit or group it protects);
- ``category``: a sensitive question (exposure) where some answer option has fewer than
  `min_n_category` answers ("färre än 3"; the limit is printed);
- ``no_data``: nobody (of the question's audience) answered that year;
- ``earlier``: an earlier year's value that was not published (no answers, or too few).

Which of the first three applies is the label `disclosure` stored with the value ('primary',
'secondary'); where none is at hand it follows from the value's answer count `n` and the
limit (`reason_for`). An index with enough answers of its own is 'primary' when one of its
statements has too few: the stored label says so, the count alone would not.
"""

from __future__ import annotations

import math

from hme_core.i18n import MISSING, t
from hme_core.report.html import paragraph

SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹"
REASONS = ("primary", "secondary", "category", "no_data", "earlier")
STORED = ("primary", "secondary", "category")  # the labels `disclosure` stores


def reason_for(n: float | None, min_n: int, stored: str | None = None) -> str:
    """The reason a current value with `n` answers is hidden: its `stored` label ('primary',
    'secondary') when given, else from n against the publication limit.

    >>> reason_for(0, 5), reason_for(4, 5), reason_for(5, 5), reason_for(None, 5)
    ('no_data', 'primary', 'secondary', 'no_data')
    >>> reason_for(12, 5, "primary")  # an index one of whose statements has too few answers
    'primary'
    """
    if n is None or (isinstance(n, float) and math.isnan(n)) or n <= 0:
        return "no_data"
    if stored in STORED:
        return stored
    return "primary" if n < min_n else "secondary"


def reason_text(reason: str, lang: str, n: int | None = None) -> str:
    """The sentence that explains `reason` ('primary' names the limit `n`)."""
    if reason not in REASONS:
        raise ValueError(f"reason must be one of {REASONS}; got {reason!r}")
    return t(f"hidden_{reason}", lang, n=n if n is not None else "")


class HiddenMarks:
    """The marks of one table: `dash` numbers each distinct reason in order of appearance,
    `footnote` explains the marks used (nothing when every value was shown)."""

    def __init__(self, lang: str):
        self.lang = lang
        self.marks: dict[tuple[str, int | None], str] = {}

    def dash(self, reason: str, n: int | None = None) -> str:
        """'–' with the mark of `reason` (and limit `n` for 'primary' and 'category')."""
        key = (reason, n if reason in ("primary", "category") else None)
        if key not in self.marks:
            self.marks[key] = SUPERSCRIPTS[min(len(self.marks), len(SUPERSCRIPTS) - 1)]
        return MISSING + self.marks[key]

    def cell(self, text: str, reason: str, n: int | None = None) -> str:
        """`text` as formatted, or, when it is '–', the dash with its mark."""
        return self.dash(reason, n) if text == MISSING else text

    def footnote_text(self) -> str:
        """The footnote's text: each mark used and its reason ('' when every value was shown)."""
        if not self.marks:
            return ""
        notes = " ".join(f"{mark} {reason_text(reason, self.lang, n)}"
                         for (reason, n), mark in self.marks.items())
        return f"{MISSING} {t('hidden_intro', self.lang)} {notes}"

    def footnote(self) -> str:
        text = self.footnote_text()
        return paragraph(text, "footnote hidden-reasons") if text else ""
