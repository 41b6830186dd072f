"""Where a unit's files live: its report folder name and its narrative file, one place for both.

A unit's folder name names its report folder (``<reports>/<year>/<folder>/``) and its HR
narrative (``params/narratives/<year>/<folder>.md``); both are taken over that year's org tree
in `Store.load_org` order (`unit_folders`), so a renamed unit gets new names that year.

Folder names: safe on every file system, readable, unique, never escaping.

A name is built from the unit's name (å/ä/ö and other accents folded to ASCII, anything but
letters, digits and '-' collapsed to '-', at most 60 characters) followed by the unit code made
safe the same way; if two units still collide, a short hash of the code is appended. '.' and
'..' can never result, so a folder name never leaves its parent.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

import pandas as pd

from hme_core.paths import params_dir

_FOLD = {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ð": "d", "þ": "th", "ł": "l"}
_UNSAFE = re.compile(r"[^a-z0-9]+")


def slug(text: str, limit: int = 60) -> str:
    """'Avdelning 12 / Kirurgi "Öst"' -> 'avdelning-12-kirurgi-ost'.

    >>> slug("Vårdcentralen Ängby")
    'vardcentralen-angby'
    >>> slug("../../etc")
    'etc'
    """
    text = "".join(_FOLD.get(c, c) for c in str(text).casefold())
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _UNSAFE.sub("-", text).strip("-")
    return text[:limit].rstrip("-")


def folder_names(units: dict[str, str]) -> dict[str, str]:
    """{unit code: folder name} for {unit code: unit name}; all distinct and safe."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for code, name in units.items():
        base = "_".join(p for p in (slug(name), slug(code, 40)) if p) or "unit"
        candidate = base
        if candidate in used:
            candidate = f"{base}_{hashlib.sha1(code.encode('utf-8')).hexdigest()[:8]}"
        i = 2
        while candidate in used:
            candidate = f"{base}_{i}"
            i += 1
        used.add(candidate)
        out[code] = candidate
    return out


def unit_folders(org: pd.DataFrame) -> dict[str, str]:
    """{unit code: folder name} for a year's org tree (columns unit, name; store order)."""
    return folder_names(dict(zip(org["unit"], org["name"].astype(str), strict=True)))


def narratives_dir(year: int, params: Path | None = None) -> Path:
    """``<params>/narratives/<year>/``; `params` defaults to `paths.params_dir()` (which
    honours ``HME_PARAMS``)."""
    return (params or params_dir()) / "narratives" / str(int(year))


def narrative_path(year: int, unit: str, folders: dict[str, str],
                   params: Path | None = None) -> Path:
    """A unit's narrative file for a year (it may not exist): named like its report folder."""
    return narratives_dir(year, params) / f"{folders[unit]}.md"
