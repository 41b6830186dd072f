"""Size bounds every input format is held to, checked from the file's own metadata before it
is expanded (row counts, xlsx uncompressed sizes) and while streaming: files made by mistake or
on purpose to exhaust memory or time are refused with a clear message."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from hme_core.errors import InputError, InputIssue

#: A survey export has a few hundred columns; far more is a wrong file or an attack (a CSV with
#: 10^6 columns kept validation busy for minutes), refused before the per-column work.
MAX_COLUMNS = 5000


#: Respondents per file: the largest Swedish employer has well under 10^6 employees. A 374 KB
#: xlsx or a 215 KB Parquet file can expand to millions of rows, so the bound is checked from
#: the file's own metadata (Parquet/SPSS row counts, xlsx uncompressed sizes) before expanding.
MAX_ROWS = 1_000_000
#: Uncompressed size of all parts of an .xlsx (the sheet XML of 10^6 rows x 60 columns of
#: answer codes is about 400 MB).
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024


def _check_rows(path: Path, rows: int) -> None:
    if rows > MAX_ROWS:
        raise InputError(InputIssue(
            str(path), None, None, None,
            f"at most {MAX_ROWS:,} respondent rows (found {rows:,}); split the file by year "
            "or check that it is the survey export"))


def _check_width(path: Path, columns: int) -> None:
    if columns > MAX_COLUMNS:
        raise InputError(InputIssue(
            str(path), None, None, None,
            f"at most {MAX_COLUMNS:,} columns (found {columns:,}); is this the survey export?"))


def _check_xlsx_size(path: Path) -> None:
    """Refuse an .xlsx whose parts expand beyond `MAX_XLSX_UNCOMPRESSED` (a zip bomb)."""
    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # load_workbook names the problem
    if size > MAX_XLSX_UNCOMPRESSED:
        raise InputError(InputIssue(
            str(path), None, None, None,
            f"a workbook of at most {MAX_XLSX_UNCOMPRESSED // 2**20:,} MB uncompressed (this one "
            f"expands to {size / 2**20:,.0f} MB); save only the survey sheet, or export to CSV"))


def _bounded(records: Iterable[tuple], path: Path) -> Iterator[tuple]:
    """The sheet's rows, refusing more than `MAX_ROWS` data rows and `MAX_COLUMNS` columns
    while streaming (dimensions stored in the file cannot be trusted)."""
    for number, record in enumerate(records, start=1):
        if number > MAX_ROWS + 1:
            _check_rows(path, number - 1)
        if len(record) > MAX_COLUMNS:
            _check_width(path, len(record))
        yield record
