"""File modes and links: published files 0644 under umask 022, the store 0600, no writes via links."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from hme_core.atomic import SymlinkRefused, atomic_write
from hme_core.narratives.files import write_new_file
from hme_core.results.export import write_table
from hme_core.store.duckdb_store import Store


@pytest.fixture
def umask022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_published_files_are_readable_by_others_under_umask_022(tmp_path, umask022):
    assert _mode(atomic_write(tmp_path / "index.html", "<p>x</p>")) == 0o644
    assert _mode(write_table(pd.DataFrame({"a": [1]}), tmp_path / "scores.csv")) == 0o644
    assert write_new_file(tmp_path / "n" / "narrative.md", "# x\n")
    assert _mode(tmp_path / "n" / "narrative.md") == 0o644


def test_published_mode_follows_a_stricter_umask(tmp_path):
    old = os.umask(0o027)
    try:
        assert _mode(atomic_write(tmp_path / "a.html", "x")) == 0o640
    finally:
        os.umask(old)


def test_store_holding_respondent_rows_is_owner_only(tmp_path, umask022):
    db = tmp_path / "hme.duckdb"
    with Store.open(db):
        pass
    assert _mode(db) == 0o600
    os.chmod(db, 0o644)  # a store from an older version is tightened when next opened to write
    with Store.open(db):
        pass
    assert _mode(db) == 0o600


def test_a_planted_file_link_is_refused_and_its_target_untouched(tmp_path, monkeypatch):
    monkeypatch.setenv("HME_OUTPUTS", str(tmp_path / "outputs"))
    target = tmp_path / "precious.txt"
    target.write_text("keep")
    folder = tmp_path / "outputs" / "reports" / "2025" / "unit"
    folder.mkdir(parents=True)
    (folder / "report.html").symlink_to(target)
    with pytest.raises(SymlinkRefused, match="report.html: is a symbolic link"):
        atomic_write(folder / "report.html", "new")
    assert target.read_text() == "keep"


def test_a_linked_unit_folder_is_refused_so_nothing_lands_outside_outputs(tmp_path, monkeypatch):
    monkeypatch.setenv("HME_OUTPUTS", str(tmp_path / "outputs"))
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    year = tmp_path / "outputs" / "reports" / "2025"
    year.mkdir(parents=True)
    (year / "unit").symlink_to(outside, target_is_directory=True)
    with pytest.raises(SymlinkRefused, match="unit: is a symbolic link"):
        atomic_write(year / "unit" / "report.html", "new")
    with pytest.raises(SymlinkRefused):
        write_table(pd.DataFrame({"a": [1]}), year / "unit" / "scores.csv")
    with pytest.raises(SymlinkRefused):
        write_new_file(year / "unit" / "narrative.md", "x")
    assert list(outside.iterdir()) == []
