"""The words and numbers of one unit's report: texts in its language, numbers in its locale,
labels of indices, statements and breakdown groups (from the instrument files and
hme_core/vocabulary)."""

from __future__ import annotations

import datetime as dt
from functools import cached_property

import pandas as pd

from hme_core.i18n import fmt_number, t
from hme_core.instruments import InstrumentSet
from hme_core.report.document import Paragraph
from hme_core.report.hidden import HiddenMarks, reason_for
from hme_core.results.questionnaire import Questionnaire
from hme_core.results.unit_data import ReportData
from hme_core.vocabulary import group_text_key


def hidden_note(marks: HiddenMarks) -> Paragraph | None:
    """The footnote under a table that says why its marked values are hidden (None when every
    value was shown)."""
    text = marks.footnote_text()
    return Paragraph(text, "footnote hidden-reasons") if text else None


class ReportText:
    """Language helpers shared by every section of a unit's report."""

    def __init__(self, data: ReportData, instruments: InstrumentSet, lang: str = "sv",
                 today: dt.date | None = None, questionnaire: Questionnaire | None = None):
        self.data = data
        self.instruments = instruments
        #: what the unit's year asked, in the organisation's words (None: the instruments')
        self.questionnaire = questionnaire
        self.lang = lang
        self.today = today or dt.date.today()
        self.dec = data.settings.decimals

    def t(self, key: str, **fmt) -> str:
        """The report text `key` in this report's language."""
        return t(key, self.lang, **fmt)

    def num(self, x) -> str:
        """A value with the configured decimals and the locale's decimal sign ('74,5')."""
        return fmt_number(x, self.dec, self.lang)

    def index_label(self, index_id: str) -> str:
        """An index's name as its instrument file gives it in this language."""
        return self.instruments.index_name(index_id, self.lang)

    def statement_text(self, item_id: str) -> str:
        """A statement's wording as the organisation's file gave it (`questionnaire`), else the
        instrument file's in this language, with the organisation's name filled in."""
        question = self.questionnaire.question(item_id) if self.questionnaire else None
        if question is not None:
            return question.text
        ins = self.instruments.instrument_of_item(item_id)
        org = self.data.settings.organisation_name
        return ins.item(item_id).text(self.lang, org)

    @property
    def question_texts(self) -> dict[str, str]:
        """{item: the organisation's wording} of every question this unit's report shows."""
        if self.questionnaire is None:
            return {}
        return {q.id: q.text for s in self.questionnaire.sections for q in s.questions}

    def group_label(self, variable: str, group: str) -> str:
        """'Kvinna', 'Chef', … for a breakdown group; an unknown group as stored."""
        key = group_text_key(variable, group)
        return self.t(key) if key else str(group)

    @staticmethod
    def cells(frame: pd.DataFrame, keys: tuple[str, str]) -> dict[tuple, tuple]:
        """(value, n, stored reason) of each row of a comparison table by its `keys` columns
        (first row wins); the reason is the stored `suppression` label where the frame has one."""
        labels = frame["suppression"] if "suppression" in frame else [None] * len(frame)
        pairs = zip(zip(frame[keys[0]], frame[keys[1]], strict=True),
                    zip(frame["value"], frame["n"], labels, strict=True), strict=True)
        out: dict[tuple, tuple] = {}
        for key, vn in pairs:
            out.setdefault(key, vn)
        return out

    def value_cell(self, cells: dict, key: tuple, marks: HiddenMarks) -> str:
        """A comparison value (`cells` from `cells()`) formatted, or '–' with the mark of why it
        is hidden (its stored reason, else its n against the index limit)."""
        if key not in cells:
            return marks.dash("no_data")
        value, n, stored = cells[key]
        limit = self.data.settings.min_n_index
        return marks.cell(self.num(value), reason_for(n, limit, stored), limit)

    @property
    def has_previous_year(self) -> bool:
        """Whether a survey year before this one is stored: else tables show no columns for
        last year, its change and trend (an organisation's first year with us)."""
        return self.data.previous_year is not None

    @cached_property
    def statement_rows(self) -> dict[str, dict]:
        """Each statement's stored row (`ReportData.statements`) by item, the first where an
        item repeats: read once, since sections look statements up one by one (a DataFrame
        row costs ~0.1 ms, a report looks up a few hundred)."""
        rows: dict[str, dict] = {}
        for r in self.data.statements.to_dict("records"):
            rows.setdefault(str(r["item"]), r)
        return rows

    @cached_property
    def answer_shares(self) -> tuple[dict[tuple[str, int], float], dict[str, float]]:
        """({(item, code): share}, {item: n}) of the published distributions (first row wins)."""
        shares: dict[tuple[str, int], float] = {}
        answers: dict[str, float] = {}
        dist = self.data.distributions
        for item, code, share, n in zip(dist["item"].astype(str), dist["code"], dist["share"],
                                        dist["n"], strict=True):
            shares.setdefault((item, code), share)
            answers.setdefault(item, n)
        return shares, answers

    @cached_property
    def _comparison_cache(self) -> dict[tuple[str, ...], pd.DataFrame]:
        return {}

    def comparison_rows(self, index_ids: tuple[str, ...]) -> pd.DataFrame:
        """The comparison rows of `index_ids`, selected once per report (an index chart and
        its table read the same rows)."""
        if index_ids not in self._comparison_cache:
            comp = self.data.comparison
            self._comparison_cache[index_ids] = comp[comp["index"].isin(index_ids)]
        return self._comparison_cache[index_ids]

    def statement_cells(self, item: str, marks: HiddenMarks) -> tuple[str, ...]:
        """A statement's value this year and last year (this year only when no earlier year is
        stored), '–' with the reason's mark if hidden."""
        r = self.statement_rows[item]
        limit = self.data.settings.min_n_index
        stored = r["suppression"] if isinstance(r["suppression"], str) else ""
        why = "no_data" if not r["n"] > 0 else reason_for(r["n"], limit, stored)
        now = marks.cell(self.num(r["value"]), why, self.data.settings.min_n_category
                         if why == "category" else limit)
        if not self.has_previous_year:
            return (now,)
        return now, marks.cell(self.num(r["previous"]), "earlier")
