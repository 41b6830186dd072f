"""Reading any tabular file into text cells with the row numbers a user sees (readers.py)."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from hme_core.errors import InputError
from hme_core.inputs.readers import READERS, RawTable, read_table, register_reader


def _message(exc: pytest.ExceptionInfo) -> str:
    return str(exc.value)


def test_csv_semicolon_cp1252_keeps_swedish_letters_and_decimal_comma(tmp_path):
    path = tmp_path / "svar.csv"
    path.write_bytes("Enhet;hme1\nÅngström ÄÖ;5,0\nVård och omsorg;3\n".encode("cp1252"))
    table = read_table(path)
    assert list(table.frame.columns) == ["Enhet", "hme1"]
    assert table.frame["Enhet"].tolist() == ["Ångström ÄÖ", "Vård och omsorg"]
    assert table.frame["hme1"].tolist() == ["5,0", "3"]
    assert table.row_numbers.tolist() == [2, 3]


def test_csv_utf8_bom_comma_strips_headers_and_blank_cells_become_na(tmp_path):
    path = tmp_path / "svar.csv"
    path.write_bytes("\ufeff unit ,hme1\nA,\nB, 4\n".encode())
    table = read_table(path)
    assert list(table.frame.columns) == ["unit", "hme1"]  # no BOM, stripped
    assert table.frame["hme1"].isna().tolist() == [True, False]
    assert all(isinstance(t, pd.StringDtype) for t in table.frame.dtypes)


def test_csv_blank_lines_are_dropped_but_keep_row_numbers(tmp_path):
    path = tmp_path / "svar.txt"
    path.write_text("unit\thme1\n\nA\t1\n\nB\t2\n", encoding="utf-8")
    table = read_table(path)
    # rows: 1 header, 2 blank, 3 A, 4 blank, 5 B
    assert table.row_numbers.tolist() == [3, 5]
    assert table.frame["unit"].tolist() == ["A", "B"]


def test_single_column_csv_is_read(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("unit\nA\nB\n", encoding="utf-8")
    assert read_table(path).frame["unit"].tolist() == ["A", "B"]


def test_xlsx_numbers_come_through_without_decimal_zero_and_excel_row_numbers(tmp_path):
    path = tmp_path / "svar.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Enhet", "hme1", "hme2"])
    ws.append(["A", 5.0, 3])
    ws.append([None, None, None])  # a blank Excel row 3
    ws.append(["B", 7.5, "Vet ej"])
    wb.save(path)
    table = read_table(path)
    assert table.frame["hme1"].tolist() == ["5", "7.5"]
    assert table.frame["hme2"].tolist() == ["3", "Vet ej"]
    assert table.row_numbers.tolist() == [2, 4]


def test_sav_value_labels_are_applied(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    path = tmp_path / "svar.sav"
    frame = pd.DataFrame({"unit": [1.0, 2.0], "hme1": [5.0, 4.0]})
    pyreadstat.write_sav(frame, str(path),
                         variable_value_labels={"unit": {1.0: "Avd Norr", 2.0: "Avd Syd"}})
    table = read_table(path)
    assert table.frame["unit"].tolist() == ["Avd Norr", "Avd Syd"]
    assert table.frame["hme1"].tolist() == ["5", "4"]  # unlabelled codes as text, no ".0"
    assert table.row_numbers.tolist() == [2, 3]


def test_parquet_is_read_as_text_with_record_index_plus_two(tmp_path):
    path = tmp_path / "svar.parquet"
    pd.DataFrame({"unit": ["A", None, "C"], "hme1": [5, 4, 1]}).to_parquet(path)
    table = read_table(path)
    assert table.frame["hme1"].tolist() == ["5", "4", "1"]
    assert table.frame["unit"].isna().tolist() == [False, True, False]
    assert table.row_numbers.tolist() == [2, 3, 4]


def test_register_reader_adds_a_suffix(tmp_path, monkeypatch):
    monkeypatch.setitem(READERS, ".dummy", READERS[".csv"])
    path = tmp_path / "svar.dummy"
    path.write_text("unit\nA\n", encoding="utf-8")
    assert read_table(path).frame["unit"].tolist() == ["A"]
    with pytest.raises(ValueError):
        register_reader("dummy", lambda p: RawTable(pd.DataFrame(), np.array([]), p))


def test_missing_file_names_the_file(tmp_path):
    path = tmp_path / "saknas.csv"
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert "saknas.csv" in _message(exc) and "existing file" in _message(exc)


@pytest.mark.parametrize("content", [b"", b"unit;hme1\n", b"\n\n"])
def test_empty_file_or_header_only_is_an_error(tmp_path, content):
    path = tmp_path / "tom.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert "tom.csv" in _message(exc)
    assert "empty" in _message(exc) or "no data rows" in _message(exc) or "blank" in _message(exc)


@pytest.mark.parametrize("suffix", [".csv", ".txt", ".xlsx", ".sav", ".parquet"])
def test_binary_garbage_is_a_clear_input_error(tmp_path, suffix):
    path = tmp_path / f"bild{suffix}"
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    path.write_bytes(png)
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert f"bild{suffix}" in _message(exc)


def test_random_bytes_without_nul_are_not_tabular(tmp_path):
    path = tmp_path / "brus.csv"
    rng = np.random.default_rng(7)
    path.write_bytes(bytes(b for b in rng.integers(1, 256, 2000, dtype=np.uint8).tolist()))
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert "brus.csv" in _message(exc) and "not readable as text" in _message(exc)


def test_unsupported_suffix_lists_allowed_ones(tmp_path):
    path = tmp_path / "svar.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_table(path)
    for suffix in (".csv", ".txt", ".xlsx", ".sav", ".parquet"):
        assert suffix in _message(exc)
    assert "'.json'" in _message(exc)


def test_duplicate_headers_after_strip_and_casefold_are_an_error(tmp_path):
    path = tmp_path / "dubbel.csv"
    path.write_text("Enhet;hme1; ENHET \nA;1;B\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_table(path)
    msg = _message(exc)
    assert "dubbel.csv" in msg and "row 1" in msg and "'ENHET'" in msg and "'Enhet'" in msg


def test_ragged_csv_is_an_input_error_not_a_traceback(tmp_path):
    path = tmp_path / "trasig.csv"
    path.write_text("a;b\n1;2\n1;2;3;4\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert "trasig.csv" in _message(exc)


def test_a_workbook_read_by_its_first_sheet_names_its_other_sheets_when_no_answers_are_there(
        tmp_path):
    """A vendor's export often opens on an info sheet: the error says which sheets there are
    and how to name the one with the answers."""
    import pandas as pd
    import pytest

    from hme_core.config import Settings
    from hme_core.errors import InputError
    from hme_core.inputs.readers import read_table
    from hme_core.inputs.responses import parse_responses
    from hme_core.instruments import load_instruments

    path = tmp_path / "export.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Rapport": ["Export 2025"]}).to_excel(writer, sheet_name="Info", index=False)
        pd.DataFrame({"Enhet": ["a1"], "hme1": [4]}).to_excel(writer, sheet_name="Svar",
                                                              index=False)
    raw = read_table(path)
    assert raw.sheets == ("Info", "Svar")
    with pytest.raises(InputError) as err:
        parse_responses(raw, load_instruments(), Settings(), column_map={})
    assert "sheets 'Info', 'Svar': name the sheet with the answers, e.g." in str(err.value)
    assert raw.sheet_hint().endswith(f"e.g. '{path}#Svar')")
    assert read_table(f"{path}#Svar").sheets == ()
    assert read_table(f"{path}#Svar").sheet_hint() == ""
