"""Look at a report as a person would: headless Chromium screenshots, desktop and phone width."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from hme_core.batch.run import run_batch
from tests.fixtures import build_store

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ACCENT = (0x1B, 0x5E, 0x8C)      # headings and key figures (report.css --accent)
DARK_GREEN = (0x2F, 0x7D, 0x45)  # stoplight "Stämmer mycket bra" (plots.STOPLIGHT_COLOURS[5])


def _screenshot(html, png, width, height, profile):
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", "--hide-scrollbars",
         f"--window-size={width},{height}", f"--screenshot={png}", html.as_uri()],
        check=True, capture_output=True, timeout=120)
    return np.asarray(Image.open(png).convert("RGB")).astype(int)


def _has_colour(img, rgb, tol=40):
    return bool((np.abs(img - np.array(rgb)).sum(axis=2) < tol).any())


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make sysdeps)")
@pytest.mark.parametrize("width", [1000, 390])
def test_report_renders_offline_with_styles_and_charts(tmp_path, width):
    db = build_store(tmp_path / "data")
    [o] = run_batch(2025, db, units=["a1"], formats=("html",), out_root=tmp_path / "out")
    img = _screenshot(o.folder / "report.html", tmp_path / "shot.png", width, 2400,
                      tmp_path / "profile")
    assert img.shape[1] == width
    assert img.std() > 20                         # not a blank page
    assert _has_colour(img, ACCENT)               # the stylesheet applied (inline, offline)
    assert _has_colour(img, DARK_GREEN, tol=60)   # the embedded stoplight image loaded
