"""Shared fixtures: fixed seeds, isolated outputs, closed figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hme_core.config import Settings
from hme_core.instruments import load_instruments


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Every test writes under its own tmp folder, never into the repository's outputs/."""
    monkeypatch.setenv("HME_OUTPUTS", str(tmp_path / "outputs"))
    np.random.seed(20251123)
    yield
    try:
        import matplotlib.pyplot as plt

        plt.close("all")
    except ImportError:
        pass


@pytest.fixture(scope="session")
def instruments():
    return load_instruments()


@pytest.fixture
def settings():
    return Settings()


def make_responses(rows: list[dict]) -> pd.DataFrame:
    """A canonical response table from dicts of unit and item codes (None = missing)."""
    df = pd.DataFrame(rows)
    for col in df.columns:
        if col.startswith(("hme", "hse", "enps")):
            df[col] = pd.array(df[col].tolist(), dtype="Int16")
        else:
            df[col] = df[col].astype("string")
    return df


def hme_row(unit: str, codes, **extra) -> dict:
    """One respondent answering hme1..hme9 with `codes` (a list of 9, None = skipped)."""
    return {"unit": unit, **{f"hme{i + 1}": c for i, c in enumerate(codes)}, **extra}
