"""Shared fixtures: fixed seeds, isolated outputs, closed figures."""

from __future__ import annotations

import os

import numpy as np
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


@pytest.fixture
def umask022():
    """The usual umask of a shared machine, under which published files are 0644."""
    old = os.umask(0o022)
    yield
    os.umask(old)
