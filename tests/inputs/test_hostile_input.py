"""Hostile and broken input: a clear error (file, row, column, value, expected) or a correct
read; never a traceback, a hang or a half-written database.

The corpus is `tests/data/bad/` (small committed files); the 200 MB file and the large file of
the kill test are generated in tmp at test time and never committed.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from hme_core.cli import main
from hme_core.config import Settings
from hme_core.errors import HMEError
from hme_core.inputs.readers import MAX_INPUT_BYTES
from hme_core.inputs.responses import load_responses
from hme_core.instruments import load_instruments
from hme_core.results.pipeline import ingest_files

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
ITEMS = ";".join(f"hme{i}" for i in range(1, 10))

# file -> (role of the file, expected): "ok" (read correctly, see READ_AS) or the text the one
# error message must contain besides the file's name.
CORPUS: dict[str, tuple[str, str]] = {
    "utf16_bom.csv": ("responses", "ok"),                 # Excel "Unicode text"
    "latin1_invalid_utf8.csv": ("responses", "ok"),       # cp1252 fallback
    "bom_in_middle.csv": ("responses", "ok"),             # stray U+FEFF removed
    "lookalike_digits_fullwidth.csv": ("responses", "ok"),  # NFKC: '５' -> 5
    "lookalike_digits_arabic.csv": ("responses", "row 2, column 'hme1': got '٥'"),
    "mixed_delimiters.csv": ("responses", "row 3: got 'a1,Man,3,3'"),
    "formula_in_answer.csv": ("responses", "row 2, column 'hme1': got '=HYPERLINK"),
    "formula_unit_code.csv": ("responses", "row 2, column 'unit': got '=HYPERLINK"),
    "huge_numbers.csv": ("responses", "column 'hme2': got '99999999999999999999'"),
    "duplicate_columns.csv": ("responses", "unique column headers"),
    "path_separator_units.csv": ("responses", "row 2, column 'unit': got '../x'"),
    "nul_bytes.csv": ("responses", "binary data"),
    "binary.csv": ("responses", "binary data"),
    "unclosed_quote.csv": ("responses", "row 3: expected a closing quote"),
    "empty.csv": ("responses", "the file is empty"),
    "header_only.csv": ("responses", "found no data rows"),
    "blank_lines_only.csv": ("responses", "the file is empty"),
    "unsupported_suffix.json": ("responses", "got '.json'"),
    "empty_sheet.xlsx": ("responses", "the sheet is empty"),
    "two_header_rows.xlsx": ("responses", "row 2 looks like the header row"),
    "truncated.xlsx": ("responses", "expected an Excel .xlsx workbook"),
    "org_self_parent.csv": ("org", "not the cycle A → A"),
    "org_path_separator.csv": ("org", "row 3, column 'unit': got '../x'"),
    "headcount_scientific.csv": ("headcount", "got '1e3'"),
    "headcount_huge.csv": ("headcount", "got '99999999999999999999'"),
}
READ_AS = {  # what the files that are read correctly hold (column: values)
    "utf16_bom.csv": {"unit": ["a1", "a1", "a2"], "sex": ["kvinna", "man", "kvinna"],
                      "hme3": [3, 4, 4]},
    "latin1_invalid_utf8.csv": {"unit": ["Åby", "Öster"], "hme1": [4, 5]},
    "bom_in_middle.csv": {"sex": ["kvinna", "man"], "hme1": [4, 5]},
    "lookalike_digits_fullwidth.csv": {"hme1": [5, 3], "hme2": [4, 2]},
}


def test_the_corpus_is_complete():
    files = {p.name for p in BAD.iterdir() if p.is_file()}
    assert files == set(CORPUS) and len(files) >= 20
    assert all(p.stat().st_size < 10_000 for p in BAD.iterdir())


@pytest.fixture
def good(tmp_path) -> dict[str, Path]:
    """Valid inputs to pair with a bad file of another role."""
    org = tmp_path / "org.csv"
    org.write_text("unit;name;parent\nR;Region;\na1;Avd 1;R\na2;Avd 2;R\n", encoding="utf-8")
    responses = tmp_path / "responses.csv"
    rows = [f"{'a1' if i % 2 else 'a2'};{i % 5 + 1};" + ";".join(["4"] * 8) for i in range(12)]
    responses.write_text(f"unit;{ITEMS}\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return {"org": org, "responses": responses}


def _validate_args(name: str, good: dict[str, Path]) -> list[str]:
    role, _ = CORPUS[name]
    bad = str(BAD / name)
    if role == "responses":
        return ["validate", bad]
    flag = "--org" if role == "org" else "--headcount"
    return ["validate", str(good["responses"]), flag, bad]


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_validate_gives_one_clear_message_or_reads_correctly(name, good, capsys):
    expected = CORPUS[name][1]
    code = main(_validate_args(name, good))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if expected == "ok":
        assert code == 0, err
        got = load_responses(BAD / name, load_instruments(), Settings())
        for column, values in READ_AS[name].items():
            assert got[column].tolist() == values
    else:
        assert code == 2 and f"{name}" in err and expected in err, err


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> tuple[Path, dict[str, Path]]:
    """A database holding 2024, and the good files it was made from."""
    folder = tmp_path_factory.mktemp("store")
    org = folder / "org.csv"
    org.write_text("unit;name;parent\nR;Region;\na1;Avd 1;R\na2;Avd 2;R\n", encoding="utf-8")
    responses = folder / "responses.csv"
    rows = [f"{'a1' if i % 2 else 'a2'};" + ";".join([str(i % 5 + 1)] * 9) for i in range(14)]
    responses.write_text(f"unit;{ITEMS}\n" + "\n".join(rows) + "\n", encoding="utf-8")
    db = folder / "hme.duckdb"
    ingest_files(db, responses, 2024, org)
    return db, {"org": org, "responses": responses}


def _content(db: Path, like: dict | None = None, skip_year: int | None = None) -> dict:
    """{table: (columns, sorted rows)}; with `like`, only its tables and columns (a later
    year may add item columns), and without the rows of `skip_year` (and the tables without
    a year column, which a committed `skip_year` changes)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = list(like) if like else [r[0] for r in con.execute("SHOW TABLES").fetchall()]
        out = {}
        for t in tables:
            cols = like[t][0] if like else [c for c in con.execute(
                f"SELECT * FROM {t} LIMIT 0").df().columns if c != "ingested_at"]
            if skip_year and "year" not in cols:  # e.g. the store's version, raised by 2025
                continue
            where = f" WHERE year <> {skip_year}" if skip_year else ""
            quoted = ", ".join(f'"{c}"' for c in cols)
            rows = con.execute(f"SELECT {quoted} FROM {t}{where}").fetchall()
            out[t] = (cols, sorted(map(repr, rows)))
        return out
    finally:
        con.close()


