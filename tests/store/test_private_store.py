"""The store (every respondent's answers) lives owner-only in `outputs/private/`, apart from
the published reports; a store left at the old place, `outputs/hme.duckdb`, is never ignored."""

from __future__ import annotations

import os

from hme_core.cli import main
from hme_core.paths import default_db, outputs_dir
from hme_core.store.duckdb_store import Store
from tests.fixtures import HEADCOUNT, ORG, _responses, file_mode


def _inputs(folder):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "org.csv").write_text(ORG, encoding="utf-8")
    (folder / "hc.csv").write_text(HEADCOUNT, encoding="utf-8")
    (folder / "r2025.csv").write_text(_responses(2025), encoding="utf-8")
    return [str(folder / "r2025.csv"), "--year", "2025", "--org", str(folder / "org.csv"),
            "--headcount", str(folder / "hc.csv")]


def _run(capsys, argv):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out + out.err


def test_ingest_without_db_writes_the_store_owner_only_outside_the_shared_folder(
        tmp_path, capsys, umask022):
    code, text = _run(capsys, ["ingest", *_inputs(tmp_path / "in")])
    assert code == 0, text
    store = outputs_dir() / "private" / "hme.duckdb"
    assert default_db() == store and store.is_file()
    assert not (outputs_dir() / "hme.duckdb").exists()
    assert file_mode(store) == 0o600
    assert file_mode(store.parent) == 0o700  # others cannot even list it
    code, text = _run(capsys, ["score", "--year", "2025"])  # the default finds it again
    assert code == 0, text


def test_an_existing_private_folder_is_tightened_when_the_store_is_written(tmp_path, umask022):
    folder = outputs_dir() / "private"
    folder.mkdir(parents=True, mode=0o755)
    os.chmod(folder, 0o755)
    with Store.open(default_db()):
        pass
    assert file_mode(folder) == 0o700


def test_a_store_folder_named_by_db_is_created_owner_only(tmp_path, umask022):
    with Store.open(tmp_path / "new-folder" / "hme.duckdb"):
        pass
    assert file_mode(tmp_path / "new-folder") == 0o700
    assert file_mode(tmp_path / "new-folder" / "hme.duckdb") == 0o600


def test_a_store_left_in_the_shared_folder_stops_commands_with_how_to_move_it(tmp_path, capsys):
    old = outputs_dir() / "hme.duckdb"
    old.parent.mkdir(parents=True)
    with Store.open(old):
        pass
    for argv in (["score", "--year", "2025"], ["ingest", *_inputs(tmp_path / "in")],
                 ["reports", "--year", "2025"]):
        code, text = _run(capsys, argv)
        assert code == 2, (argv, text)
        assert "Traceback" not in text
        assert f"mv {old} {outputs_dir() / 'private' / 'hme.duckdb'}" in text
        assert f"--db {old}" in text
    assert not (outputs_dir() / "private").exists()  # nothing made next to the old store
    code, text = _run(capsys, ["score", "--year", "2025", "--db", str(old)])  # --db still works
    assert code == 2 and "year 2025 is not in the store" in text


def test_an_old_copy_beside_the_moved_store_is_named(tmp_path, capsys):
    with Store.open(default_db()):
        pass
    with Store.open(outputs_dir() / "hme.duckdb"):
        pass
    code, text = _run(capsys, ["score", "--year", "2025"])
    assert code == 2 and "an old copy of the store" in text
    assert f"rm {outputs_dir() / 'hme.duckdb'}" in text
