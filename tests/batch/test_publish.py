"""`hme publish` copies exactly the publishable files: index page, report HTML and PDF."""

from __future__ import annotations

import os
import stat

import pytest

from hme_core.batch.publish import publish
from hme_core.cli import main
from hme_core.errors import HMEError


def _reports(root):
    year = root / "2025"
    for folder in ("region_r_1a2b", "avd_a1"):
        (year / folder).mkdir(parents=True)
        for name in ("report.html", "report.pdf", "report.ipynb", ".cache-key"):
            (year / folder / name).write_text(f"{folder}/{name}")
    (year / "index.html").write_text("index")
    (year / ".tmp-x.html").write_text("half")
    return year


def test_publish_copies_html_pdf_and_index_only_with_readable_modes(tmp_path, monkeypatch):
    old = os.umask(0o022)
    try:
        monkeypatch.setenv("HME_OUTPUTS", str(tmp_path / "outputs"))
        _reports(tmp_path / "outputs" / "reports")
        assert main(["publish", "--year", "2025", "--to", str(tmp_path / "web")]) == 0
    finally:
        os.umask(old)
    published = sorted(str(p.relative_to(tmp_path / "web" / "2025"))
                       for p in (tmp_path / "web" / "2025").rglob("*") if p.is_file())
    assert published == ["avd_a1/report.html", "avd_a1/report.pdf", "index.html",
                         "region_r_1a2b/report.html", "region_r_1a2b/report.pdf"]
    assert stat.S_IMODE(os.stat(tmp_path / "web" / "2025" / "index.html").st_mode) == 0o644
    assert stat.S_IMODE(os.stat(tmp_path / "web" / "2025" / "avd_a1").st_mode) == 0o755
    assert [p.name for p in (tmp_path / "web").iterdir()] == ["2025"]  # no staging left


def test_republishing_replaces_the_whole_year_and_keeps_nothing_stale(tmp_path):
    year = _reports(tmp_path / "reports")
    publish(year, tmp_path / "web", 2025)
    (year / "avd_a1" / "report.pdf").unlink()
    (year / "index.html").write_text("index v2")
    target, count = publish(year, tmp_path / "web", 2025)
    assert count == 4 and (target / "index.html").read_text() == "index v2"
    assert not (target / "avd_a1" / "report.pdf").exists()


def test_a_linked_report_is_refused_and_nothing_is_published(tmp_path):
    year = _reports(tmp_path / "reports")
    secret = tmp_path / "secret.txt"
    secret.write_text("respondent rows")
    (year / "avd_a1" / "report.pdf").unlink()
    (year / "avd_a1" / "report.pdf").symlink_to(secret)
    with pytest.raises(HMEError, match="symbolic link"):
        publish(year, tmp_path / "web", 2025)
    assert not (tmp_path / "web" / "2025").exists()
