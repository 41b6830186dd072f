"""Files as a vendor or HR delivers them: a two-sheet workbook, SPSS with labels, wide and path
org trees, units named by name or path, Swedish outcome headers, grouped messages."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from hme_core.config import Settings
from hme_core.errors import InputError
from hme_core.inputs.orgtrees import generated_code, load_org_tree
from hme_core.inputs.outcomes import parse_outcomes
from hme_core.inputs.readers import read_table
from hme_core.inputs.responses import load_responses
from hme_core.instruments import load_instruments

INS = load_instruments()
HME = [i for i in INS.instruments if i.id == "hme"][0]
MANAGER = "Har du personalansvar?"
ROLE_MAP = {"har du personalansvar?": "role"}
ROLE_VALUES = {"har du personalansvar?": ({"ja": "chef", "nej": "medarbetare"}, [])}


def workbook(tmp_path, units=("Avd 1", "Avd 2", "Kommun X / Förv A / Avd 3"), sex="Vill ej uppge"):
    """Sheet 'Svar': statement texts (with a final '.') as headers, label answers, Kön with
    'Vill ej uppge', a Ja/Nej manager flag; sheet 2: a wide org tree (Nivå 1..3)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Svar"
    ws.append(["Organisationstillhörighet", "Kön", MANAGER, *[i.sv.rstrip(".") + "." for i in HME.items]])
    for r, unit in enumerate(units):
        ws.append([unit, [sex, "Kvinna", "Man"][r % 3], "Ja" if r == 0 else "Nej",
                   *["Stämmer mycket bra"] * len(HME.items)])
    tree = wb.create_sheet("Organisation")
    tree.append(["Nivå 1", "Nivå 2", "Nivå 3"])
    for row in (["Kommun X"], ["Kommun X", "Förv A"], ["Kommun X", "Förv A", "Avd 1"],
                ["Kommun X", "Förv A", "Avd 2"], ["Kommun X", "Förv A", "Avd 3"]):
        tree.append(row + [None] * (3 - len(row)))
    path = tmp_path / "enkät.xlsx"
    wb.save(path)
    return path


def test_two_sheet_workbook_reads_responses_with_names_paths_and_the_wide_tree(tmp_path):
    book = workbook(tmp_path)
    org = load_org_tree(f"{book}#2")
    assert org["name"].tolist() == ["Kommun X", "Förv A", "Avd 1", "Avd 2", "Avd 3"]
    assert org["unit"].iat[2] == generated_code(["Kommun X", "Förv A", "Avd 1"])
    df = load_responses(f"{book}#Svar", INS, Settings(), dict(ROLE_MAP),
                        org=org, value_maps=ROLE_VALUES)
    code = dict(zip(org["name"], org["unit"], strict=True))
    assert df["unit"].tolist() == [code["Avd 1"], code["Avd 2"], code["Avd 3"]]
    assert df["sex"].isna().tolist() == [True, False, False]  # 'Vill ej uppge' is no answer
    assert df["role"].tolist() == ["chef", "medarbetare", "medarbetare"]
    assert df["hme1"].tolist() == [5, 5, 5]


def test_generated_codes_are_stable_and_ignore_case_and_spacing():
    assert generated_code(["Kommun X", "Förv A"]) == generated_code(["kommun  x", "FÖRV A"])
    assert generated_code(["Kommun X", "Förv A"]) != generated_code(["Kommun X", "Förv B"])


def test_path_org_tree_builds_parents_from_the_path(tmp_path):
    path = tmp_path / "org.csv"
    path.write_text("Sökväg\nRegion\nRegion / HSF\nRegion / HSF / Område medicin\n"
                    "Region / HSF / Område medicin / Avd 32\n", encoding="utf-8")
    org = load_org_tree(path)
    parent_name = dict(zip(org["unit"], org["name"], strict=True))
    assert [(n, parent_name.get(p)) for n, p in zip(org["name"], org["parent"], strict=True)] == [
        ("Region", None), ("HSF", "Region"), ("Område medicin", "HSF"),
        ("Avd 32", "Område medicin")]


def test_ambiguous_unit_name_is_an_error_listing_the_candidates(tmp_path):
    tree = tmp_path / "org.csv"
    tree.write_text("unit;name;parent\nR;Region;\nA;Medicin;R\nB;Kirurgi;R\nA1;Avd 1;A\n"
                    "B1;Avd 1;B\n", encoding="utf-8")
    svar = tmp_path / "svar.csv"
    svar.write_text("Enhet;hme1\nAvd 1;5\nRegion / Kirurgi / Avd 1;4\nA1;3\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_responses(svar, INS, Settings(), {}, org=load_org_tree(tree))
    msg = err.value.format()
    assert "row 2, column 'Enhet': got 'Avd 1'" in msg and "'A1', 'B1'" in msg
    assert len(err.value.issues) == 1  # the path and the code are fine


def test_sav_with_short_names_is_read_through_variable_and_value_labels(tmp_path):
    frame = pd.DataFrame({"ENH": ["a1", "a1"], "F1": [5.0, 4.0], "F2": [1.0, 9.0]})
    path = tmp_path / "svar.sav"
    pyreadstat.write_sav(frame, str(path), column_labels=[
        "Enhet", HME.items[0].sv, HME.items[1].sv],
        variable_value_labels={"F1": {5.0: "Stämmer mycket bra", 4.0: "Stämmer ganska bra"},
                               "F2": {1.0: "Stämmer mycket dåligt", 9.0: "Vill ej uppge"}})
    df = load_responses(path, INS, Settings(), {})
    assert df["unit"].tolist() == ["a1", "a1"]
    assert df["hme1"].tolist() == [5, 4]
    assert df["hme2"].tolist()[0] == 1 and pd.isna(df["hme2"].iat[1])


def test_same_bad_value_on_many_rows_is_one_line_with_count_first_rows_and_the_fix(tmp_path):
    svar = tmp_path / "svar.csv"
    svar.write_text("Enhet;Kön;hme1\n" + "a1;Okänt;5\n" * 32, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_responses(svar, INS, Settings(), {})
    lines = err.value.format().splitlines()
    assert len(lines) == 2
    assert "32 rows: 2, 3, 4, 5, 6 and 27 more, column 'Kön': got 'Okänt'" in lines[1]


def test_sheet_that_does_not_exist_names_the_sheets(tmp_path):
    book = workbook(tmp_path)
    with pytest.raises(InputError) as err:
        read_table(f"{book}#5")
    assert "sheets: 'Svar', 'Organisation'" in str(err.value)


def test_outcomes_with_swedish_headers(tmp_path):
    path = tmp_path / "utfall.csv"
    path.write_text("Enhet;År;Indikator;Värde\nR;2024;sjukfranvaro;4,5\n", encoding="utf-8")
    out = parse_outcomes(read_table(path))
    assert out[["unit", "year", "indicator", "value"]].values.tolist() == [
        ["R", 2024, "sjukfranvaro", 4.5]]
