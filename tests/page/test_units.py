"""Choosing a unit on the HR page (hme_core/page/units.py): the org tree in tree order, indented
by level, and a search by name that ignores case and accents."""

from __future__ import annotations

import pandas as pd

from hme_core.page.units import INDENT, search_units, unit_choices

ORG = pd.DataFrame({
    "unit": ["R", "A", "a2", "a1", "B", "b1"],
    "name": ["Region Test", "Område Å", 'Avdelning 2 "Öst"', "Avdelning 1", "Förvaltning B",
             "Vårdcentralen Ängby"],
    "parent": [None, "R", "A", "A", "R", "B"],
}).astype("string")


def test_the_tree_lists_every_unit_under_its_parent_indented_by_level():
    choices = unit_choices(ORG)
    assert [c.code for c in choices] == ["R", "A", "a1", "a2", "B", "b1"]
    assert [c.label for c in choices][:3] == [
        "Region Test (R)", f"{INDENT}Område Å (A)", f"{INDENT * 2}Avdelning 1 (a1)"]
    b1 = choices[-1]
    assert (b1.level, b1.parent, b1.path) == (3, "B", ("Region Test", "Förvaltning B",
                                                      "Vårdcentralen Ängby"))


def test_search_matches_every_word_in_name_path_or_code_ignoring_case_and_accents():
    choices = unit_choices(ORG)
    codes = lambda q: [c.code for c in search_units(choices, q)]  # noqa: E731
    assert codes("ängby") == codes("ANGBY") == codes("vard ang") == ["b1"]
    assert codes("öst") == codes("ost") == ["a2"]
    assert codes("avdelning") == ["a1", "a2"]
    assert codes("område avd 1") == ["a1"]  # a word of the path and words of the name
    assert codes("a1") == ["a1"]
    assert codes("") == ["R", "A", "a1", "a2", "B", "b1"]
    assert codes("saknas") == []
