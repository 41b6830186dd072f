"""How a unit's questionnaire (`results/questionnaire.py`) is shown: which items a section
lists, how stoplights group and colour them, what the top report says about audiences.

- A section lists the items its unit's questionnaire asked that year, in the file's words;
  without a stored questionnaire (a store written before it was kept), every item the unit has
  a statement row for.
- Stoplights by meaning: questions answered on the same labels in the same favourable order
  share a chart; each chart gets its codes least favourable first (dark red) so the most
  favourable answer is dark green whatever its code, a reversed item's "Alltid" red; its legend
  is the item's own labels, favourable first, as in the vendor report (docs/sources.md,
  "Reference vendor report").
- The top report names once, per audience section, the units whose reports leave it out
  because nobody of the audience answered there.
"""

from __future__ import annotations

from dataclasses import dataclass

from hme_core.results.questionnaire import Question, Questionnaire


@dataclass(frozen=True)
class StoplightRun:
    """Consecutive questions sharing one chart: their ids, and the codes and labels of their
    answers least favourable first (the order the stoplight chart takes)."""

    items: tuple[str, ...]
    codes: tuple[int, ...]
    labels: tuple[str, ...]


def stoplight_runs(questions: list[Question]) -> list[StoplightRun]:
    """Group consecutive questions answered on the same labels in the same favourable order.

    >>> a = Question("a", "A", "likert", False, "indexed", ((2, "Ja"), (1, "Nej")), 9)
    >>> b = Question("b", "B", "likert", True, "indexed", ((1, "Nej"), (2, "Ja")), 9)
    >>> [(r.items, r.codes, r.labels) for r in stoplight_runs([a, b])]
    [(('a',), (1, 2), ('Nej', 'Ja')), (('b',), (2, 1), ('Ja', 'Nej'))]
    """
    runs: list[StoplightRun] = []
    for q in questions:
        codes = tuple(c for c, _label in reversed(q.labels))
        labels = tuple(label for _c, label in reversed(q.labels))
        if runs and runs[-1].codes == codes and runs[-1].labels == labels:
            runs[-1] = StoplightRun((*runs[-1].items, q.id), codes, labels)
        else:
            runs.append(StoplightRun((q.id,), codes, labels))
    return runs


def asked_items(questionnaire: Questionnaire | None, instrument_id: str,
                fallback: list[str]) -> list[str]:
    """The items a section lists: those its unit's questionnaire asked (`fallback` without a
    questionnaire)."""
    if questionnaire is None:
        return list(fallback)
    section = questionnaire.section(instrument_id)
    return section.item_ids if section else []


def audience_gap_text(names: list[str], t, key: str = "audience_none_units",
                      shown: int = 40) -> str:
    """The top report's sentence `key` naming the units without an audience section
    (`t(key, **)`: the report's text lookup); at most `shown` names, then how many more.

    >>> texts = {"and_more": " and {n} more", "audience_none_units": "{count} units: {units}."}
    >>> audience_gap_text(["A", "B", "C"], lambda k, **kw: texts[k].format(**kw), shown=2)
    '3 units: A, B and 1 more.'
    """
    listed = ", ".join(names[:shown])
    more = t("and_more", n=len(names) - shown) if len(names) > shown else ""
    return t(key, count=len(names), units=listed + more)
