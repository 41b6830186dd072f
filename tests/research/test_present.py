"""Tables as a researcher pastes them: p-values, intervals, integers, labels, xlsx and CSV."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd

from hme_core.research.present import Formatter, fmt_ci, fmt_p, label, write_tables


def test_p_values_below_0_001_are_shown_as_less_than_and_others_with_three_decimals():
    assert fmt_p(0.0000004) == "< 0,001" and fmt_p(0.0000004, "en") == "< 0.001"
    assert fmt_p(0.001) == "0,001" and fmt_p(0.01249) == "0,012" and fmt_p(0.0125) == "0,013"
    assert fmt_p(0.5, "en") == "0.500" and fmt_p(np.nan) == "–"


def test_intervals_use_semicolon_in_swedish_and_comma_in_english_with_true_minus():
    assert fmt_ci(0.314, 0.5249) == "[0,31; 0,52]"
    assert fmt_ci(-0.314, 0.5249, lang="en") == "[\u22120.31, 0.52]"
    assert fmt_ci(np.nan, 0.5) == "–"


def test_table_has_labels_integer_n_and_no_index_and_goes_to_xlsx_and_csv(tmp_path):
    raw = pd.DataFrame({"y": ["staff_turnover"], "n": [255.0], "r": [-0.391],
                        "ci_low": [-0.49], "ci_high": [-0.28], "p": [0.00001]}, index=[7])
    f = Formatter("sv", {"hme": "HME totalt"})
    table = f.table("correlations", raw, {
        "y": ("research_col_outcome", f.name), "n": ("research_col_n", f.integer),
        "r": ("research_col_r", f.num(2)), "p": ("research_col_p", f.p)},
        {"r:research_col_ci95": ("ci_low", "ci_high", 2)}, note="Anm.")
    assert table.shown.to_dict("records") == [{"Utfall": "Personalomsättning (%)", "n": "255",
                                               "r": "\u22120,39", "95 % KI": "[\u22120,49; \u22120,28]",
                                               "p": "< 0,001"}]
    html = table._repr_html_()
    assert "<th" in html and ">7<" not in html and "Anm." in html
    files = write_tables([table], tmp_path)
    sheet = openpyxl.load_workbook(tmp_path / "tables.xlsx")["correlations"]
    assert sheet["A1"].value.startswith("Tabell 1") and sheet["A3"].value == "Personalomsättning (%)"
    assert pd.read_csv(files[0])["r"].iloc[0] == -0.391  # the CSV keeps full precision


def test_unknown_variables_get_a_readable_label():
    assert label("overtime_quota", {}, "en") == "Overtime quota"
