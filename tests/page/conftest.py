"""The HR page's tests share one small store (tests.fixtures.build_store: R › A › a1, a2, where
a2 has 3 respondents and is suppressed) and a params folder of their own for narrative files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hme_core.paths import REPO_ROOT
from tests.fixtures import build_store


@pytest.fixture(scope="session")
def store_db(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("page") / "data")


@pytest.fixture
def params(tmp_path, monkeypatch) -> Path:
    target = tmp_path / "params"
    shutil.copytree(REPO_ROOT / "params", target, ignore=shutil.ignore_patterns("narratives"))
    monkeypatch.setenv("HME_PARAMS", str(target))
    return target
