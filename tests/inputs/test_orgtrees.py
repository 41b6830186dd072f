"""Org trees and head counts from files (inputs/orgtrees.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from hme_core.errors import InputError
from hme_core.inputs.orgtrees import load_headcounts, load_org_tree
from hme_core.inputs.readers import STRING


def _csv(tmp_path, text: str, name: str = "org.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(func, *args, **kw) -> str:
    with pytest.raises(InputError) as exc:
        func(*args, **kw)
    return str(exc.value)


# --------------------------------------------------------------------------- org tree


def test_org_tree_with_swedish_aliases_is_read_in_file_order(tmp_path):
    path = _csv(tmp_path, "ENHETSKOD;Enhetsnamn;överordnad\nR;Region Demo;\nV;Vård;R\n"
                          "V1; Avd Åby ;V\nS;;R\n")
    tree = load_org_tree(path)
    assert list(tree.columns) == ["unit", "name", "parent"]
    assert all(t == STRING for t in tree.dtypes)
    assert tree["unit"].tolist() == ["R", "V", "V1", "S"]
    assert tree["name"].tolist() == ["Region Demo", "Vård", "Avd Åby", "S"]  # blank name -> code
    assert pd.isna(tree["parent"].iloc[0]) and tree["parent"].tolist()[1:] == ["R", "V", "R"]


def test_org_tree_english_headers(tmp_path):
    tree = load_org_tree(_csv(tmp_path, "unit,name,Parent\nR,Root,\nA,Unit A,R\n"))
    assert tree["parent"].tolist()[1] == "R"


def test_org_tree_missing_required_column(tmp_path):
    msg = _error(load_org_tree, _csv(tmp_path, "Enhet;Namn\nR;Root\n"))
    assert "org.csv: expected a column 'parent' or 'Överordnad'" in msg
    assert "found columns 'Enhet', 'Namn'" in msg


def test_org_tree_cycle_names_its_units_and_rows(tmp_path):
    # rows: 2 R (root), 3 A -> R, 4 B -> C, 5 C -> D, 6 D -> B: cycle B -> C -> D -> B
    path = _csv(tmp_path, "Enhet;Namn;Överordnad\nR;Root;\nA;A;R\nB;B;C\nC;C;D\nD;D;B\n")
    msg = _error(load_org_tree, path)
    assert "org.csv, row 4, column 'Överordnad': got 'C'" in msg
    assert "B → C → D → B (rows 4, 5, 6)" in msg


def test_org_tree_self_parent_is_a_cycle(tmp_path):
    msg = _error(load_org_tree, _csv(tmp_path, "unit;name;parent\nR;Root;\nA;A;A\n"))
    assert "org.csv, row 3, column 'parent': got 'A'" in msg and "A → A (rows 3)" in msg


def test_org_tree_two_roots_names_both_rows(tmp_path):
    msg = _error(load_org_tree, _csv(tmp_path, "unit;name;parent\nR;Root;\nX;Other;\nA;A;R\n"))
    assert "org.csv, row 2, column 'parent'" in msg and "org.csv, row 3, column 'parent'" in msg
    assert "found 2: 'R' (row 2), 'X' (row 3)" in msg


def test_org_tree_without_root_reports_none_and_the_cycle(tmp_path):
    msg = _error(load_org_tree, _csv(tmp_path, "unit;name;parent\nA;A;B\nB;B;A\n"))
    assert "found none" in msg and "A → B → A (rows 2, 3)" in msg


def test_org_tree_unknown_parent_duplicate_and_blank_unit(tmp_path):
    path = _csv(tmp_path, "unit;name;parent\nR;Root;\nA;A;R\nA;A again;R\n;Blank;R\nB;B;Q\n")
    with pytest.raises(InputError) as exc:
        load_org_tree(path)
    found = [(i.row, i.column, i.value) for i in exc.value.issues]
    assert found == [(4, "unit", "A"), (5, "unit", None), (6, "parent", "Q")]
    assert "row 3 already has it" in str(exc.value)


def test_org_tree_unit_code_with_control_character(tmp_path):
    path = tmp_path / "org.csv"
    path.write_bytes(b"unit;name;parent\nR;Root;\nA\x07B;A;R\n")
    msg = _error(load_org_tree, path)
    assert "org.csv, row 3, column 'unit': got 'A\\x07B'" in msg and "control characters" in msg


# --------------------------------------------------------------------------- head counts


def test_headcounts_read_and_whole_numbers_accepted(tmp_path):
    path = _csv(tmp_path, "Enhet;År;Antal anställda\nA;2024;12\nB;2024;12.0\nC;2025;1 234\n",
                name="hc.csv")
    hc = load_headcounts(path)
    assert list(hc.columns) == ["unit", "year", "employees"]
    assert hc["employees"].tolist() == [12, 12, 1234]
    assert hc["year"].dtype == "int64" and hc["employees"].dtype == "int64"


def test_headcounts_year_filter_keeps_that_year_only(tmp_path):
    path = _csv(tmp_path, "unit;year;employees\nA;2024;10\nA;2025;11\nB;2025;x\n", name="hc.csv")
    assert load_headcounts(path, year=2024).to_dict("list") == {
        "unit": ["A"], "year": [2024], "employees": [10]}


def test_headcounts_without_year_column_take_the_given_year(tmp_path):
    path = _csv(tmp_path, "unit;employees\nA;10\n", name="hc.csv")
    assert load_headcounts(path, year=2025)["year"].tolist() == [2025]
    assert "expected a column 'year'" in _error(load_headcounts, path)


@pytest.mark.parametrize("value", ["-3", "12.5", "abc", "12,5"])
def test_headcount_not_a_non_negative_whole_number_is_an_error(tmp_path, value):
    path = _csv(tmp_path, f"Enhet;År;Anställda\nA;2024;5\nB;2024;{value}\n", name="hc.csv")
    msg = _error(load_headcounts, path)
    assert f"hc.csv, row 3, column 'Anställda': got '{value}', expected a whole number" in msg


def test_headcount_bad_year_and_duplicate_unit_year(tmp_path):
    path = _csv(tmp_path, "unit;year;employees\nA;2024;5\nA;2024;6\nB;24;7\n", name="hc.csv")
    msg = _error(load_headcounts, path)
    assert "hc.csv, row 3, column 'unit': got 'A, 2024'" in msg and "row 2 already has it" in msg
    assert "hc.csv, row 4, column 'year': got '24', expected a year" in msg


def test_headcount_unknown_unit(tmp_path):
    path = _csv(tmp_path, "unit;year;employees\nA;2024;5\nZ;2024;6\n", name="hc.csv")
    msg = _error(load_headcounts, path, known_units={"A"})
    assert "hc.csv, row 3, column 'unit': got 'Z', expected a unit code of the org tree" in msg


def test_empty_org_file_is_an_error(tmp_path):
    msg = _error(load_org_tree, _csv(tmp_path, ""))
    assert "org.csv" in msg and "empty" in msg


def test_binary_org_file_is_an_error(tmp_path):
    path = tmp_path / "org.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    msg = _error(load_org_tree, path)
    assert "org.xlsx" in msg and "Excel" in msg
