"""Where things live. Everything is rooted at the repository; nothing runs at import."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def params_dir() -> Path:
    """The `params/` folder; `HME_PARAMS` overrides it (tests use this for isolation)."""
    return Path(os.environ.get("HME_PARAMS", REPO_ROOT / "params"))


def outputs_dir() -> Path:
    """The `outputs/` folder; `HME_OUTPUTS` overrides it."""
    return Path(os.environ.get("HME_OUTPUTS", REPO_ROOT / "outputs"))


def default_db() -> Path:
    """The default DuckDB store, `outputs/hme.duckdb`."""
    return outputs_dir() / "hme.duckdb"


def notebooks_dir() -> Path:
    return REPO_ROOT / "notebooks"
