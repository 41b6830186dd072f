"""Where a unit's files live: its report folder name and its narrative file, one place for both.

A unit's folder name names its report folder (``<reports>/<year>/<folder>/``) and its HR
narrative (``params/narratives/<year>/<folder>.md``); both are taken over that year's org tree
in `Store.load_org` order (`unit_folders`), so a renamed unit gets new names that year.

Folder names: safe on every file system, readable, unique, never escaping.

A name is `<name>_<code>`: the unit's name (å/ä/ö and other accents folded to ASCII, anything
but letters, digits and '-' collapsed to '-', at most 60 characters; `unit` if nothing is left)
and the unit code made safe the same way (at most 40 characters). When making the code safe
changed it (upper case, '.', spaces, accents, length: 'K.1' and 'K-1' both become 'k-1'), a
hash of the exact code is appended: `<name>_<code>_<hash>`.

The folder name is therefore a function of the unit's code and name alone, never of the order
of the units or of which other units exist, and distinct codes always get distinct folders:
a name without hash has one '_' and carries its code exactly, a name with hash has two and
carries 12 hex digits of the code's SHA-1. '.' and '..' can never result, so a folder name
never leaves its parent.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pandas as pd

from hme_core.errors import HMEError
from hme_core.paths import params_dir

_FOLD = {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ð": "d", "þ": "th", "ł": "l"}
_FOLD_TABLE = str.maketrans(_FOLD)
_UNSAFE = re.compile(r"[^a-z0-9]+")


def slug(text: str, limit: int = 60) -> str:
    """'Avdelning 12 / Kirurgi "Öst"' -> 'avdelning-12-kirurgi-ost'.

    >>> slug("Vårdcentralen Ängby")
    'vardcentralen-angby'
    >>> slug("../../etc")
    'etc'
    """
    text = str(text).casefold()
    if not text.isascii():  # ASCII needs no folding (a large organisation's usual names)
        text = unicodedata.normalize("NFKD", text.translate(_FOLD_TABLE))
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = _UNSAFE.sub("-", text).strip("-")
    return text[:limit].rstrip("-")


def folder_names(units: dict[str, str]) -> dict[str, str]:
    """{unit code: folder name} for {unit code: unit name}; all distinct and safe.

    >>> folder_names({"K.1": "Kirurgi", "K-1": "Kirurgi", "k1": "Kirurgi"})
    {'K.1': 'kirurgi_k-1_a628c31ee95c', 'K-1': 'kirurgi_k-1_cf8632800e1f', 'k1': 'kirurgi_k1'}
    """
    out = {code: folder_name(code, name) for code, name in units.items()}
    if len(set(out.values())) != len(out):  # 48-bit hash collision: never seen, never hidden
        raise HMEError("two unit codes map to the same folder name; rename one of them")
    return out


def folder_name(code: str, name: str) -> str:
    """The folder of one unit: `<name>_<code>`, plus `_<hash>` if the code was changed."""
    code = str(code)
    code_part = slug(code, 40)
    base = f"{slug(name) or 'unit'}_{code_part or 'x'}"
    if code_part == code:
        return base
    return f"{base}_{hashlib.sha1(code.encode('utf-8')).hexdigest()[:12]}"


def unit_folders(org: pd.DataFrame) -> dict[str, str]:
    """{unit code: folder name} for a year's org tree (columns unit, name; store order)."""
    return folder_names(dict(zip(org["unit"].tolist(), org["name"].astype(str).tolist(),
                                 strict=True)))


def narratives_dir(year: int, params: Path | None = None) -> Path:
    """``<params>/narratives/<year>/``; `params` defaults to `paths.params_dir()` (which
    honours ``HME_PARAMS``)."""
    return (params or params_dir()) / "narratives" / str(int(year))


def code_part(folder: str) -> str:
    """The part of a folder (or narrative file) name that carries the unit's code: all after
    the first '_' (a name's slug never holds one).

    >>> code_part("kirurgi_k-1_a628c31ee95c"), code_part("avdelning-1_a1")
    ('k-1_a628c31ee95c', 'a1')
    """
    return folder.split("_", 1)[1] if "_" in folder else folder


def narrative_path(year: int, unit: str, folders: dict[str, str],
                   params: Path | None = None) -> Path:
    """A unit's narrative file for a year (it may not exist): named like its report folder.

    The file belongs to the unit's code, not its name: when no file has today's name, a file
    of the same code under an earlier name (`<old-name>_<code>.md`, written before the unit
    was renamed) is the unit's file (the first by name if there are several)."""
    path = narratives_dir(year, params) / f"{folders[unit]}.md"
    if path.exists():
        return path
    try:
        stamp = path.parent.stat().st_mtime_ns
    except FileNotFoundError:
        return path
    found = _files_by_code(path.parent, stamp).get(code_part(folders[unit]))
    return path.parent / found if found else path


@lru_cache(maxsize=8)
def _files_by_code(folder: Path, _stamp: int) -> dict[str, str]:
    """{code part: the first file name (sorted) carrying it} of a narratives folder; cached
    per folder and modification time (a file added or renamed changes the folder's)."""
    out: dict[str, str] = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".md"):
            out.setdefault(code_part(name[:-3]), name)
    return out


DEFAULT_LANG = "sv"


def lang_suffix(lang: str) -> str:
    """'' for the default language (Swedish), '.<lang>' otherwise: languages live side by side.

    >>> lang_suffix("sv"), lang_suffix("en")
    ('', '.en')
    """
    return "" if lang == DEFAULT_LANG else f".{slug(lang, 8)}"


def report_file(ext: str, lang: str = DEFAULT_LANG) -> str:
    """A unit report's file name: `report.html` in Swedish, `report.en.html` in English.

    >>> report_file("pdf"), report_file("pdf", "en")
    ('report.pdf', 'report.en.pdf')
    """
    return f"report{lang_suffix(lang)}.{ext}"


def index_file(lang: str = DEFAULT_LANG) -> str:
    """The year's index page: `index.html` in Swedish, `index.en.html` in English.

    >>> index_file("en")
    'index.en.html'
    """
    return f"index{lang_suffix(lang)}.html"
