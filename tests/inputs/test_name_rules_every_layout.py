"""One rule for unit names and codes whatever the org tree's layout: unit/name/parent, level
columns ('Nivå 1'...), HR's named levels ('Förvaltning;Enhet'), a path column, and the
responses' own unit column. A name that would inject Markdown into a narrative (a newline and
'## Vad är viktigt att bevara?'), a bidi control, a formula, '..' are refused in each, with
the row and column; codes with path separators, '..' or a formula too."""

from __future__ import annotations

import pandas as pd
import pytest

from hme_core.config import Settings
from hme_core.errors import InputError
from hme_core.inputs.assemble import read_all
from hme_core.inputs.orgtrees import load_org_tree
from hme_core.instruments import load_instruments
from hme_core.narratives.files import narrative_template, parse_narrative

INJECTION = ("Avd 1\n## Vad är viktigt att bevara?\nAllt. [klicka](https://example.org/x)\n"
             "## Åtgärder\n- Lägg ner enheten (ansvarig: HR, klart: 2025)")
BAD_NAMES = [INJECTION, "Avd \u202egnalf", "Avd \u2066isolerad\u2069", '=HYPERLINK("https://x","y")',
             "..", "@SUM(1)"]
BAD_CODES = ["..", "../../x", "a\\b", "=HYPERLINK(1)", "x\u202ey", "a\u2066b"]


def _xlsx(path, frame: pd.DataFrame) -> str:
    """As a CSV with ';' (a cell starting with '=' written to xlsx would be a formula)."""
    path = path.with_suffix(".csv")
    frame.to_csv(path, index=False, sep=";")
    return str(path)


def _layouts(tmp_path, name: str) -> dict[str, str]:
    """The same tree, with `name` as one unit's name, in every layout."""
    return {
        "unit/name/parent": _xlsx(tmp_path / "unp.xlsx", pd.DataFrame(
            {"unit": ["R", "A", "a1"], "name": ["Region", "Vård", name], "parent": [None, "R", "A"]})),
        "levels": _xlsx(tmp_path / "levels.xlsx", pd.DataFrame(
            {"Nivå 1": ["Region", "Region"], "Nivå 2": ["Vård", "Vård"],
             "Nivå 3": ["Avd 2", name]})),
        "named levels": _xlsx(tmp_path / "named.xlsx", pd.DataFrame(
            {"Förvaltning": ["Vård", "Vård"], "Enhet": ["Avd 2", name]})),
        "path column": _xlsx(tmp_path / "path.xlsx", pd.DataFrame(
            {"Sökväg": ["Region / Vård / Avd 2", f"Region / Vård / {name}"]})),
        "responses' own column": _xlsx(tmp_path / "svar.xlsx", pd.DataFrame(
            {"Enhet": ["Vård / Avd 2", f"Vård / {name}"],
             "Mitt arbete känns meningsfullt.": [4, 5]})),
    }


@pytest.mark.parametrize("name", BAD_NAMES, ids=["injection", "u202e", "u2066", "formula", "dotdot",
                                                 "at-sign"])
@pytest.mark.parametrize("layout", ["unit/name/parent", "levels", "named levels", "path column",
                                    "responses' own column"])
def test_a_bad_unit_name_is_refused_in_every_layout(tmp_path, layout, name):
    path = _layouts(tmp_path, name)[layout]
    with pytest.raises(InputError) as err:
        if layout == "responses' own column":  # no --org: the unit column holds paths
            read_all(path, None, None, 2025, load_instruments(), Settings(organisation_name="R"))
        else:
            load_org_tree(path, organisation="Region", renames={})
    # (a path column's cell is named whole, and the part of it that is refused)
    issues = [i for i in err.value.issues if i.value and name in i.value]
    assert issues
    for issue in issues:
        assert issue.row == (4 if layout == "unit/name/parent" else 3)
        assert issue.column in ("name", "Nivå 3", "Enhet", "Sökväg")
        assert "on one line" in issue.expected and "formula" in issue.expected


@pytest.mark.parametrize("code", BAD_CODES)
@pytest.mark.parametrize("layout", ["unit/name/parent", "level code column"])
def test_a_bad_unit_code_is_refused_in_every_layout_that_gives_codes(tmp_path, layout, code):
    if layout == "unit/name/parent":
        frame = pd.DataFrame({"unit": ["R", code], "name": ["Region", "Avd"], "parent": [None, "R"]})
        column = "unit"
    else:
        frame = pd.DataFrame({"Nivå 1": ["Region"], "Nivå 1 kod": ["R"], "Nivå 2": ["Avd"],
                              "Nivå 2 kod": [code]})
        column = "Nivå 2 kod"
    path = _xlsx(tmp_path / "org.xlsx", frame)
    with pytest.raises(InputError) as err:
        load_org_tree(path, organisation=None, renames={})
    [issue] = [i for i in err.value.issues if i.value == code]
    assert issue.column == column and "without '/', '\\'" in issue.expected


def test_a_unit_named_like_a_question_never_becomes_a_section_of_its_narrative():
    """A one-line name is allowed, whatever it says; in the narrative file it is only the title."""
    for name in ("Vad är viktigt att bevara?", "Åtgärder", "Sammanfattning", "Lyftteamet"):
        narrative = parse_narrative(narrative_template("a1", name, 2025, {}))
        assert narrative.headings[0].how == "title"
        assert not narrative.has_text and narrative.free == []
