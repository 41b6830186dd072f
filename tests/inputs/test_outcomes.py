"""Outcome indicators: validation names file/row/column, storage replaces (year, indicator)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from hme_core.cli import main
from hme_core.errors import InputError
from hme_core.inputs.outcomes import (
    load_outcomes_frame,
    parse_number,
    read_outcomes,
    store_outcomes,
)
from hme_core.store.duckdb_store import Store
from tests.fixtures import synthetic_store, write_outcomes_csv

HEADER = "unit;year;indicator;value;unit_of_measure\n"


def _write(tmp_path, text, name="outcomes.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8-sig")
    return path


def _issues(exc):
    return {(i.row, i.column): i for i in exc.value.issues}


def test_reads_swedish_csv_with_decimal_comma(tmp_path):
    path = _write(tmp_path, HEADER + "A;2024;sick_leave_rate;5,25;%\nB;2024;sick_leave_rate;6;%\n"
                  "A;2024;overtime_hours_per_fte;1 234,5;timmar\n")
    out = read_outcomes(path)
    assert out["value"].tolist() == [5.25, 6.0, 1234.5]
    assert out["year"].tolist() == [2024] * 3 and out["source_row"].tolist() == [2, 3, 4]


def test_optional_unit_of_measure_and_case_insensitive_headers(tmp_path):
    out = read_outcomes(_write(tmp_path, "Unit;YEAR;Indicator;Value\nA;2024.0;staff_turnover;9.5\n"))
    assert out.loc[0, "year"] == 2024 and out.loc[0, "value"] == 9.5
    assert pd.isna(out.loc[0, "unit_of_measure"])


def test_non_numeric_value_names_file_row_column_and_value(tmp_path):
    path = _write(tmp_path, HEADER + "A;2024;sick_leave_rate;5,2;%\nB;2024;sick_leave_rate;hög;%\n")
    with pytest.raises(InputError) as exc:
        read_outcomes(path)
    issue = _issues(exc)[(3, "value")]
    assert issue.file == str(path) and issue.value == "hög" and "number" in issue.expected
    assert "row 3, column 'value'" in str(exc.value)


def test_missing_column_is_named(tmp_path):
    path = _write(tmp_path, "unit;year;indicator\nA;2024;sick_leave_rate\n")
    with pytest.raises(InputError) as exc:
        read_outcomes(path)
    assert list(_issues(exc)) == [(None, "value")]
    assert "'value'" in str(exc.value) and str(path) in str(exc.value)


@pytest.mark.parametrize("year", ["2024-01", "24", "2024/25", "år 2024"])
def test_unknown_year_format_names_row_and_column(tmp_path, year):
    path = _write(tmp_path, HEADER + f"A;{year};sick_leave_rate;5;%\n")
    with pytest.raises(InputError) as exc:
        read_outcomes(path)
    issue = _issues(exc)[(2, "year")]
    assert issue.value == year and "four-digit year" in issue.expected


def test_years_and_values_in_digits_of_other_scripts_are_refused(tmp_path):
    # Arabic-Indic ٢٠٢٥ = 2025 and ٥ = 5: int() and float() would read them, the rule does not
    path = _write(tmp_path, HEADER + "A;\u0662\u0660\u0662\u0665;sick_leave_rate;\u0665;%\n")
    with pytest.raises(InputError) as exc:
        read_outcomes(path)
    found = _issues(exc)
    assert found[(2, "year")].value == "٢٠٢٥" and "four-digit year" in found[(2, "year")].expected
    assert found[(2, "value")].value == "٥"


def test_all_problems_are_collected_at_once(tmp_path):
    path = _write(tmp_path, HEADER + "A;2024;sick_leave_rate;5;%\n"
                  ";2024;;x;%\n"
                  "A;2024;sick_leave_rate;6;%\n"
                  "C;2024;sick_leave_rate;6;dagar\n")
    with pytest.raises(InputError) as exc:
        read_outcomes(path, known_units={2024: ["A", "B"]})
    found = _issues(exc)
    # (an indicator is a label with any letters: 'Sick leave' is fine; a blank
    # one is not)
    assert {(3, "unit"), (3, "indicator"), (3, "value"), (4, "indicator"), (5, "unit"),
            (5, "unit_of_measure")} <= set(found)
    assert "row 2" in found[(4, "indicator")].expected  # the duplicate points at the first row


def test_parse_number_refuses_ambiguous_separators():
    assert parse_number("1.234,5") is None and parse_number("−2,5") == -2.5


def test_store_replaces_same_year_and_indicator_only(tmp_path):
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    first = read_outcomes(_write(tmp_path, HEADER + "A;2024;sick_leave_rate;5;%\nB;2024;sick_leave_rate;6;%\n"
                                 "A;2024;staff_turnover;9;%\nA;2023;sick_leave_rate;4;%\n", "a.csv"))
    store_outcomes(con, first, "a.csv")
    second = read_outcomes(_write(tmp_path, HEADER + "A;2024;sick_leave_rate;7;%\n", "b.csv"))
    store_outcomes(con, second, "b.csv")
    out = load_outcomes_frame(con)
    # 2024 sick leave replaced (B gone), 2024 turnover and 2023 sick leave kept
    assert sorted(map(tuple, out[["year", "unit", "indicator", "value"]].values.tolist())) == [
        (2023, "A", "sick_leave_rate", 4.0), (2024, "A", "sick_leave_rate", 7.0),
        (2024, "A", "staff_turnover", 9.0)]
    only = load_outcomes_frame(con, years=[2024], indicators=["staff_turnover"])
    assert only["value"].tolist() == [9.0]


def test_failed_store_rolls_back(tmp_path):
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    good = read_outcomes(_write(tmp_path, HEADER + "A;2024;sick_leave_rate;5;%\n"))
    store_outcomes(con, good)
    bad = good.assign(value=[None], unit=["A"])  # NOT NULL violation after the DELETE
    with pytest.raises(duckdb.Error):
        store_outcomes(con, bad)
    assert load_outcomes_frame(con)["value"].tolist() == [5.0]


def test_load_before_any_ingest_is_empty(tmp_path):
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    assert load_outcomes_frame(con).columns.tolist() == ["year", "unit", "indicator", "value",
                                                         "unit_of_measure"]


def test_cli_ingest_outcomes_checks_units_against_the_stored_tree(tmp_path, capsys):
    db = tmp_path / "hme.duckdb"
    outcomes = synthetic_store(db, years=(2025,), n_units=3, per_unit=5)
    path = write_outcomes_csv(tmp_path / "outcomes.csv", outcomes)
    assert main(["ingest-outcomes", str(path), "--db", str(db)]) == 0
    with Store.open(db, read_only=True) as store:
        assert len(load_outcomes_frame(store.con, [2025])) == len(outcomes)
    bad = write_outcomes_csv(tmp_path / "bad.csv", outcomes.assign(unit="NOPE"))
    assert main(["ingest-outcomes", str(bad), "--db", str(db)]) == 2
    assert "unit code of the 2025 org tree" in capsys.readouterr().err