@pytest.mark.parametrize("name", sorted(n for n, (_, e) in CORPUS.items() if e != "ok"))
def test_a_failed_ingest_leaves_the_database_as_it_was(name, stored):
    db, good = stored
    before = _content(db)
    role = CORPUS[name][0]
    paths = {**good, role: BAD / name}
    with pytest.raises(HMEError):
        ingest_files(db, paths["responses"], 2025, paths["org"],
                     BAD / name if role == "headcount" else None)
    assert _content(db) == before


@pytest.mark.slow
def test_a_200_mb_file_is_refused_quickly_without_reading_it(tmp_path, capsys):
    big = tmp_path / "huge.csv"
    line = ("a1;" + ";".join(["4"] * 9) + "\n").encode()
    block = line * (2**20 // len(line) + 1)
    with big.open("wb") as f:
        f.write(f"unit;{ITEMS}\n".encode())
        while f.tell() < 200 * 2**20:
            f.write(block)
    assert big.stat().st_size > MAX_INPUT_BYTES
    t0 = time.perf_counter()
    code = main(["validate", str(big)])
    err = capsys.readouterr().err
    assert code == 2 and "huge.csv" in err and f"at most {MAX_INPUT_BYTES // 2**20} MB" in err
    assert time.perf_counter() - t0 < 5


def _large_responses(path: Path, n: int) -> None:
    rng = random.Random(1)
    units = ["a1", "a2"]
    with path.open("w", encoding="utf-8") as f:
        f.write(f"unit;sex;{ITEMS};enps\n")
        for i in range(n):
            answers = ";".join(str(rng.randint(1, 5)) for _ in range(9))
            f.write(f"{units[i % 2]};{'Kvinna' if i % 3 else 'Man'};{answers};{rng.randint(0, 10)}\n")


@pytest.mark.parametrize("kill_at", ["wal", 1.5])
def test_killing_an_ingest_midway_never_leaves_a_partial_year(stored, tmp_path, kill_at):
    # SIGKILL when the write-ahead log appears (the commit is being written), or after a
    # fixed time (reading, scoring or inside the open transaction): either way the database
    # reopens with everything it held, and 2025 is absent or complete.
    db0, good = stored
    db = tmp_path / "hme.duckdb"
    db.write_bytes(db0.read_bytes())
    before = _content(db)
    big = tmp_path / "big.csv"
    _large_responses(big, 300_000)
    hme = Path(sys.executable).with_name("hme")
    proc = subprocess.Popen([str(hme), "ingest", str(big), "--year", "2025", "--org",
                             str(good["org"]), "--db", str(db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wal = Path(str(db) + ".wal")
    deadline = time.monotonic() + (120 if kill_at == "wal" else kill_at)
    while proc.poll() is None and time.monotonic() < deadline:
        if kill_at == "wal" and wal.exists():
            break
        time.sleep(0.005)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    yearly = {t: v for t, v in before.items() if "year" in v[0]}
    assert _content(db, like=before, skip_year=2025) == yearly  # everything before intact
    con = duckdb.connect(str(db), read_only=True)
    try:
        years = [r[0] for r in con.execute("SELECT year FROM ingests ORDER BY year").fetchall()]
        n2025 = con.execute("SELECT count(*) FROM responses WHERE year = 2025").fetchone()[0]
        units = con.execute("SELECT count(*) FROM org_units WHERE year = 2025").fetchone()[0]
    finally:
        con.close()
    assert years in ([2024], [2024, 2025])
    assert (n2025, units) == ((300_000, 3) if 2025 in years else (0, 0))


def test_kill_test_input_is_well_formed(tmp_path):
    # the generator of the kill test writes a file `hme validate` accepts (small version)
    path = tmp_path / "big.csv"
    _large_responses(path, 50)
    assert main(["validate", str(path)]) == 0
    assert len(pd.read_csv(path, sep=";")) == 50
