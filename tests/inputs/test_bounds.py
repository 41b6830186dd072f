"""Input bounds: absurdly wide files are refused quickly with a clear message."""

from __future__ import annotations

import time

import pytest

from hme_core.errors import InputError
from hme_core.inputs import bounds
from hme_core.inputs.bounds import MAX_COLUMNS
from hme_core.inputs.readers import read_table


def test_a_csv_with_a_million_columns_is_refused_in_seconds(tmp_path):
    path = tmp_path / "wide.csv"
    n = 1_000_000
    path.write_text(";".join(f"c{i}" for i in range(n)) + "\n" + ";".join(["1"] * n) + "\n")
    t0 = time.perf_counter()
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert time.perf_counter() - t0 < 20  # was > 600 s
    assert f"at most {MAX_COLUMNS:,} columns (found 1,000,000" in str(exc.value)


def test_a_wide_but_allowed_file_is_read_in_linear_time(tmp_path):
    def seconds(n: int) -> float:
        path = tmp_path / f"w{n}.csv"
        path.write_text(";".join(f"c{i}" for i in range(n)) + "\n" + ";".join(["1"] * n) + "\n")
        t0 = time.perf_counter()
        table = read_table(path)
        assert table.frame.shape == (1, n)
        return time.perf_counter() - t0

    small, large = seconds(500), seconds(4000)
    assert large < 8 * small * 3 + 1  # 8x the columns: about 8x the time, never 64x


def test_a_60_mb_cell_is_named_by_its_length_not_echoed(tmp_path):
    path = tmp_path / "org.csv"
    path.write_text("unit;name;parent\nR;Region;\n/" + "x" * 60_000_000 + ";Avd;R\n",
                    encoding="utf-8")
    from hme_core.inputs.orgtrees import load_org_tree

    with pytest.raises(InputError) as exc:
        load_org_tree(path)
    assert len(str(exc.value)) < 400  # was 60,000,216 characters
    assert "row 3, column 'unit'" in str(exc.value) and "(60000001 characters)" in str(exc.value)


def test_a_parquet_file_with_too_many_rows_is_refused_from_its_metadata(tmp_path, monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from hme_core.inputs import readers

    monkeypatch.setattr(bounds, "MAX_ROWS", 1000)
    path = tmp_path / "r.parquet"
    # 30,000 identical rows compress to a few KB (the attack used 30,000,000)
    pq.write_table(pa.table({"unit": ["a1"] * 30_000, "hme1": [3] * 30_000}), path)
    assert path.stat().st_size < 20_000
    read = []
    monkeypatch.setattr(readers.pd, "read_parquet", lambda *a, **k: read.append(1))
    with pytest.raises(InputError, match="at most 1,000 respondent rows \\(found 30,000\\)"):
        read_table(path)
    assert read == []  # refused before expanding


def test_an_xlsx_that_expands_too_far_is_refused_before_opening(tmp_path, monkeypatch):
    from openpyxl import Workbook


    wb = Workbook()
    ws = wb.active
    ws.append(["unit", "hme1"])
    for _ in range(3000):
        ws.append(["a1", 3])
    path = tmp_path / "r.xlsx"
    wb.save(path)
    monkeypatch.setattr(bounds, "MAX_XLSX_UNCOMPRESSED", 10_000)
    with pytest.raises(InputError, match="uncompressed"):
        read_table(path)
    monkeypatch.setattr(bounds, "MAX_XLSX_UNCOMPRESSED", 10**9)
    monkeypatch.setattr(bounds, "MAX_ROWS", 1000)  # streamed rows are counted as well
    with pytest.raises(InputError, match="at most 1,000 respondent rows"):
        read_table(path)


def test_a_csv_with_too_many_rows_is_refused(tmp_path, monkeypatch):

    monkeypatch.setattr(bounds, "MAX_ROWS", 10)
    path = tmp_path / "r.csv"
    path.write_text("unit;hme1\n" + "a1;3\n" * 11, encoding="utf-8")
    with pytest.raises(InputError, match="found 11"):
        read_table(path)
    path.write_text("unit;hme1\n" + "a1;3\n" * 10, encoding="utf-8")
    assert len(read_table(path).frame) == 10
