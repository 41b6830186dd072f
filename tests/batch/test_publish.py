"""`hme publish` copies exactly the publishable files: index page, report HTML and PDF, of
reports the current store, params and code would render (`test_stale_publication.py` renders
real reports and changes the store under them)."""

from __future__ import annotations

import os
import stat

import pytest

from hme_core.batch.keys import index_key_file_name, key_file_name, year_keys
from hme_core.batch.publish import publish
from hme_core.batch.run import REPORT_NOTEBOOK
from hme_core.cli import main
from hme_core.errors import HMEError
from hme_core.paths import notebooks_dir
from hme_core.store.duckdb_store import Store
from tests.fixtures import build_store


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("store"))


def _reports(root, db):
    """Report files as `hme reports` leaves them, with the keys the store gives today."""
    year = root / "2025"
    with Store.open(db, read_only=True) as store:
        keys = year_keys(store, 2025, notebooks_dir() / REPORT_NOTEBOOK)
        index_key = keys.index_key(store, "sv")
    for unit, folder in keys.folders[2025].items():
        (year / folder).mkdir(parents=True)
        for name in ("report.html", "report.pdf", "report.ipynb"):
            (year / folder / name).write_text(f"{folder}/{name}")
        (year / folder / key_file_name("sv")).write_text(keys.key(unit, "sv", ["html", "pdf"]))
    (year / "index.html").write_text("index")
    (year / index_key_file_name("sv")).write_text(index_key)
    (year / ".tmp-x.html").write_text("half")
    return year, keys.folders[2025]


def test_publish_copies_html_pdf_and_index_only_with_readable_modes(tmp_path, monkeypatch, db):
    old = os.umask(0o022)
    try:
        monkeypatch.setenv("HME_OUTPUTS", str(tmp_path / "outputs"))
        _, folders = _reports(tmp_path / "outputs" / "reports", db)
        assert main(["publish", "--year", "2025", "--to", str(tmp_path / "web"),
                     "--db", str(db)]) == 0
    finally:
        os.umask(old)
    published = sorted(str(p.relative_to(tmp_path / "web" / "2025"))
                       for p in (tmp_path / "web" / "2025").rglob("*") if p.is_file())
    assert published == sorted(["index.html", *(f"{f}/report.{ext}" for f in folders.values()
                                                 for ext in ("html", "pdf"))])
    assert stat.S_IMODE(os.stat(tmp_path / "web" / "2025" / "index.html").st_mode) == 0o644
    assert stat.S_IMODE(os.stat(tmp_path / "web" / "2025" / folders["a1"]).st_mode) == 0o755
    assert [p.name for p in (tmp_path / "web").iterdir()] == ["2025"]  # no staging left


def test_republishing_replaces_the_whole_year_and_keeps_nothing_stale(tmp_path, db):
    year, folders = _reports(tmp_path / "reports", db)
    publish(year, tmp_path / "web", 2025, db)
    (year / folders["a1"] / "report.pdf").unlink()
    (year / "index.html").write_text("index v2")
    target, count, left_out = publish(year, tmp_path / "web", 2025, db, skip_stale=True)
    # a1's key was made for html and pdf: with its PDF gone, its HTML is no longer that report
    assert left_out == "Left out 1 report(s) older than the store: a1."
    assert count == 1 + 2 * 3 and (target / "index.html").read_text() == "index v2"
    assert not (target / folders["a1"]).exists()


def test_a_linked_report_is_refused_and_nothing_is_published(tmp_path, db):
    year, folders = _reports(tmp_path / "reports", db)
    secret = tmp_path / "secret.txt"
    secret.write_text("respondent rows")
    (year / folders["a1"] / "report.pdf").unlink()
    (year / folders["a1"] / "report.pdf").symlink_to(secret)
    with pytest.raises(HMEError, match="symbolic link"):
        publish(year, tmp_path / "web", 2025, db)
    assert not (tmp_path / "web" / "2025").exists()


def test_a_folder_of_a_unit_not_in_the_tree_is_left_out_and_named(tmp_path, db):
    year, _ = _reports(tmp_path / "reports", db)
    (year / "avd_gone").mkdir()
    (year / "avd_gone" / "report.html").write_text("old numbers")
    target, count, left_out = publish(year, tmp_path / "web", 2025, db)
    assert not (target / "avd_gone").exists() and count == 1 + 2 * 4
    assert "no longer in the year's org tree: avd_gone" in left_out


def test_a_report_without_its_key_or_with_another_is_refused_naming_the_command(tmp_path, db):
    year, folders = _reports(tmp_path / "reports", db)
    (year / folders["a2"] / key_file_name("sv")).write_text("made from another store")
    with pytest.raises(HMEError) as refused:
        publish(year, tmp_path / "web", 2025, db)
    assert "'hme reports --year 2025 --units a2'" in str(refused.value)
    assert "--skip-stale" in str(refused.value)
    assert not (tmp_path / "web" / "2025").exists()


def test_an_index_page_older_than_the_store_is_refused(tmp_path, db):
    year, _ = _reports(tmp_path / "reports", db)
    (year / index_key_file_name("sv")).write_text("older")
    with pytest.raises(HMEError, match="index page .* is older than the store"):
        publish(year, tmp_path / "web", 2025, db, skip_stale=True)


def test_a_publication_is_recorded_in_the_store(tmp_path, db):
    year, _ = _reports(tmp_path / "reports", db)
    with Store.open(db, read_only=True) as store:
        before = len(store.publications(2025))
        scores = store.load_result("scores", 2025)
    publish(year, tmp_path / "web", 2025, db)
    with Store.open(db, read_only=True) as store:
        records = store.publications(2025)
    assert len(records) == before + 1
    assert records[-1]["scores"][["unit", "index", "n", "value"]].equals(
        scores[["unit", "index", "n", "value"]])
