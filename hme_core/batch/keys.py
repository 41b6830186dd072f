"""Fingerprints that decide whether a report (or a year's results) must be made again.

A unit report's key covers everything that changes it: the notebook, hme_core's code and
version, params (config, instruments, column map, targets), the report language and formats,
the stored results of the unit and of every unit it is compared with (its ancestors, its
earlier years), its own narrative this year and last year (follow-up of actions), and its
children's narratives (their escalations appear in its report). Nothing else of `params/
narratives/` enters it (not whether a year's folder exists), so editing one narrative of any
year re-renders only that unit and its parent. Results of a year are
recomputed only when params or code changed since they were stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from hme_core.fingerprints import _digest, files_digest
from hme_core.paths import params_dir
from hme_core.store.duckdb_store import RESULT_TABLES
from hme_core.unit_files import lang_suffix, narrative_path

KEY_FILE = ".cache-key"


def key_file_name(lang: str) -> str:
    """Each language keeps its own key: `.cache-key` (Swedish), `.cache-key.en`, ...

    >>> key_file_name("sv"), key_file_name("en")
    ('.cache-key', '.cache-key.en')
    """
    return KEY_FILE + lang_suffix(lang)


def data_fingerprints(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """{unit: digest of all its rows in the given result tables} (tables of one year).

    Vectorised: one 64-bit hash per row (`pandas.util.hash_pandas_object`), mixed with the
    row's position within its unit and summed per unit.
    """
    per_unit: dict[str, list[str]] = {}
    for name in RESULT_TABLES:
        frame = tables.get(name)
        if frame is None or frame.empty:
            continue
        body = frame.drop(columns=["year"], errors="ignore")
        row_hash = pd.util.hash_pandas_object(body, index=False).to_numpy(dtype=np.uint64)
        position = body.groupby("unit", sort=False).cumcount().to_numpy(dtype=np.uint64)
        with np.errstate(over="ignore"):
            mixed = row_hash * (position * np.uint64(2) + np.uint64(1))
        codes, units = pd.factorize(body["unit"].astype(str).to_numpy())
        order = np.argsort(codes, kind="stable")
        starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0])
        with np.errstate(over="ignore"):  # a sum modulo 2**64 per unit, in one pass
            sums = np.add.reduceat(mixed[order], starts)
        for unit, value in zip(units[codes[order][starts]], sums.tolist(), strict=True):
            per_unit.setdefault(str(unit), []).append(f"{name}:{value}")
    return {u: _digest(parts) for u, parts in per_unit.items()}


def unit_key(
    *,
    unit: str,
    year: int,
    notebook: Path,
    lang: str,
    formats: Iterable[str],
    chain: list[str],
    children: list[str],
    folders: dict[int, dict[str, str]],
    data: dict[int, dict[str, str]],
    static: str,
) -> str:
    """The cache key of one unit's report (see module docstring for what it covers)."""
    years = sorted(data)
    previous = max((y for y in years if y < year), default=None)
    parts: list[str | bytes] = [static, str(notebook), lang, ",".join(sorted(formats)), unit]
    for y in years:  # the unit over the years, ancestors this year and last year
        parts.append(f"{y}:{unit}:{data[y].get(unit, '')}")
    for y in (year, previous):
        if y is not None:
            parts += [f"{y}:{a}:{data[y].get(a, '')}" for a in chain]
    if not chain:  # the root report's target tables show every unit
        parts += [f"{y}:{u}:{d}" for y in years for u, d in sorted(data[y].items())]
    narratives = [narrative_path(year, unit, folders[year])]
    if previous is not None and unit in folders.get(previous, {}):
        narratives.append(narrative_path(previous, unit, folders[previous]))
    narratives += [narrative_path(year, c, folders[year]) for c in children]
    parts.append(files_digest(narratives, params_dir()))
    return _digest(parts)
