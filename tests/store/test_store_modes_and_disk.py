"""The store is owner-only from its first byte (sampled while it is being created and written),
and a disk that refuses the ingest's commit is one clear message with the store unchanged."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

from hme_core.store.duckdb_store import Store
from tests.fixtures import HEADCOUNT, ORG, _responses, build_store

REPO = Path(__file__).resolve().parents[2]


def _inputs(folder: Path, year: int = 2025) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "org.csv").write_text(ORG, encoding="utf-8")
    (folder / "hc.csv").write_text(HEADCOUNT, encoding="utf-8")
    rows = _responses(year).splitlines()
    head, body = rows[0], rows[1:]
    many = [head] + [f"{i}-" + line for i in range(400) for line in body]  # 8,000 rows
    (folder / "r.csv").write_text("\n".join(many) + "\n", encoding="utf-8")
    return [str(folder / "r.csv"), "--year", str(year), "--org", str(folder / "org.csv"),
            "--headcount", str(folder / "hc.csv")]


def _hme(*argv: str, preexec=None, env_extra=None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), **(env_extra or {})}
    return subprocess.Popen([sys.executable, "-m", "hme_core.cli", *argv], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=preexec)


def test_the_store_and_its_wal_are_never_readable_by_others_while_they_are_written(tmp_path):
    folder = tmp_path / "shared"  # an existing folder others may list, given by --db
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    db = folder / "hme.duckdb"
    argv = _inputs(tmp_path / "in")
    seen: dict[str, set[int]] = {}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for p in folder.iterdir():
                try:
                    seen.setdefault(p.name, set()).add(stat.S_IMODE(p.stat().st_mode))
                except FileNotFoundError:
                    pass

    sampler = threading.Thread(target=sample)
    old = os.umask(0o022)  # the usual umask, inherited by the command
    try:
        sampler.start()
        for _ in range(2):  # create the store, then write it again (--replace)
            proc = _hme("ingest", *argv, "--db", str(db), "--replace")
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
    finally:
        stop.set()
        sampler.join()
        os.umask(old)
    assert "hme.duckdb" in seen and "hme.duckdb.wal" in seen, seen  # both were sampled
    leaked = {name: sorted(oct(m) for m in modes if m & 0o077) for name, modes in seen.items()}
    assert not any(leaked.values()), leaked


def test_a_wal_left_readable_by_an_earlier_failure_is_made_owner_only_before_opening(
        tmp_path, monkeypatch):
    import duckdb

    db = build_store(tmp_path / "s")
    wal = db.with_name(db.name + ".wal")
    wal.write_bytes(b"")  # as a failed checkpoint of an older version left it
    os.chmod(wal, 0o644)
    at_connect = []
    connect = duckdb.connect

    def watched(*args, **kwargs):
        at_connect.append((stat.S_IMODE(wal.stat().st_mode), os.umask(0o077)))
        os.umask(at_connect[-1][1])
        return connect(*args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", watched)
    old = os.umask(0o022)
    try:
        with Store.open(db) as store:
            store.years()
        after = os.umask(old)
    finally:
        os.umask(old)
    assert at_connect == [(0o600, 0o077)]  # private before DuckDB reads a byte
    assert after == 0o022  # the caller's umask is back


def test_a_full_disk_at_the_ingests_commit_is_one_message_and_the_store_is_unchanged(tmp_path):
    db = tmp_path / "hme.duckdb"
    first = _hme("ingest", *_inputs(tmp_path / "a", 2024), "--db", str(db))
    assert first.wait(timeout=300) == 0, first.stderr.read()

    def small_disk() -> None:  # writes past 64 KB fail as on a full disk (EFBIG)
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (65_536, 65_536))

    proc = _hme("ingest", *_inputs(tmp_path / "b", 2025), "--db", str(db), preexec=small_disk)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 2, err
    assert "Traceback" not in err and "the machine refused to write year 2025" in err, err
    assert "the store keeps what it held before" in err
    with Store.open(db, read_only=True) as store:
        assert store.years() == [2024]
        assert len(store.load_responses(2024)) == 8_000  # 400 x 20 respondents
