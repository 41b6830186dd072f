"""Fingerprints that decide whether a report (or a year's results) must be made again.

A unit report's key covers everything that changes it: the notebook, hme_core's code and
version, params (config, instruments, column map, targets), the report language and formats,
the questionnaire each stored year asked (its wording, every report shows it),
the stored results of the unit and of every unit it is compared with (its ancestors, its
earlier years), its own narrative this year and last year (follow-up of actions), and its
children's results and narratives (its heat map shows their values, and their escalations
appear in its report). Nothing else of `params/narratives/` enters it (not whether a year's
folder exists), so editing one narrative of any year re-renders only that unit and its parent.
Results of a year are
recomputed only when params or code changed since they were stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hme_core.fingerprints import _digest, files_digest
from hme_core.orgtree import Tree
from hme_core.paths import params_dir
from hme_core.store.duckdb_store import RESULT_TABLES, YEAR_TABLES
from hme_core.unit_files import lang_suffix, narrative_path, unit_folders

KEY_FILE = ".cache-key"
INDEX_KEY_FILE = ".index-key"


def key_file_name(lang: str) -> str:
    """Each language keeps its own key: `.cache-key` (Swedish), `.cache-key.en`, ...

    >>> key_file_name("sv"), key_file_name("en")
    ('.cache-key', '.cache-key.en')
    """
    return KEY_FILE + lang_suffix(lang)


def index_key_file_name(lang: str) -> str:
    """The index page's key: `.index-key` (Swedish), `.index-key.en`, ..."""
    return INDEX_KEY_FILE + lang_suffix(lang)


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
    for y in (year, previous):  # ancestors (comparisons), children (heat map, escalations)
        if y is not None:
            parts += [f"{y}:{a}:{data[y].get(a, '')}" for a in chain]
            parts += [f"{y}:child:{c}:{data[y].get(c, '')}" for c in children]
    if not chain:  # the root report's target tables show every unit
        parts += [f"{y}:{u}:{d}" for y in years for u, d in sorted(data[y].items())]
    narratives = [narrative_path(year, unit, folders[year])]
    if previous is not None and unit in folders.get(previous, {}):
        narratives.append(narrative_path(previous, unit, folders[previous]))
    narratives += [narrative_path(year, c, folders[year]) for c in children]
    parts.append(files_digest(narratives, params_dir()))
    return _digest(parts)


def static_fingerprint(notebook: Path) -> str:
    """What every report of a run shares: hme's code, params and the notebook."""
    from hme_core.fingerprints import code_fingerprint, params_fingerprint

    return _digest([code_fingerprint(), params_fingerprint(), notebook.read_bytes()])


@dataclass
class YearKeys:
    """What the cache keys of a year's reports read from one version of the store (a batch's
    copy, or the store itself when `hme publish` checks the reports it copies)."""

    year: int
    years: list[int]
    orgs: dict[int, pd.DataFrame]
    tree: Tree
    folders: dict[int, dict[str, str]]
    data: dict[int, dict[str, str]]
    notebook: Path
    static: str

    @property
    def org(self) -> pd.DataFrame:
        return self.orgs[self.year]

    def key(self, unit: str, lang: str, formats: Iterable[str]) -> str:
        """The cache key of `unit`'s report in `lang` with `formats` (see `unit_key`)."""
        return unit_key(unit=unit, year=self.year, notebook=self.notebook, lang=lang,
                        formats=formats, chain=self.tree.ancestors(unit),
                        children=self.tree.children(unit), folders=self.folders,
                        data=self.data, static=self.static)

    def index_key(self, store, lang: str) -> str:
        """The key of the year's index page: what it lists of every unit (the stored scores
        this year and last year, read from `store`), the folder names, code, params, notebook."""
        previous = max((y for y in self.years if y < self.year), default=None)
        parts: list[str | bytes] = [self.static, lang, "index"]
        for y in (self.year, previous):
            if y is not None:
                scores = data_fingerprints({"scores": store.load_result("scores", y)})
                parts += [f"{y}:{u}:{d}" for u, d in sorted(scores.items())]
                parts += [f"{y}:{u}:{f}" for u, f in sorted(self.folders[y].items())]
        return _digest(parts)


def year_keys(store, year: int, notebook: Path, compared: list[str] | None = None,
              selected=None) -> YearKeys:
    """Read what the keys of `year`'s reports need from `store` (results of `compared` units,
    every unit when None); `selected(org, tree)` may name the units whose ancestors are read."""
    years = [y for y in store.years() if y <= year]
    orgs = {y: store.load_org(y) for y in years}
    tree = Tree(orgs[year])  # indexed once: ancestors and children per unit in O(depth)
    if selected is not None:
        compared = selected(orgs[year], tree)
    data = {y: data_fingerprints({n: store.load_result(n, y, units=compared)
                                  for n in RESULT_TABLES}) for y in years}
    # the year tables (the questionnaire's wording) are in every report: part of what all share
    shared = [static_fingerprint(notebook)] + [
        f"{y}:{n}:{int(pd.util.hash_pandas_object(t, index=False).sum())}" if len(t) else ""
        for y in years for n in YEAR_TABLES for t in [store.load_result(n, y)]]
    previous = max((y for y in years if y < year), default=None)
    # keys read the narratives of this year and the last survey year only
    folders = {y: unit_folders(orgs[y]) for y in (year, previous) if y is not None}
    return YearKeys(year, years, orgs, tree, folders, data, notebook, _digest(shared))
