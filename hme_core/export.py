"""Writing tables to files: CSV (`,` and `.`, UTF-8), Excel and Parquet, written atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .errors import HMEError

Writer = Callable[[pd.DataFrame, Path], None]


def _csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, sep=",", decimal=".", encoding="utf-8")


def _xlsx(df: pd.DataFrame, path: Path) -> None:
    df.to_excel(path, index=False, engine="openpyxl")


def _parquet(df: pd.DataFrame, path: Path) -> None:
    df.to_parquet(path, index=False)


WRITERS: dict[str, Writer] = {".csv": _csv, ".xlsx": _xlsx, ".parquet": _parquet}


def register_writer(suffix: str, writer: Writer) -> None:
    WRITERS[suffix.lower()] = writer


def write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write `df` by the file's suffix; a temporary file is renamed into place when complete."""
    path = Path(path)
    writer = WRITERS.get(path.suffix.lower())
    if writer is None:
        raise HMEError(f"{path}: unsupported output format, expected one of {sorted(WRITERS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        writer(df, Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
