"""Read any tabular input file into a table of strings, with the row numbers a user sees.

A registry keyed by file suffix (papermill's `iorw` style): `READERS` maps `.csv`, `.txt`,
`.xlsx`, `.sav` and `.parquet` to a reader function; `register_reader` adds or replaces one.
Every reader returns a `RawTable`; `read_table` then applies the common rules: headers stripped,
duplicate headers refused, blank cells as `pd.NA`, fully blank rows dropped (their numbers kept
for the rows after them), and a file without data rows refused.

Swedish exports (docs/sources.md): `;` separator with decimal comma, UTF-8 with or without BOM or
cp1252; UTF-16/32 with a BOM (Excel's "Unicode text"). A stray BOM (U+FEFF) inside the text is
removed. Hostile input gets an `InputError`, never a traceback: files above `MAX_INPUT_BYTES`
are refused before reading (memory stays bounded), binary data, an unclosed quote and rows
that use another delimiter than the header are named with their row. Nothing is converted here
beyond "to text": parsing answers is `responses.py`'s job.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from hme_core.errors import InputError, InputIssue
from hme_core.inputs import bounds
from hme_core.inputs.text_files import DELIMITERS, decode, not_tabular, sniff_delimiter

STRING = pd.StringDtype()
#: Largest input file read (bytes): about 400,000 respondents with 60 columns. Cells are held
#: as Python strings (~60 bytes each), so this bounds memory to a few GB at worst.
MAX_INPUT_BYTES = 64 * 2**20


@dataclass(frozen=True)
class RawTable:
    """A file's cells as text.

    `frame` holds only `str` values or `pd.NA` (string dtype), with stripped, unique headers;
    `row_numbers[i]` is the row a user sees for `frame.iloc[i]`: header = row 1, so the first
    data row is 2 (the Excel row number for .xlsx; record index + 2 for .sav and .parquet).
    """

    frame: pd.DataFrame
    row_numbers: np.ndarray
    path: Path
    header_row: int = 1
    #: every sheet of a workbook read without naming one (the first was read); else empty
    sheets: tuple[str, ...] = ()

    def sheet_hint(self) -> str:
        """Where a workbook of several sheets was read by its first: a hint naming the others
        ('' otherwise), for messages that find no answers in it."""
        if len(self.sheets) < 2:
            return ""
        listed = ", ".join(f"'{n}'" for n in self.sheets)
        return (f" (this is the first of the workbook's sheets {listed}: name the sheet with "
                f"the answers, e.g. '{self.path}#{self.sheets[1]}')")

    @property
    def source(self) -> str:
        """The file as named in messages."""
        return str(self.path)

    def issue(self, row: int | None, column: str | None, value: object, expected: str) -> InputIssue:
        """An `InputIssue` located in this file (`row` as the user sees it)."""
        shown = None if value is None or value is pd.NA else str(value)
        return InputIssue(self.source, row, column, shown, expected)


Reader = Callable[[Path], RawTable]
READERS: dict[str, Reader] = {}


def register_reader(suffix: str, reader: Reader) -> None:
    """Register (or replace) the reader for a file suffix such as `.csv` (case-insensitive)."""
    if not suffix.startswith("."):
        raise ValueError(f"suffix must start with '.', got {suffix!r}")
    READERS[suffix.lower()] = reader


def split_sheet(path: str | Path) -> tuple[Path, str | None]:
    """`book.xlsx#Svar` -> (book.xlsx, 'Svar'); a path without '#SHEET' -> (path, None).

    >>> split_sheet("data/enkät.xlsx#2")
    (PosixPath('data/enkät.xlsx'), '2')
    """
    text = str(path)
    if "#" in text and not Path(text).exists():
        base, sheet = text.rsplit("#", 1)
        if Path(base).suffix.lower() in (".xlsx", ".xls") and sheet.strip():
            return Path(base), sheet.strip()
    return Path(text), None


def read_table(path: str | Path) -> RawTable:
    """Read `path` with the reader registered for its suffix; raise `InputError` if unusable.

    A spreadsheet's sheet is chosen with `PATH.xlsx#SHEET` (a name, or a 1-based number);
    without it the first sheet is read.
    """
    path, sheet = split_sheet(path)
    if sheet is not None:
        if not path.is_file():
            raise InputError(InputIssue(str(path), None, None, None, "an existing file"))
        reader = read_xlsx if path.suffix.lower() == ".xlsx" else read_xls
        return _finish(reader(path, sheet))
    suffix = path.suffix.lower()
    if suffix not in READERS:
        allowed = ", ".join(sorted(READERS))
        raise InputError(InputIssue(str(path), None, None, path.suffix or "(no suffix)",
                                    f"a file ending in one of {allowed}"))
    if not path.is_file():
        raise InputError(InputIssue(str(path), None, None, None, "an existing file"))
    size = path.stat().st_size
    if size == 0:
        raise InputError(InputIssue(str(path), None, None, None,
                                    "a table with a header row and data rows (the file is empty)"))
    if size > MAX_INPUT_BYTES:
        raise InputError(InputIssue(
            str(path), None, None, f"{size / 2**20:.0f} MB",
            f"a file of at most {MAX_INPUT_BYTES // 2**20} MB; split it (e.g. by organisation)"))
    return _finish(READERS[suffix](path))


# --------------------------------------------------------------------------- common rules


def _finish(table: RawTable) -> RawTable:
    """Strip headers, refuse duplicates, blank -> NA, drop blank rows, refuse no data rows."""
    bounds._check_width(table.path, table.frame.shape[1])
    frame = table.frame
    headers = [_header_text(h, i) for i, h in enumerate(frame.columns)]
    seen: dict[str, str] = {}
    issues = []
    for h in headers:
        key = h.casefold()
        if key in seen:
            issues.append(table.issue(table.header_row, h, None,
                                      f"unique column headers (same as column '{seen[key]}')"))
        seen.setdefault(key, h)
    if issues:
        raise InputError(issues)
    # one new frame from all columns at once: assigning column by column is quadratic in the
    # number of columns (10^5 columns took minutes)
    columns = [frame.iloc[:, j].astype(STRING) for j in range(frame.shape[1])]
    frame = pd.DataFrame({j: c.mask(c.str.strip() == "") for j, c in enumerate(columns)},
                         index=frame.index).set_axis(headers, axis=1)
    keep = frame.notna().any(axis=1).to_numpy()
    frame = frame.loc[keep].reset_index(drop=True)
    rows = np.asarray(table.row_numbers, dtype=np.int64)[keep]
    if frame.empty or not len(frame.columns):
        raise InputError(table.issue(None, None, None,
                                     "a table with a header row and data rows (found no data rows)"))
    return RawTable(frame, rows, table.path, table.header_row, table.sheets)


def _header_text(header: object, position: int) -> str:
    text = "" if header is None or (isinstance(header, float) and math.isnan(header)) else str(header)
    return text.strip() or f"(column {position + 1} without header)"


def _cell_text(value: object) -> object:
    """One cell as text: whole floats without '.0' (Excel's 5.0 is '5'), None/NaN as NA."""
    if value is None:
        return pd.NA
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if math.isnan(value):
            return pd.NA
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _column_text(series: pd.Series) -> pd.Series:
    """A typed column (numbers, categories, dates) as text, formatting each distinct value once."""
    if isinstance(series.dtype, pd.StringDtype) or (
        series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")
    ):
        return series.astype(STRING)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    texts = np.array([_cell_text(v) for v in np.asarray(uniques, dtype=object)] + [pd.NA],
                     dtype=object)
    return pd.Series(texts[codes], index=series.index, dtype=STRING)


def _frame_text(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({i: _column_text(frame[c]) for i, c in enumerate(frame.columns)}).set_axis(
        list(frame.columns), axis=1)


def _records_to_table(records: Iterable[tuple], path: Path) -> RawTable:
    """Rows of cell values (row 1 first) -> RawTable; the first non-blank row is the header."""
    header: list | None = None
    header_row = 0
    data: list[list] = []
    rows: list[int] = []
    for number, record in enumerate(records, start=1):
        cells = list(record)
        if header is None:
            if any(c is not None and str(c).strip() for c in cells):
                header, header_row = cells, number
            continue
        data.append(cells)
        rows.append(number)
    if header is None:
        raise InputError(InputIssue(str(path), None, None, None,
                                    "a header row and data rows (the sheet is empty)"))
    width = max([len(header), *(len(r) for r in data)])
    header = header + [None] * (width - len(header))
    columns = [[_cell_text(r[j]) if j < len(r) else pd.NA for r in data] for j in range(width)]
    frame = pd.DataFrame({j: pd.Series(col, dtype=STRING) for j, col in enumerate(columns)})
    # Trailing columns with neither header nor data (formatting only) are not columns.
    used = [j for j in range(width) if header[j] is not None or frame[j].notna().any()]
    frame = frame[used].set_axis([header[j] for j in used], axis=1)
    return RawTable(frame, np.asarray(rows, dtype=np.int64), path, header_row)


# --------------------------------------------------------------------------- CSV / text


def read_delimited(path: Path) -> RawTable:
    """CSV/TXT: encoding and delimiter detected; every cell read as text.

    Row numbers count physical records (blank lines included) so they match what a
    spreadsheet shows; the header is the first row.
    """
    text, encoding = decode(path, path.read_bytes())
    delim = sniff_delimiter(text)
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    bounds._check_width(path, header_line.count(delim or ",") + 1)
    bounds._check_rows(path, text.count("\n") - 1)
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=delim or ",", header=None, dtype=str, keep_default_na=False,
            na_filter=False, skip_blank_lines=False, engine="c",
        )
    except pd.errors.EmptyDataError as exc:
        raise InputError(InputIssue(str(path), None, None, None,
                                    "a header row and data rows (the file is empty)")) from exc
    except (pd.errors.ParserError, ValueError) as exc:
        raise _parser_error(path, str(exc), delim, encoding) from exc
    _check_short_rows(path, frame, delim)
    filled = frame.fillna("").ne("").any(axis=1).to_numpy()
    if not filled.any():
        raise InputError(InputIssue(str(path), None, None, None,
                                    "a header row and data rows (the file is blank)"))
    first = int(np.argmax(filled))  # leading blank lines come before the header
    header = list(frame.iloc[first])
    body = frame.iloc[first + 1:].reset_index(drop=True).set_axis(header, axis=1)
    rows = np.arange(first + 2, first + 2 + len(body), dtype=np.int64)
    return RawTable(body, rows, path, first + 1)


def _parser_error(path: Path, message: str, delim: str | None, encoding: str) -> InputError:
    """The C parser's complaint as an issue a user can act on (row numbers are 1-based)."""
    quote = re.search(r"EOF inside string starting at row (\d+)", message)
    if quote:
        row = int(quote.group(1)) + 1
        return InputError(InputIssue(str(path), row, None, None,
                                     "a closing quote (\") for the quoted cell that starts on this "
                                     "row; the quote is never closed"))
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if fields:
        want, row, got = map(int, fields.groups())
        return InputError(InputIssue(str(path), row, None, f"{got} cells",
                                     f"{want} cells separated by {delim!r} like the first row"))
    return InputError(InputIssue(str(path), None, None, None,
                                 f"the same number of columns on every row (delimiter "
                                 f"{delim or 'none'!r}, {encoding}): {message.strip()}"))


def _check_short_rows(path: Path, frame: pd.DataFrame, delim: str | None) -> None:
    """Rows whose first cell holds another delimiter and whose last cell is empty (a row
    written with ',' in a ';' file: the parser pads it with blanks) are refused."""
    if frame.shape[1] < 2 or delim is None:
        return
    others = "|".join(re.escape(d) for d in DELIMITERS if d != delim)
    first = frame.iloc[:, 0].fillna("").astype(str)
    padded = frame.iloc[:, -1].fillna("").eq("").to_numpy()
    mixed = np.flatnonzero(padded & first.str.contains(others).to_numpy())
    if len(mixed):
        raise InputError([
            InputIssue(str(path), int(i) + 1, None, str(first.iat[i])[:60],
                       f"cells separated by {delim!r} like the header row (this row uses "
                       f"another delimiter)") for i in mixed[:20]])


# --------------------------------------------------------------------------- Excel


def _pick_sheet(path: Path, names: list[str], sheet: str | None) -> int:
    """Index of `sheet` (a name, case-insensitive, or a 1-based number); 0 when None."""
    if sheet is None:
        return 0
    by_name = {n.strip().casefold(): i for i, n in enumerate(names)}
    if sheet.casefold() in by_name:
        return by_name[sheet.casefold()]
    if sheet.isdigit() and 1 <= int(sheet) <= len(names):
        return int(sheet) - 1
    listed = ", ".join(f"'{n}'" for n in names)
    raise InputError(InputIssue(f"{path}#{sheet}", None, None, sheet,
                                f"a sheet name or number 1–{len(names)} of the workbook "
                                f"(sheets: {listed}), e.g. {path.name}#1"))


def read_xls(path: Path, sheet: str | None = None) -> RawTable:
    """Old Excel .xls via xlrd (first sheet, or `sheet`); row numbers are Excel's."""
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except (xlrd.XLRDError, OSError, ValueError, AssertionError) as exc:
        raise not_tabular(path, "an Excel .xls workbook", f"the file is not one ({exc})") from exc
    try:
        names = book.sheet_names()
        ws = book.sheet_by_index(_pick_sheet(path, names, sheet))
        records = (ws.row_values(r) for r in range(ws.nrows))
        table = _records_to_table(records, path)
    finally:
        book.release_resources()
    return RawTable(table.frame.replace("", pd.NA), table.row_numbers, table.path,
                    table.header_row, tuple(names) if sheet is None else ())


def read_xlsx(path: Path, sheet: str | None = None) -> RawTable:
    """An .xlsx workbook's first sheet (or `sheet`) via openpyxl; row numbers are Excel's.

    Refused with one message each, never a traceback: a workbook whose XML declares a DTD
    (`<!DOCTYPE`, which Excel never writes; entity expansion is the "billion laughs" attack and
    openpyxl refuses it through defusedxml) and a cell beyond Excel's last column, XFD."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    bounds._check_xlsx_size(path)
    _refuse_dtd(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise not_tabular(path, "an Excel .xlsx workbook",
                           f"the file is not one ({type(exc).__name__})") from exc
    except ValueError as exc:  # openpyxl's wrapper of XML it cannot or will not parse
        raise not_tabular(path, "an Excel .xlsx workbook",
                          "its XML cannot be read; save it again from Excel or export the "
                          "sheet to CSV") from exc
    try:
        ws = workbook.worksheets[_pick_sheet(path, workbook.sheetnames, sheet)]
        ws.reset_dimensions()  # some writers store wrong dimensions; read every row
        table = _records_to_table(bounds._bounded(ws.iter_rows(values_only=True), path), path)
        return replace(table, sheets=tuple(workbook.sheetnames) if sheet is None else ())
    except ValueError as exc:  # a cell reference openpyxl cannot place (beyond column ZZZ)
        raise not_tabular(path, "an Excel .xlsx workbook",
                          f"a cell lies beyond Excel's last column, {XLSX_LAST_COLUMN} "
                          f"({_short(exc)}); save the sheet again from Excel or export it to "
                          "CSV") from exc
    finally:
        workbook.close()


#: Excel's last column (16,384 columns); cells beyond it are no Excel file's.
XLSX_LAST_COLUMN = "XFD"


def _short(exc: BaseException, limit: int = 80) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _refuse_dtd(path: Path) -> None:
    """Refuse a workbook any of whose XML parts declares a DTD (read from each part's start)."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.filename.endswith((".xml", ".rels")):
                    continue
                with archive.open(info) as part:
                    head = part.read(4096)
                if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                    raise not_tabular(
                        path, "an Excel .xlsx workbook",
                        f"its part {info.filename} declares a DTD (<!DOCTYPE …>), which Excel "
                        "never writes and hme does not read (entities can expand without "
                        "bound); save the sheet again from Excel or export it to CSV")
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return  # load_workbook names the problem


# --------------------------------------------------------------------------- SPSS, Parquet


#: Variable labels of the last .sav files read ({path: {column: label}}); `columns.py` matches
#: short names such as F1 by their label (the statement text).
SAV_LABELS: dict[str, dict[str, str]] = {}


def variable_labels(table: RawTable) -> dict[str, str]:
    """{column: SPSS variable label} of a table read from .sav ({} for other files)."""
    return SAV_LABELS.get(str(table.path), {})


def read_sav(path: Path) -> RawTable:
    """SPSS .sav via pyreadstat with value labels applied (labelled codes become labels);
    variable labels are kept (`variable_labels`)."""
    import pyreadstat

    try:
        _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    except Exception as exc:  # pyreadstat raises its own ReadstatError/PyreadstatError
        raise not_tabular(path, "an SPSS .sav file", f"the file is not one ({exc})") from exc
    bounds._check_rows(path, int(meta.number_rows or 0))
    bounds._check_width(path, int(meta.number_columns or 0))
    try:
        frame, _meta = pyreadstat.read_sav(str(path), apply_value_formats=True,
                                           formats_as_category=False)
    except Exception as exc:  # pyreadstat raises its own ReadstatError/PyreadstatError
        raise not_tabular(path, "an SPSS .sav file", f"the file is not one ({exc})") from exc
    SAV_LABELS[str(path)] = {name: label for name, label in
                             zip(_meta.column_names, _meta.column_labels or [], strict=False)
                             if label}
    return RawTable(_frame_text(frame), np.arange(2, len(frame) + 2, dtype=np.int64), path)


def read_parquet(path: Path) -> RawTable:
    """Parquet via pyarrow; numbers and dates turned into text."""
    import pyarrow
    import pyarrow.parquet

    try:
        meta = pyarrow.parquet.ParquetFile(path).metadata
        bounds._check_rows(path, meta.num_rows)
        bounds._check_width(path, meta.num_columns)
        frame = pd.read_parquet(path, engine="pyarrow")
    except (pyarrow.ArrowException, OSError, ValueError) as exc:
        raise not_tabular(path, "a Parquet file", f"the file is not one ({exc})") from exc
    return RawTable(_frame_text(frame), np.arange(2, len(frame) + 2, dtype=np.int64), path)


for _suffix, _reader in {".csv": read_delimited, ".txt": read_delimited, ".xlsx": read_xlsx,
                         ".xls": read_xls, ".sav": read_sav, ".parquet": read_parquet}.items():
    register_reader(_suffix, _reader)
