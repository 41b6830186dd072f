"""The questionnaire a unit's report shows: the organisation's, not the workbench's.

A year's questionnaire is what its response file asked (`questionnaire_table`, stored at ingest
as the result table `questionnaire`): each item with a column in the file and at least one
answer, worded as the file words it (its header or SPSS variable label, without the vendor's
question number). From it and a unit's published counts `unit_questionnaire` describes, purely:

- the sections, in instrument order: an instrument with at least one item asked that year
  (any subset of a built-in instrument: one manager question is a manager section); a section
  with none is left out;
- an audience section (HSE: patient contact; manager questions: managers) only where that
  audience answered at the unit (at least one answer to one of its items);
- each item's text: the file's wording, the instrument file's only where the file has none
  (English: the instrument's English text, else the organisation's own);
- each item's answer labels ordered favourable → unfavourable (`Scale.favourable_first`: a
  reversed item's flipped, a yes/no exposure question's "Ja" last), in the item's own words;
- the indices whose items were all asked (an index of a subset is not the instrument's index).

`units_without_audience` names, for the top report, the units where an audience section is
left out because nobody of its audience answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from hme_core.instruments import Instrument, InstrumentSet

QUESTIONNAIRE_COLUMNS = ["year", "instrument", "item", "text", "answers", "position"]
#: Instruments shipped with the workbench: their sections keep the report's order; the
#: organisation's own follow them in the order its file asks them.
SHIPPED = ("hme", "enps", "hse", "psychosocial", "exposure", "manager", "development")


def questionnaire_table(responses: pd.DataFrame, instruments: InstrumentSet,
                        year: int) -> pd.DataFrame:
    """One row per item asked in `year`: instrument, item, the file's text ('' when the file
    gave none, e.g. a column named by its id) and the number of answers in the whole file.

    `responses` is the canonical table of `inputs.responses` (its `attrs["item_texts"]` hold
    the file's wording); an item without any answer was not asked.
    """
    texts = responses.attrs.get("item_texts", {})
    positions = responses.attrs.get("item_positions", {})
    rows = []
    for ins in instruments:
        for item in ins.items:
            if item.id not in responses.columns:
                continue
            answers = int(responses[item.id].notna().sum())
            if answers == 0:
                continue
            text = str(texts.get(item.id) or "")
            rows.append((int(year), ins.id, item.id, "" if text == item.id else text, answers,
                         int(positions.get(item.id, len(rows)))))
    return pd.DataFrame(rows, columns=QUESTIONNAIRE_COLUMNS).astype(
        {"year": "int64", "instrument": "string", "item": "string", "text": "string",
         "answers": "int64", "position": "int64"})


@dataclass(frozen=True)
class Question:
    """One item as the report shows it."""

    id: str
    text: str  # the organisation's wording (the instrument file's where the file had none)
    kind: str  # likert, nps or categorical (yes/no: shares, never averaged)
    reversed: bool
    role: str  # indexed or outcome
    labels: tuple[tuple[int, str], ...]  # (code, label) favourable -> unfavourable
    n: int  # the unit's answers (a public count; its value may still be hidden)

    @property
    def favourable_codes(self) -> list[int]:
        return [code for code, _label in self.labels]


@dataclass(frozen=True)
class Section:
    """One instrument's section: its questions asked this year, and its indices."""

    instrument: str
    title: str
    questions: tuple[Question, ...]
    indices: tuple[str, ...]  # indices whose items were all asked
    audience: dict[str, str] | None = None
    audience_respondents: int | None = None

    @property
    def item_ids(self) -> list[str]:
        return [q.id for q in self.questions]


@dataclass
class Questionnaire:
    """The sections a unit's report shows, in instrument order."""

    year: int
    sections: list[Section] = field(default_factory=list)

    def section(self, instrument_id: str) -> Section | None:
        return next((s for s in self.sections if s.instrument == instrument_id), None)

    def question(self, item_id: str) -> Question | None:
        return next((q for s in self.sections for q in s.questions if q.id == item_id), None)

    @property
    def instruments(self) -> list[str]:
        return [s.instrument for s in self.sections]


def item_text(ins: Instrument, item_id: str, file_text: str | None, lang: str,
              organisation: str = "") -> str:
    """The organisation's wording of an item: the file's text; the instrument file's where
    the file has none; in English the instrument's English text when it has one."""
    item = ins.item(item_id)
    if lang == "en" and item.en:
        return item.text("en", organisation)
    if file_text:
        return file_text
    return item.text(lang, organisation)


def _labels(ins: Instrument, item_id: str, lang: str) -> tuple[tuple[int, str], ...]:
    scale = ins.scale_of(item_id)
    return tuple((c, scale.label(c, lang))
                 for c in scale.favourable_first(ins.item(item_id).reversed))


def make_question(ins: Instrument, item_id: str, lang: str, text: str, n: int = 0) -> Question:
    """One item of an instrument as a `Question` with the given text."""
    item = ins.item(item_id)
    return Question(id=item_id, text=text, kind=ins.scale_of(item_id).kind,
                    reversed=item.reversed, role=item.role, labels=_labels(ins, item_id, lang),
                    n=int(n))


def unit_questionnaire(
    instruments: InstrumentSet,
    asked: pd.DataFrame,
    unit_counts: pd.DataFrame,
    year: int,
    lang: str = "sv",
    organisation: str = "",
    audiences: dict[str, int] | None = None,
) -> Questionnaire:
    """The questionnaire of one unit's report (see the module docstring).

    `asked`: the year's `questionnaire` table (item, text); `unit_counts`: the unit's
    statement rows (item, n; eNPS may be absent: then its answers count as the file's);
    `audiences`: respondents in each audience-restricted instrument's audience at the unit.
    """
    texts = dict(zip(asked["item"].astype(str), asked["text"].fillna("").astype(str),
                     strict=True)) if len(asked) else {}
    n_of = (dict(zip(unit_counts["item"].astype(str), unit_counts["n"].astype(int),
                     strict=True)) if len(unit_counts) else {})
    audiences = audiences or {}
    sections = []
    for ins in instruments:
        ids = [i for i in ins.item_ids if i in texts]
        if not ids:
            continue
        questions = tuple(make_question(ins, i, lang, item_text(ins, i, texts[i], lang,
                                                                organisation), n_of.get(i, 0))
                          for i in ids)
        restricted = ins.audience is not None
        if restricted and not any(q.n > 0 for q in questions):
            continue  # nobody of the audience answered at this unit: no section
        indices = tuple(ix.id for ix in ins.indices
                        if all(i in texts for i in ins.items_of(ix.id)))
        sections.append(Section(ins.id, ins.name(lang), questions, indices, ins.audience,
                                audiences.get(ins.id) if restricted else None))
    if "position" in asked:  # the organisation's own instruments in the order the file asks
        first = asked.groupby(asked["item"].astype(str))["position"].min().to_dict()
        order = {s.instrument: (s.instrument not in SHIPPED,
                                0 if s.instrument in SHIPPED else min(first[i] for i in s.item_ids))
                 for s in sections}
        sections.sort(key=lambda s: order[s.instrument])
    return Questionnaire(int(year), sections)


def units_without_audience(statements: pd.DataFrame, asked: pd.DataFrame,
                           instruments: InstrumentSet, units: list[str]) -> dict[str, list[str]]:
    """{instrument: units (of `units`, in that order) where no one of its audience answered}
    for each audience-restricted instrument asked this year; `statements` holds every unit's
    (unit, item, n)."""
    asked_items = set(asked["item"].astype(str)) if len(asked) else set()
    out = {}
    for ins in instruments:
        items = [i for i in ins.item_ids if i in asked_items]
        if ins.audience is None or not items:
            continue
        part = statements[statements["item"].isin(items)]
        answered = set(part.loc[part["n"] > 0, "unit"].astype(str))
        missing = [u for u in units if u not in answered]
        if missing:
            out[ins.id] = missing
    return out


def read_asked(store, year: int) -> pd.DataFrame:
    """The year's stored `questionnaire` table; for a year ingested before it was stored, the
    items with answers in the stored statements (text '': the instrument files' wording)."""
    asked = store.load_result("questionnaire", year)
    if len(asked):
        return asked
    st = store.load_result("statements", year)
    if not len(st):
        return pd.DataFrame(columns=QUESTIONNAIRE_COLUMNS)
    answered = st.groupby("item", sort=False)["n"].sum()
    items = [str(i) for i in answered[answered > 0].index]
    return pd.DataFrame({"year": int(year), "instrument": "", "item": items, "text": "",
                         "answers": [int(answered[i]) for i in items],
                         "position": range(len(items))})


def load_unit_questionnaire(store, year: int, unit: str, instruments: InstrumentSet,
                            lang: str = "sv", organisation: str = "") -> Questionnaire:
    """`unit_questionnaire` of one unit from the stored results (published counts only)."""
    statements = store.load_result("statements", year, units=[unit])
    audiences = store.load_result("audiences", year, units=[unit])
    counts = {str(r.instrument): int(r.respondents) for r in audiences.itertuples()} \
        if len(audiences) else {}
    return unit_questionnaire(instruments, read_asked(store, year), statements, year, lang,
                              organisation, counts)


def load_audience_gaps(store, year: int, instruments: InstrumentSet
                       ) -> dict[str, list[tuple[str, str]]]:
    """For the top report: {instrument: [(unit, name), ...]} of the units (in tree order)
    whose report has no section for an audience-restricted instrument asked this year."""
    from hme_core.orgtree import tree_order

    org = store.load_org(year)
    names = dict(zip(org["unit"].astype(str), org["name"].astype(str), strict=True))
    units = [str(u) for u in tree_order(org)]  # named: a batch's copy of the store holds them
    gaps = units_without_audience(store.load_result("statements", year, units=units),
                                  read_asked(store, year), instruments, units)
    return {ins: [(u, names.get(u, u)) for u in units] for ins, units in gaps.items()}
