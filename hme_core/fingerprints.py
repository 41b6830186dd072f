"""Fingerprints of what results depend on besides the responses: the code and `params/`.

A year's stored results carry `results_fingerprint()`; when params or code change, readers see
that the results are stale (the store and the ingest pipeline use this; report cache keys in
`batch/keys.py` build on the same digests).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from hme_core import __version__
from hme_core.paths import params_dir


def _digest(parts: Iterable[bytes | str]) -> str:
    h = hashlib.sha256()
    for p in parts:
        b = p.encode("utf-8") if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


def files_digest(paths: Iterable[Path], root: Path) -> str:
    """Digest of the files' relative names and bytes (missing files count as absent)."""
    parts: list[bytes | str] = []
    for p in sorted(set(paths)):
        if p.is_file():
            parts += [str(p.relative_to(root)) if p.is_relative_to(root) else str(p), p.read_bytes()]
    return _digest(parts)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """hme_core's version and source (a code change re-renders everything it may affect)."""
    pkg = Path(__file__).resolve().parent
    files = [p for p in pkg.rglob("*") if p.suffix in (".py", ".css", ".typ", ".j2", ".html", ".yaml")]
    return _digest([__version__, files_digest(files, pkg)])


def params_fingerprint() -> str:
    """Everything under params/ that is not a narrative or a hidden file (`.complete`, editor
    and OS droppings), so a worker's copy of params/ has the same fingerprint."""
    root = params_dir()
    files = [p for p in root.rglob("*") if p.is_file() and "narratives" not in p.parts
             and not any(part.startswith(".") for part in p.relative_to(root).parts)]
    return files_digest(files, root)


def results_fingerprint() -> str:
    """What stored results of a year depend on besides the responses themselves: the code and
    the params that scoring and disclosure read (config.yaml, instruments/,
    reporting_groups.yaml). Targets, analysis
    questions and benchmarks change reports, not results (the report key covers them)."""
    root = params_dir()
    files = [root / "config.yaml", *(p for p in (root / "instruments").rglob("*") if p.is_file()
                                     and not p.name.startswith("."))]
    files += [p for p in [root / "reporting_groups.yaml"] if p.is_file()]  # units scored as one
    return _digest([code_fingerprint(), files_digest(files, root)])
