"""Exports are safe: text that a spreadsheet would run as a formula is written as text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from hme_core.results.export import neutralise_formulas, write_table

HOSTILE = ['=HYPERLINK("http://x","y")', "+SUM(A1:A9)", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)",
           "\t=1+1", "\r=1+1"]


@pytest.fixture
def table():
    return pd.DataFrame({
        "unit": pd.array(["a1", *HOSTILE, "-3"], dtype="string"),
        "unit_name": ["Avd 1", "Avd =2", "x", "y", "z", "v", "w", "+4,5"],
        "value": [-3.5, 78.2, np.nan, -100.0, 0.0, 1.0, 2.0, 3.0],
        "n": [-1, 5, 6, 7, 8, 9, 10, 11],
    })


def test_text_cells_starting_like_a_formula_get_a_leading_quote(table):
    out = neutralise_formulas(table)
    assert out["unit"].tolist()[1:7] == ["'" + h for h in HOSTILE]
    assert out["unit"].iloc[0] == "a1" and out["unit_name"].iloc[1] == "Avd =2"  # not at start


def test_numbers_stay_numbers_and_plain_numbers_in_text_stay_as_written(table):
    out = neutralise_formulas(table)
    assert out["value"].dtype == float and out["value"].iloc[0] == -3.5
    assert out["n"].dtype == table["n"].dtype and out["n"].iloc[0] == -1
    # decision: a text cell that is a plain number ("-3", "+4,5") cannot run as a formula
    assert out["unit"].iloc[7] == "-3" and out["unit_name"].iloc[7] == "+4,5"
    assert out["unit"].dtype == table["unit"].dtype
    assert table["unit"].iloc[1] == HOSTILE[0]  # the input is not modified


def test_csv_export_is_neutralised(table, tmp_path):
    path = write_table(table, tmp_path / "scores.csv")
    back = pd.read_csv(path)
    assert back["unit"].iloc[1] == "'" + HOSTILE[0]
    assert back["value"].iloc[0] == -3.5 and back["n"].iloc[0] == -1


def test_excel_export_holds_text_not_formulas(table, tmp_path):
    path = write_table(table, tmp_path / "scores.xlsx")
    sheet = load_workbook(path).active
    cells = [sheet.cell(row=r, column=1) for r in range(2, 10)]
    assert all(c.data_type == "s" for c in cells)  # 's' = string; a formula would be 'f'
    assert cells[1].value == "'" + HOSTILE[0]
    assert sheet.cell(row=2, column=3).value == -3.5 and sheet.cell(row=2, column=4).value == -1


def test_parquet_keeps_values_exactly(table, tmp_path):
    path = write_table(table, tmp_path / "scores.parquet")
    assert pd.read_parquet(path)["unit"].tolist() == table["unit"].tolist()


def test_score_export_of_a_hostile_unit_name_is_text(tmp_path, instruments, settings):
    # an org tree whose unit name is a formula, through the real score table
    from hme_core.results.tables import score_table
    from tests.fixtures import hme_row, make_responses

    org = pd.DataFrame({"unit": ["R", "A"], "name": ['=HYPERLINK("http://x","y")', "A"],
                        "parent": [None, "R"]}).astype("string")
    scores = score_table(make_responses([hme_row("A", [4] * 9)] * 6), org, None, instruments,
                         settings, 2025)
    back = pd.read_csv(write_table(scores, tmp_path / "s.csv"))
    assert back["unit_name"].iloc[0].startswith("'=")
    assert back["value"].iloc[0] == 75.0
