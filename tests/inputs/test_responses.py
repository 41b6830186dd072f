"""The canonical response table (inputs/responses.py) and header mapping (inputs/columns.py)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hme_core.config import Settings
from hme_core.errors import InputError
from hme_core.inputs.columns import canonical_columns, load_column_map
from hme_core.inputs.readers import STRING, RawTable, read_table
from hme_core.inputs.responses import load_responses, parse_responses
from hme_core.instruments import load_instruments
from hme_core.paths import REPO_ROOT

PARAMS = REPO_ROOT / "params"
INSTRUMENTS = load_instruments(PARAMS / "instruments")
COLUMN_MAP = load_column_map(PARAMS / "column_map.yaml")
SETTINGS = Settings()  # defaults: missing labels Vet ej / Ej aktuellt / Vill ej svara
HME_LABELS = {1: "Stämmer mycket dåligt", 2: "Stämmer ganska dåligt",
              3: "Stämmer varken bra eller dåligt", 4: "Stämmer ganska bra", 5: "Stämmer mycket bra"}
HEAD = ["source_row", "respondent_id", "unit", "sex", "role", "profession", "age_group",
        "patient_contact"]


def _load(path, **kw) -> pd.DataFrame:
    return load_responses(path, INSTRUMENTS, SETTINGS, COLUMN_MAP, **kw)


def _csv(tmp_path, text: str, name: str = "svar.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _error(path, **kw) -> str:
    with pytest.raises(InputError) as exc:
        _load(path, **kw)
    return str(exc.value)


# --------------------------------------------------------------------------- the contract


def test_canonical_table_columns_order_and_dtypes(tmp_path):
    path = _csv(tmp_path, "RespondentID;Enhet;Kön;Roll;Yrke;Åldersgrupp;hme2;hme1;eNPS;Övrigt\n"
                          "r1;A;K;Chef;Läkare;30-39;4;5;10;x\n")
    df = _load(path)
    # Item columns follow instrument order (hme1 before hme2, HME before eNPS); extras dropped.
    assert list(df.columns) == [*HEAD, "hme1", "hme2", "enps"]
    assert df["source_row"].dtype == np.int64
    assert all(df[c].dtype == STRING for c in HEAD[1:])
    assert all(df[c].dtype == "Int16" for c in ["hme1", "hme2", "enps"])
    assert df.iloc[0][["sex", "role", "profession", "age_group"]].tolist() == [
        "kvinna", "chef", "Läkare", "30-39"]


def test_optional_columns_absent_are_all_na(tmp_path):
    df = _load(_csv(tmp_path, "unit;hme1\nA;3\n"))
    assert list(df.columns) == [*HEAD, "hme1"]
    assert df[["respondent_id", "sex", "role", "profession", "age_group"]].isna().all().all()


def test_cp1252_semicolon_decimal_comma_with_swedish_unit_names(tmp_path):
    path = _csv(tmp_path, "Enhet;hme1;hme2\nÄldreomsorg Åby;5,0;4\nSkola Ö;3,0;2,0\n",
                encoding="cp1252")
    df = _load(path)
    assert df["unit"].tolist() == ["Äldreomsorg Åby", "Skola Ö"]
    assert df["hme1"].tolist() == [5, 3] and df["hme2"].tolist() == [4, 2]


def test_utf8_bom_comma_file(tmp_path):
    path = _csv(tmp_path, "\ufeffunit,hme1,enps\nA,1,0\nB,5,10\n")
    df = _load(path)
    assert df["unit"].tolist() == ["A", "B"] and df["enps"].tolist() == [0, 10]


def test_xlsx_written_with_openpyxl(tmp_path):
    path = tmp_path / "svar.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Enhet", "hme1", "hme9"])
    wb.active.append(["Vård", 5.0, "Stämmer ganska bra"])
    wb.active.append(["Skola", 2, None])
    wb.save(path)
    df = _load(path)
    assert df["hme1"].tolist() == [5, 2]
    assert df["hme9"].tolist()[0] == 4 and df["hme9"].isna().tolist() == [False, True]
    assert df["source_row"].tolist() == [2, 3]


def test_sav_with_value_labels_gives_codes(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    path = tmp_path / "svar.sav"
    frame = pd.DataFrame({"unit": [1.0, 2.0, 1.0], "hme1": [5.0, 1.0, np.nan],
                          "hme2": [3.0, 4.0, 2.0]})
    labels = {"unit": {1.0: "Avd Norr", 2.0: "Avd Syd"}, "hme1": {float(k): v for k, v in HME_LABELS.items()}}
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels)
    df = _load(path)
    assert df["unit"].tolist() == ["Avd Norr", "Avd Syd", "Avd Norr"]  # labels honoured
    assert df["hme1"].tolist()[:2] == [5, 1] and pd.isna(df["hme1"].iloc[2])
    assert df["hme2"].tolist() == [3, 4, 2]


def test_parquet(tmp_path):
    path = tmp_path / "svar.parquet"
    pd.DataFrame({"unit": ["A", "B"], "hme1": [5, 1], "hme2": [2.0, None]}).to_parquet(path)
    df = _load(path)
    assert df["hme1"].tolist() == [5, 1]
    assert df["hme2"].tolist()[0] == 2 and pd.isna(df["hme2"].iloc[1])


# --------------------------------------------------------------------------- answers


def test_labels_in_mixed_case_with_spaces_map_to_codes(tmp_path):
    path = _csv(tmp_path, "unit;hme1;hme2;hme3\n"
                          "A;  stämmer MYCKET bra ;Stämmer ganska dåligt;strongly DISAGREE\n")
    df = _load(path)
    assert df[["hme1", "hme2", "hme3"]].iloc[0].tolist() == [5, 2, 1]


def test_missing_labels_and_blank_are_na_not_zero(tmp_path):
    path = _csv(tmp_path, "unit;hme1;hme2;hme3\nA;Vet ej; ;VILL EJ SVARA\n")
    df = _load(path)
    assert df[["hme1", "hme2", "hme3"]].isna().all(axis=None)


def test_missing_codes_are_na_but_never_hide_a_valid_scale_code(tmp_path):
    path = _csv(tmp_path, "unit;hme1;enps\nA;6;6\n")
    df = load_responses(path, INSTRUMENTS, Settings(missing_codes=[6]), COLUMN_MAP)
    assert pd.isna(df["hme1"].iloc[0])  # 6 = "Vet ej" for the 1-5 scale
    assert df["enps"].iloc[0] == 6  # but a real eNPS answer on 0-10


def test_answer_6_on_hme_names_file_row_column_value_and_expected(tmp_path):
    msg = _error(_csv(tmp_path, "unit;hme1\nA;5\nA;6\n", name="fel.csv"))
    assert "fel.csv, row 3, column 'hme1': got '6', expected 1–5 or a label such as " \
           "'Stämmer mycket bra', blank or 'Vet ej'" in msg


def test_decimal_answer_7_5_is_an_error(tmp_path):
    msg = _error(_csv(tmp_path, "Enhet;eNPS\nA;7,5\n", name="fel.csv"))
    assert "fel.csv, row 2, column 'eNPS': got '7,5', expected 0–10" in msg


def test_all_issues_are_collected_in_one_error(tmp_path):
    path = _csv(tmp_path, "unit;hme1;hme2\nA;6;x\nB;0;1\n")
    with pytest.raises(InputError) as exc:
        _load(path)
    assert [(i.row, i.column, i.value) for i in exc.value.issues] == [
        (2, "hme1", "6"), (2, "hme2", "x"), (3, "hme1", "0")]


# --------------------------------------------------------------------------- other columns


def test_unknown_unit_code_is_an_error(tmp_path):
    msg = _error(_csv(tmp_path, "Enhet;hme1\nA;5\nZ9;4\n", name="fel.csv"), known_units={"A", "B"})
    assert "fel.csv, row 3, column 'Enhet': got 'Z9', expected a unit code of the org tree" in msg


def test_blank_unit_is_an_error(tmp_path):
    msg = _error(_csv(tmp_path, "unit;hme1\n  ;5\n", name="fel.csv"))
    assert "fel.csv, row 2, column 'unit'" in msg and "blank" in msg


def test_duplicate_respondent_id_names_the_first_row(tmp_path):
    path = _csv(tmp_path, "RespondentID;unit;hme1\nr1;A;5\n;A;4\nr1;B;3\n;B;2\n", name="fel.csv")
    msg = _error(path)
    assert "fel.csv, row 4, column 'RespondentID': got 'r1', expected a unique respondent id; " \
           "row 2 already has it" in msg
    assert msg.startswith("1 problem(s)")  # blank ids are not duplicates


def test_missing_unit_column_is_a_file_level_error_naming_the_columns_and_the_fix(tmp_path):
    msg = _error(_csv(tmp_path, "Sektion;hme1\nA;5\n", name="fel.csv"))
    assert "fel.csv: expected a column with each respondent's unit" in msg
    assert "'Sektion', 'hme1'" in msg and "params/column_map.yaml" in msg


def test_file_without_any_item_column_is_an_error(tmp_path):
    msg = _error(_csv(tmp_path, "unit;fråga\nA;5\n", name="fel.csv"))
    assert "fel.csv: expected at least one statement column" in msg
    assert "params/column_map.yaml" in msg


@pytest.mark.parametrize(("written", "sex", "role"), [
    ("Kvinna;Medarbetare", "kvinna", "medarbetare"), ("k;employee", "kvinna", "medarbetare"),
    ("Female;STAFF", "kvinna", "medarbetare"), ("M;Manager", "man", "chef"),
    ("male;chef", "man", "chef"), ("Other;Vet ej", "annat", None),
])
def test_sex_and_role_spellings_are_normalised(tmp_path, written, sex, role):
    df = _load(_csv(tmp_path, f"unit;Kön;Roll;hme1\nA;{written};5\n"))
    assert df["sex"].iloc[0] == sex
    assert (pd.isna(df["role"].iloc[0]) if role is None else df["role"].iloc[0] == role)


def test_unknown_role_names_allowed_values(tmp_path):
    msg = _error(_csv(tmp_path, "unit;Roll;hme1\nA;Boss;5\n", name="fel.csv"))
    assert "fel.csv, row 2, column 'Roll': got 'Boss', expected one of Chef, Medarbetare" in msg


# --------------------------------------------------------------------------- headers


def test_full_swedish_statement_header_maps_to_hme1(tmp_path):
    path = _csv(tmp_path, "Enhet;  mitt arbete  KÄNNS meningsfullt ;I look forward to going to work.\n"
                          "A;5;4\n")
    df = _load(path)
    assert df[["hme1", "hme3"]].iloc[0].tolist() == [5, 4]


def test_statement_headers_with_a_vendors_question_number_map_to_their_items():
    headers = ["1. Mitt arbete känns meningsfullt.", "F4) Min närmaste chef visar uppskattning "
               "för mina arbetsinsatser.", "Q9 - I know what is expected of me in my work.",
               "Fråga 2: Jag lär nytt och utvecklas i mitt dagliga arbete"]
    assert list(canonical_columns(headers, INSTRUMENTS, COLUMN_MAP).values()) == [
        "hme1", "hme4", "hme9", "hme2"]


def test_enps_statement_with_organisation_name_maps_to_enps():
    header = ("Hur sannolikt är det att du skulle rekommendera Region Demo som arbetsgivare "
              "till en vän eller bekant?")
    assert canonical_columns([header], INSTRUMENTS, COLUMN_MAP) == {header: "enps"}


def test_two_headers_for_one_id_name_both_columns():
    with pytest.raises(InputError) as exc:
        canonical_columns(["hme1", "Mitt arbete känns meningsfullt."], INSTRUMENTS, COLUMN_MAP,
                          source="svar.csv")
    msg = str(exc.value)
    assert "svar.csv" in msg and "'hme1'" in msg and "'Mitt arbete känns meningsfullt.'" in msg


def test_column_map_keys_are_casefolded_and_stripped(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text("'  AVDELNING ': unit\n", encoding="utf-8")
    assert load_column_map(path) == {"avdelning": "unit"}
    assert canonical_columns(["Avdelning"], INSTRUMENTS, load_column_map(path)) == {
        "Avdelning": "unit"}


# --------------------------------------------------------------------------- properties


def _raw(cells: list[list[str | None]], headers: list[str]) -> RawTable:
    frame = pd.DataFrame(cells, columns=headers, dtype=object).astype(STRING)
    return RawTable(frame, np.arange(2, len(cells) + 2), Path("mem.csv"))


def _spell(code: int | None, style: int, case: int) -> str | None:
    if code is None:
        return [None, "Vet ej", "  vet EJ "][style % 3]
    label = [str(code), f"{code}.0", f"{code},0", HME_LABELS[code],
             f"  {HME_LABELS[code]} ", INSTRUMENTS["hme"].scale.label(code, "en")][style % 6]
    return [label, label.upper(), label.lower()][case % 3]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([1, 2, 3, 4, 5, None]), st.integers(0, 5),
                          st.integers(0, 2)), min_size=1, max_size=30))
def test_codes_written_as_labels_or_codes_parse_to_the_same_table(answers):
    plain = _raw([["A", None if c is None else str(c)] for c, _, _ in answers], ["unit", "hme1"])
    spelled = _raw([["A", _spell(c, s, k)] for c, s, k in answers], ["unit", "Hme1"])
    expected = parse_responses(plain, INSTRUMENTS, SETTINGS, COLUMN_MAP)
    got = parse_responses(spelled, INSTRUMENTS, SETTINGS, COLUMN_MAP)
    pd.testing.assert_frame_equal(got, expected)
    assert got["hme1"].tolist() == [pd.NA if c is None else c for c, _, _ in answers]


# --------------------------------------------------------------------------- speed


def test_parse_is_vectorised_100k_rows_under_a_few_seconds():
    # 100,000 rows x 9 items (1M rows took ~1.2 s to parse on the dev machine; keep CI light).
    rng = np.random.default_rng(0)
    n = 100_000
    cells = {"unit": pd.array(rng.choice(["A", "B", "C"], n), dtype=STRING)}
    for i in range(1, 10):
        cells[f"hme{i}"] = pd.array(rng.choice(["1", "2", "3", "4", "5", "Vet ej"], n),
                                    dtype=STRING)
    raw = RawTable(pd.DataFrame(cells), np.arange(2, n + 2), Path("x.csv"))
    start = time.perf_counter()
    df = parse_responses(raw, INSTRUMENTS, SETTINGS, COLUMN_MAP)
    assert time.perf_counter() - start < 5
    assert len(df) == n


def test_read_table_then_parse_equals_load_responses(tmp_path):
    path = _csv(tmp_path, "unit;hme1\nA;5\n")
    raw = read_table(path)
    pd.testing.assert_frame_equal(parse_responses(raw, INSTRUMENTS, SETTINGS, COLUMN_MAP),
                                  _load(path))
