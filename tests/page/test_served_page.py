"""`hme narratives serve` end to end: the server starts on 127.0.0.1 with a token, an HR partner
drives the page in headless Chromium (tests/page/drive_page.js, puppeteer-core and axe-core of
tests/a11y), and what the page saved is exactly what the file and the rendered report hold.

Steps the browser takes: find "avdelning 1" by name, pick it in the tree, type a summary and
three answers with å/ä/ö and a list, two actions (one done), save; another editor appends to the
file; the page's next save is refused with both versions shown; take the disk version; render the
unit's and its parent's report; open the new HTML report. axe-core runs at five points (the
last at a phone's width).
Bounded: the server start 90 s, the browser 300 s; the server is stopped whatever happens.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hme_core.narratives.files import Action, read_narrative
from hme_core.paths import REPO_ROOT

HERE = Path(__file__).parent
NODE_MODULES = REPO_ROOT / "tests" / "a11y" / "node_modules"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
READY = (NODE_MODULES / "puppeteer-core").is_dir() and shutil.which("node") and Path(CHROMIUM).exists()

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not READY and not os.environ.get("HME_REQUIRE_A11Y"),
                       reason="puppeteer-core not installed: npm ci --prefix tests/a11y (make test does)"),
]

TEXTS = {
    "summary": "Ett år med stabilt engagemang på Avdelning 1, trots en tuff vår.",
    "keep": "Vi är stolta över samarbetet – åäö ÅÄÖ.\n\n- Tydliga mål\n- Förtroende för chefen",
    "escalate": "Bemanningen på helger behöver lösas på förvaltningsnivå.",
}
ACTIONS = [
    {"text": "Inför månatliga målavstämningar", "owner": "Enhetschef", "due": 2026},
    {"text": "Ny introduktion för nyanställda", "owner": "HR-partner Åsa", "due": 2025, "done": True},
]
CONCURRENT = "Tillägg skrivet i JupyterLab samtidigt."


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening_addresses(port: int) -> set[str]:
    """Local addresses listening on `port` (Linux /proc/net/tcp{,6}; state 0A = LISTEN)."""
    found = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:
                found.add(addr)
    return found


@pytest.fixture
def server(store_db, params, tmp_path):
    """`hme narratives serve` in its own process group; yields (link, port, log); stops it."""
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hme_core.cli", "narratives", "serve", "--db", str(store_db),
             "--port", str(port)], stdout=out, stderr=subprocess.STDOUT, env=env,
            start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        link = None
        while time.monotonic() < deadline and proc.poll() is None:
            found = re.search(r"page is at (http://\S+)", log.read_text())
            if found:
                link = found.group(1)
                break
            time.sleep(0.3)
        assert link, f"the server did not start:\n{log.read_text()[-3000:]}"
        yield link, port, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


def test_the_server_listens_on_this_machine_only_and_wants_its_token(server):
    link, port, _ = server
    assert re.fullmatch(rf"http://127\.0\.0\.1:{port}/\?token=[0-9a-f]{{48}}", link)
    assert _listening_addresses(port) == {"0100007F"}  # 127.0.0.1, nothing else
    assert _get(port, "/") in (302, 403)  # to the login page: no token, no page
    token = link.split("token=")[1]
    assert _get(port, f"/?token={token}") == 200
    assert _get(port, "/reports/2025/avdelning-1_a1/report.html") in (302, 403)
    assert _get(port, f"/reports/../params/config.yaml?token={token}") in (403, 404)
    assert _get(port, f"/reports/2025/avdelning-1_a1/.key?token={token}") in (403, 404)
    assert _get(port, f"/voila/files/narrative_page.ipynb?token={token}") == 403  # nothing else


def test_an_hr_partner_writes_saves_meets_a_concurrent_edit_and_renders_the_report(
        server, params, tmp_path):
    link, _, log = server
    shots = os.environ.get("HME_PAGE_SHOTS")  # keep screenshots of the flow there, if given
    plan = {"url": link, "query": "avdelning 1", "unit": "a1", "max_found": 1, "texts": TEXTS,
            "actions": ACTIONS, "concurrent": CONCURRENT,
            "second_improve": "Arbetsbelastningen under sommaren.", "shots": shots,
            "height": 2000}
    (tmp_path / "plan.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(["node", str(HERE / "drive_page.js"), str(tmp_path / "plan.json")],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NODE_PATH": str(NODE_MODULES), "CHROMIUM": CHROMIUM})
    assert done.returncode == 0, done.stderr[-3000:] + log.read_text()[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])

    # the unit was found by name and its published numbers shown (a1's HME 2025: 58,3)
    assert [f.replace("\xa0", " ") for f in seen["found"]] == ["Avdelning 1 (a1)"]
    assert "Avdelning 1 2025" in seen["numbers"] and "58,3" in seen["numbers"]

    # the Markdown file holds exactly what was typed (read after the concurrent edit, which
    # touched another section only)
    path = Path(seen["file"])
    assert path.parent == params / "narratives" / "2025"
    saved_text = path.read_text(encoding="utf-8")
    for text in TEXTS.values():
        assert text in saved_text
    narrative = read_narrative(path)
    assert {k: narrative.text(k) for k in TEXTS} == TEXTS
    assert narrative.actions == [
        Action("Inför månatliga målavstämningar", "Enhetschef", 2026),
        Action("Ny introduktion för nyanställda", "HR-partner Åsa", 2025, done=True)]
    assert "Vi är stolta över samarbetet – åäö ÅÄÖ." in seen["preview"]

    # the concurrent edit (their answer to "improve") was kept: the page's save was refused and
    # showed both versions; taking the disk's version left the file as they wrote it
    assert narrative.text("improve") == CONCURRENT
    assert seen["conflict"]["disk"] == seen["after_conflict"] == saved_text
    assert "Arbetsbelastningen under sommaren." in seen["conflict"]["ours"]
    assert CONCURRENT not in seen["conflict"]["ours"]
    assert "Arbetsbelastningen" not in saved_text

    # the unit and its parent were rendered; the new report shows the text
    assert seen["render_status"].startswith("Rapporterna är renderade"), seen["render_status"]
    hrefs = [link["href"] for link in seen["links"]]
    assert [re.sub(r"\?token=.*", "", h).split("/reports/")[1] for h in hrefs] == [
        "2025/avdelning-1_a1/report.html", "2025/avdelning-1_a1/report.pdf",
        "2025/omrade-a_a_6dcd4ce23d88/report.html", "2025/omrade-a_a_6dcd4ce23d88/report.pdf"]
    assert seen["report_status"] == 200 and seen["pdf_status"] == 200
    for line in (TEXTS["summary"], "Vi är stolta över samarbetet – åäö ÅÄÖ.", "Tydliga mål",
                 "Inför månatliga målavstämningar", "HR-partner Åsa"):
        assert line in seen["report_text"]

    # WCAG 2.1 A/AA: no violation at any step
    assert seen["violations"] == {"start": [], "saved": [], "conflict": [], "rendered": [],
                                  "phone": []}
