"""Inputs that once ended in a traceback (exit 1) are one message and exit 2, the store
unchanged: a year DuckDB cannot hold or no survey has, `--out` naming a folder, an outputs
folder a command that writes nothing there cannot make, an xlsx cell beyond column XFD, an
xlsx with DTD entities."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from hme_core.cli import main
from hme_core.store.duckdb_store import Store
from tests.fixtures import build_store


def run(capsys, argv):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("store"))


@pytest.mark.parametrize("year", ["3000000000", "-5", "0", "99999"])
@pytest.mark.parametrize("command", [["score"], ["rescore"], ["reports"], ["publish", "--to", "x"]])
def test_a_year_no_survey_has_is_a_usage_error(capsys, db, year, command):
    code, text = run(capsys, [*command, "--year", year, "--db", str(db)]
                     if command[0] != "publish" else [*command, "--year", year])
    assert code == 2, text
    assert "Traceback" not in text and "--year" in text
    with Store.open(db, read_only=True) as store:
        assert store.years() == [2024, 2025]


def test_the_store_refuses_a_year_out_of_range_whoever_asks(db):
    from hme_core.errors import StoreError

    with Store.open(db, read_only=True) as store, pytest.raises(StoreError, match="1900 and 2200"):
        store.load_org(3_000_000_000)


def test_score_out_naming_a_folder_is_refused_before_any_work(capsys, db, tmp_path):
    folder = tmp_path / "scores.csv"
    folder.mkdir()
    code, text = run(capsys, ["score", "--year", "2025", "--db", str(db), "--out", str(folder)])
    assert code == 2, text
    assert "is a folder" in text and "Traceback" not in text
    assert list(folder.iterdir()) == []


def test_score_does_not_need_an_outputs_folder_it_cannot_make(capsys, db, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, text = run(capsys, ["--outputs", str(blocker / "sub"), "score", "--year", "2025",
                              "--db", str(db)])
    assert code == 0, text
    assert "a1" in text


def _xlsx(path: Path, sheet_xml) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["respondent_id", "unit", "hme1"])
    ws.append(["1", "a1", 3])
    base = path.with_name("base.xlsx")
    wb.save(base)
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml(data.decode()).encode()
            out.writestr(info, data)
    return path


def test_an_xlsx_cell_beyond_column_xfd_is_one_message(capsys, db, tmp_path):
    bad = _xlsx(tmp_path / "far.xlsx", lambda s: s.replace('r="C2"', 'r="AAAA2"'))
    code, text = run(capsys, ["validate", str(bad)])
    assert code == 2, text
    assert "beyond Excel's last column, XFD" in text and "Traceback" not in text


def test_an_xlsx_with_dtd_entities_is_refused_without_expanding_them(capsys, tmp_path):
    laughs = ('<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
              '<worksheet')
    bad = _xlsx(tmp_path / "dtd.xlsx", lambda s: s.replace("<worksheet", laughs, 1))
    code, text = run(capsys, ["validate", str(bad)])
    assert code == 2, text
    assert "declares a DTD" in text and "xl/worksheets/sheet1.xml" in text
    assert "Traceback" not in text


def test_a_5000_character_header_is_quoted_with_80_characters(capsys, tmp_path):
    bad = tmp_path / "long.csv"
    bad.write_text("respondent_id;unit;" + "x" * 5000 + "\n1;a1;3\n", encoding="utf-8")
    code, text = run(capsys, ["validate", str(bad)])
    assert code == 2, text
    assert "x" * 81 not in text and "… (5004 characters)" in text  # the quoted header, cut
