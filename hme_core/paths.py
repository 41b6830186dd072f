"""Where things live. Everything is rooted at the repository; nothing runs at import."""

from __future__ import annotations

import os
from pathlib import Path

from hme_core.errors import StoreError

REPO_ROOT = Path(__file__).resolve().parents[1]
STORE_NAME = "hme.duckdb"


def params_dir() -> Path:
    """The `params/` folder; `HME_PARAMS` overrides it (tests use this for isolation)."""
    return Path(os.environ.get("HME_PARAMS", REPO_ROOT / "params"))


def outputs_dir() -> Path:
    """The `outputs/` folder; `HME_OUTPUTS` overrides it."""
    return Path(os.environ.get("HME_OUTPUTS", REPO_ROOT / "outputs"))


def private_dir() -> Path:
    """`outputs/private/`: what holds respondent rows (the store), owner-only (folder 0700,
    files 0600), so sharing or serving the outputs folder never shares the answers."""
    return outputs_dir() / "private"


class StoreMoved(StoreError):
    """Raised when a store is still at its old place, `outputs/hme.duckdb`, in the shared folder."""


def default_db() -> Path:
    """The default DuckDB store, `outputs/private/hme.duckdb` (`--db` names another).

    A store left at the old place, `outputs/hme.duckdb` (in the shared folder, and readable by
    others when an old version made it), is never silently ignored: every command that would
    use the default store stops with `StoreMoved`, saying how to move it.
    """
    new = private_dir() / STORE_NAME
    old = outputs_dir() / STORE_NAME
    if old.exists() or old.with_name(STORE_NAME + ".wal").exists():
        if new.exists():
            raise StoreMoved(
                f"{old}: an old copy of the store (every respondent's answers) is still in the "
                f"shared outputs folder, next to the store in use, {new}. Delete it (rm {old}) "
                f"or, to use it, pass --db {old}.")
        raise StoreMoved(
            f"{old}: the store (every respondent's answers) now lives in {private_dir()}/, "
            f"readable only by you, not in the shared outputs folder. Move it there once: "
            f"mkdir -p -m 700 {private_dir()} && mv {old} {new} (with {old}.wal if there is "
            f"one), or keep it where it is and pass --db {old}.")
    return new


def notebooks_dir() -> Path:
    return REPO_ROOT / "notebooks"
