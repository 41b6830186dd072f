"""The secured cluster path: a `tls://` scheduler on 127.0.0.1 with
certificates made here by openssl refuses a client without credentials and accepts hme's with
them; workers get only the results of the units they render, never a respondent row."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hme_core.batch.cluster import _connect, _worker_store
from hme_core.batch.tls import TLSFiles, insecure_scheduler
from hme_core.errors import HMEError
from hme_core.store.duckdb_store import Store
from hme_core.store.snapshot import batch_copy
from tests.fixtures import build_store

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _certificates(folder: Path) -> dict[str, Path]:
    """A CA, and a certificate for the scheduler and one for the client, signed by it."""
    folder.mkdir()
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
             "ca.pem", "-days", "2", "-subj", "/CN=hme-test-ca", cwd=folder)
    (folder / "san.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for name in ("scheduler", "client"):
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out",
                 f"{name}.csr", "-subj", f"/CN={name}", cwd=folder)
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                 "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", "san.cnf",
                 cwd=folder)
    return {p.stem + p.suffix: p for p in folder.iterdir()}


@pytest.fixture(scope="module")
def tls_scheduler(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    certs = _certificates(folder / "certs")
    info = folder / "scheduler.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "tls://127.0.0.1",
         "--port", "0", "--dashboard-address", ":0", "--no-dashboard",
         "--tls-ca-file", str(certs["ca.pem"]), "--tls-cert", str(certs["scheduler.pem"]),
         "--tls-key", str(certs["scheduler.key"]), "--scheduler-file", str(info)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert info.exists(), "the scheduler did not start"
        yield json.loads(info.read_text())["address"], certs
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_client_without_credentials_is_refused(tls_scheduler):
    from dask.distributed import Client

    address, certs = tls_scheduler
    assert address.startswith("tls://127.0.0.1:")
    with pytest.raises((OSError, TimeoutError)):  # no certificate at all: no TLS handshake
        Client(address.replace("tls://", "tcp://"), timeout=5)
    import socket
    import ssl

    host, port = address.removeprefix("tls://").rsplit(":", 1)
    context = ssl.create_default_context(cafile=str(certs["ca.pem"]))  # trusts the CA,
    context.check_hostname = False  # but shows no certificate of its own
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        with pytest.raises((ssl.SSLError, ConnectionError)):
            with context.wrap_socket(raw) as tls:
                tls.sendall(b"hello")
                if not tls.recv(1):  # TLS 1.3: the refusal comes with the first read
                    raise ConnectionResetError("closed by the scheduler")


def test_hme_without_certificates_says_how_to_give_them(tls_scheduler, monkeypatch):
    address, _ = tls_scheduler
    for var in ("CA_FILE", "CLIENT__CERT", "CLIENT__KEY"):
        monkeypatch.delenv(f"DASK_DISTRIBUTED__COMM__TLS__{var}", raising=False)
    with pytest.raises(HMEError, match="--tls-ca-file, --tls-cert and --tls-key"):
        _connect(address)


def test_hme_with_a_certificate_of_another_ca_is_refused(tls_scheduler, tmp_path):
    address, _ = tls_scheduler
    other = _certificates(tmp_path / "other")
    with pytest.raises(HMEError, match="TLS connection failed"):
        _connect(address, TLSFiles(str(other["ca.pem"]), str(other["client.pem"]),
                                   str(other["client.key"])))


def test_hme_with_the_clusters_certificates_connects(tls_scheduler):
    address, certs = tls_scheduler
    client = _connect(address, TLSFiles(str(certs["ca.pem"]), str(certs["client.pem"]),
                                        str(certs["client.key"])))
    try:
        assert client.scheduler.address == address
    finally:
        client.close()


def test_a_batch_renders_on_tls_workers(tls_scheduler, tmp_path):
    """A worker with the cluster's certificate, and hme's batch over TLS end to end."""
    from hme_core.batch.run import run_batch

    address, certs = tls_scheduler
    worker = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
         "--no-dashboard", "--tls-ca-file", str(certs["ca.pem"]), "--tls-cert",
         str(certs["client.pem"]), "--tls-key", str(certs["client.key"])],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "MPLBACKEND": "Agg"})
    try:
        db = build_store(tmp_path / "s")
        tls = TLSFiles(str(certs["ca.pem"]), str(certs["client.pem"]), str(certs["client.key"]))
        outcomes = run_batch(2025, db, units=["a1"], formats=("html",), scheduler=address,
                             security=tls, out_root=tmp_path / "out")
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    assert [o.ok for o in outcomes] == [True], [o.error for o in outcomes]
    assert "58,3" in (outcomes[0].folder / "report.html").read_text(encoding="utf-8")


def test_a_scheduler_on_another_machine_without_tls_is_warned_of():
    assert "without TLS" in insecure_scheduler("tcp://10.1.2.3:8786")
    assert "without TLS" in insecure_scheduler("10.1.2.3:8786")
    assert insecure_scheduler("tls://10.1.2.3:8786") == ""
    assert insecure_scheduler("local") == ""


def test_workers_get_only_the_results_of_the_units_they_render(tmp_path):
    db = build_store(tmp_path / "s")
    copy = tmp_path / "batch" / "batch.duckdb"
    copy.parent.mkdir(mode=0o700)
    batch_copy(db, copy)
    sent = tmp_path / "sent.duckdb"
    sent.write_bytes(_worker_store(copy, {"a1", "A", "R"}))
    assert os.stat(copy).st_mode & 0o077 == 0
    with Store.open(sent, read_only=True) as store:
        tables = {r[0] for r in store.con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
        units = set(store.load_result("scores", 2025)["unit"])
    assert "responses" not in tables and "headcounts" not in tables
    assert units == {"a1", "A", "R"}  # a2's rows stay here
    assert b"2025-1" not in sent.read_bytes()  # no respondent id in what is sent
