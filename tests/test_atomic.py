"""File modes and links: published files 0644 under umask 022, the store 0600, no writes via links."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from hme_core.atomic import SymlinkRefused, atomic_write
from hme_core.narratives.files import write_new_file
from hme_core.results.export import write_table
from hme_core.store.duckdb_store import Store
from tests.fixtures import file_mode


def test_published_files_are_readable_by_others_under_umask_022(tmp_path, umask022):
    assert file_mode(atomic_write(tmp_path / "index.html", "<p>x</p>")) == 0o644
    assert file_mode(write_table(pd.DataFrame({"a": [1]}), tmp_path / "scores.csv")) == 0o644
    assert write_new_file(tmp_path / "n" / "narrative.md", "# x\n")
    assert file_mode(tmp_path / "n" / "narrative.md") == 0o644


def test_published_mode_follows_a_stricter_umask(tmp_path):
    old = os.umask(0o027)
    try:
        assert file_mode(atomic_write(tmp_path / "a.html", "x")) == 0o640
    finally:
        os.umask(old)


def test_store_holding_respondent_rows_is_owner_only(tmp_path, umask022):
    db = tmp_path / "hme.duckdb"
    with Store.open(db):
        pass
    assert file_mode(db) == 0o600
    os.chmod(db, 0o644)  # a store from an older version is tightened when next opened to write
    with Store.open(db):
        pass
    assert file_mode(db) == 0o600


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


class _DiskFullAfterLink:
    """A file system without hard links whose disk fills up once `os.link` was tried: any file
    opened for writing after that takes half its text, then fails with ENOSPC."""

    def __init__(self, monkeypatch):
        import builtins
        import errno

        self.full = False
        real_open = builtins.open

        def link(src, dst, *a, **k):
            self.full = True
            raise OSError(errno.EPERM, "Operation not permitted", str(dst))

        class HalfWriter:
            def __init__(self, fh):
                self.fh = fh

            def write(self, text):
                self.fh.write(text[: len(text) // 2])
                self.fh.flush()
                raise OSError(errno.ENOSPC, "No space left on device")

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.fh.close()

        def fake_open(file, mode="r", *a, **k):
            fh = real_open(file, mode, *a, **k)
            return HalfWriter(fh) if self.full and any(m in mode for m in "wxa") else fh

        monkeypatch.setattr(os, "link", link)
        monkeypatch.setattr(builtins, "open", fake_open)


def test_without_hard_links_a_new_file_is_never_left_with_part_of_its_text(tmp_path, monkeypatch):
    _DiskFullAfterLink(monkeypatch)
    path = tmp_path / "narratives" / "unit.md"
    text = "# Avdelning 1\n" + "Vad fungerar bra?\n" * 200
    try:
        created = write_new_file(path, text)
    except OSError:
        created = False
    assert not path.exists() or path.read_text() == text  # before: half the text, kept for good
    assert created and path.read_text() == text  # moved whole, nothing written a second time
    assert [p.name for p in path.parent.iterdir()] == ["unit.md"]  # no temporary file left


def test_without_hard_links_an_existing_file_is_never_overwritten(tmp_path, monkeypatch):
    import errno

    from hme_core import atomic

    def no_link(src, dst, *a, **k):
        raise OSError(errno.EPERM, "Operation not permitted", str(dst))

    monkeypatch.setattr(os, "link", no_link)
    path = tmp_path / "unit.md"
    assert write_new_file(path, "first\n") and path.read_text() == "first\n"
    path.write_text("HR's own text\n")
    assert not write_new_file(path, "template\n")
    assert path.read_text() == "HR's own text\n"
    # nor without RENAME_NOREPLACE: the name is claimed by an exclusive create first
    monkeypatch.setattr(atomic, "rename_noreplace", lambda src, dst: None)
    assert not write_new_file(path, "template\n")
    assert path.read_text() == "HR's own text\n"
    assert write_new_file(tmp_path / "new.md", "whole\n")
    assert (tmp_path / "new.md").read_text() == "whole\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.md", "unit.md"]


def test_rename_noreplace_refuses_an_existing_name(tmp_path):
    from hme_core.atomic import rename_noreplace

    (tmp_path / "a").write_text("a")
    (tmp_path / "b").write_text("b")
    result = rename_noreplace(tmp_path / "a", tmp_path / "b")
    if result is None:
        pytest.skip("no renameat2 with RENAME_NOREPLACE on this system")
    assert result is False and (tmp_path / "b").read_text() == "b"
    (tmp_path / "b").unlink()
    assert rename_noreplace(tmp_path / "a", tmp_path / "b") is True
    assert (tmp_path / "b").read_text() == "a" and not (tmp_path / "a").exists()
