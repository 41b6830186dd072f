"""The survey's fixed vocabulary: breakdown variables, their groups, and the HME index ids.

Every module that reads, scores, suppresses, labels or exports a breakdown group takes it from
here: the codes stored in the responses (`kvinna`, `man`, `annat`; `chef`, `medarbetare`), the
spellings accepted in input files and in `params/targets.yaml`, the report text key of each
group, and Kolada's gender code (T total, K women, M men; docs/sources.md, "Kolada").
"""

from __future__ import annotations

from dataclasses import dataclass

#: SKR's HME total and its three subindices, in the order the report shows them
#: (docs/sources.md, "SKR: HME").
HME_INDICES: tuple[str, ...] = ("hme", "motivation", "leadership", "governance")


@dataclass(frozen=True)
class GroupDef:
    """One group of a breakdown variable: its stored code and how people write it."""

    code: str
    text_key: str  # report label in hme_core/i18n
    spellings: tuple[str, ...]  # accepted in input files (the code itself is always accepted)
    kolada_gender: str | None = None


BREAKDOWNS: dict[str, tuple[GroupDef, ...]] = {
    "sex": (
        GroupDef("kvinna", "sex_female",
                 ("Kvinna", "Kvinnor", "K", "Woman", "Women", "Female", "F"), "K"),
        GroupDef("man", "sex_male", ("Man", "Män", "M", "Male", "Men"), "M"),
        GroupDef("annat", "sex_other", ("Annat", "Annan", "Other")),
    ),
    "role": (
        GroupDef("chef", "role_manager", ("Chef", "Chefer", "Manager", "Managers")),
        GroupDef("medarbetare", "role_employee",
                 ("Medarbetare", "Anställd", "Employee", "Employees", "Staff")),
    ),
}

#: The breakdown variables, in the order reports and disclosure control treat them.
BREAKDOWN_VARIABLES: tuple[str, ...] = tuple(BREAKDOWNS)

#: Kolada's gender code of each group that has one (the total is "T").
KOLADA_GENDER: dict[str, str] = {
    g.code: g.kolada_gender for groups in BREAKDOWNS.values() for g in groups if g.kolada_gender}


def spellings(variable: str) -> dict[str, tuple[str, ...]]:
    """{group code: accepted spellings} of one breakdown variable.

    >>> spellings("role")["chef"]
    ('Chef', 'Chefer', 'Manager', 'Managers')
    """
    return {g.code: g.spellings for g in BREAKDOWNS[variable]}


def group_code(variable: str, text: str) -> str | None:
    """The group code a spelling stands for (case ignored), or None.

    >>> group_code("sex", "Kvinnor"), group_code("sex", "x")
    ('kvinna', None)
    """
    key = text.strip().casefold()
    for g in BREAKDOWNS[variable]:
        if key == g.code or key in (s.casefold() for s in g.spellings):
            return g.code
    return None


def group_text_key(variable: str, group: str) -> str | None:
    """The report text key of a group, or None for a group outside the vocabulary."""
    for g in BREAKDOWNS.get(variable, ()):
        if g.code == group:
            return g.text_key
    return None
