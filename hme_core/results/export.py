"""Writing tables to files: CSV (`,` and `.`, UTF-8), Excel and Parquet, written atomically.

CSV and Excel are opened in spreadsheets, which run a cell starting with `=`, `+`, `-` or `@`
(and, in some, tab or carriage return) as a formula: `=HYPERLINK("http://x","y")` in a unit
name would become a live link. Following OWASP's "CSV Injection" advice, such TEXT cells are
written with a leading single quote (`'=HYPERLINK(...)`), which spreadsheets show as text.
Numeric columns are never touched, so negative numbers stay numbers; a text cell that is a plain
number (`"-3"`, `"+4,5"`) is left as it is, since it cannot be a formula and quoting would change
a legitimate value. Parquet is not opened by spreadsheets and is written unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from hme_core.atomic import atomic_path
from hme_core.errors import HMEError

Writer = Callable[[pd.DataFrame, Path], None]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?", re.ASCII)


def neutralise_text(value: object) -> object:
    """One cell: a string that a spreadsheet would run as a formula gets a leading `'`.

    >>> [neutralise_text(v) for v in ['=1+1', '@SUM(A1)', '-3', 'Avd 1', -3]]
    ["'=1+1", "'@SUM(A1)", '-3', 'Avd 1', -3]
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        if not _PLAIN_NUMBER.fullmatch(value):
            return "'" + value
    return value


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose text cells and headers cannot run as spreadsheet formulas.

    Only text columns (object, string, category) are looked at; numbers keep their dtype.
    """
    out = df.copy()
    for i in range(df.shape[1]):
        series = df.iloc[:, i]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        if series.dtype == object or isinstance(series.dtype, pd.StringDtype):
            out.isetitem(i, series.map(neutralise_text, na_action="ignore").astype(series.dtype))
    out.columns = [neutralise_text(c) for c in df.columns]
    return out


def _csv(df: pd.DataFrame, path: Path) -> None:
    neutralise_formulas(df).to_csv(path, index=False, sep=",", decimal=".", encoding="utf-8")


def _xlsx(df: pd.DataFrame, path: Path) -> None:
    neutralise_formulas(df).to_excel(path, index=False, engine="openpyxl")


def _parquet(df: pd.DataFrame, path: Path) -> None:
    df.to_parquet(path, index=False)


WRITERS: dict[str, Writer] = {".csv": _csv, ".xlsx": _xlsx, ".parquet": _parquet}


def write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write `df` by the file's suffix; a temporary file is renamed into place when complete."""
    path = Path(path)
    writer = WRITERS.get(path.suffix.lower())
    if writer is None:
        raise HMEError(f"{path}: unsupported output format, expected one of {sorted(WRITERS)}")
    with atomic_path(path) as tmp:
        writer(df, tmp)
    return path
