"""The same batch on a dask.distributed LocalCluster gives the same reports as the plain run."""

from __future__ import annotations

import re

import pytest

from hme_core.batch.run import run_batch
from tests.fixtures import build_store

pytestmark = pytest.mark.slow


def _normalised(html: str) -> str:
    return re.sub(r'id="cell-id=[^"]*"', "", html)


def test_local_cluster_with_two_workers_matches_the_plain_run(tmp_path):
    db = build_store(tmp_path / "data")
    plain = run_batch(2025, db, units=["A", "a1", "a2"], formats=("html",),
                      out_root=tmp_path / "plain")
    dist = run_batch(2025, db, units=["A", "a1", "a2"], formats=("html",), workers=2,
                     out_root=tmp_path / "dask", scheduler="local")
    assert all(o.ok for o in dist), [o.error for o in dist]
    p = {o.unit: o.folder for o in plain}
    d = {o.unit: o.folder for o in dist}
    assert set(p) == set(d)
    for unit in p:
        assert d[unit].parent == tmp_path / "dask" / "2025"
        a = (p[unit] / "report.html").read_text(encoding="utf-8")
        b = (d[unit] / "report.html").read_text(encoding="utf-8")
        assert _normalised(a) == _normalised(b), unit
        assert (d[unit] / "report.ipynb").exists()
    assert (tmp_path / "dask" / "2025" / "index.html").exists()


def test_workers_keep_no_copy_of_the_store_after_a_batch(tmp_path):
    """The workers' copy of the store (every respondent's answers) sits in a 0700 folder of
    this user, is 0600 while it exists, and is removed when the batch ends."""
    import hashlib
    import os
    import stat

    from hme_core.batch.cluster import _cache_dir

    db = build_store(tmp_path / "data")
    digest = hashlib.sha256(db.read_bytes()).hexdigest()[:24]
    out = run_batch(2025, db, units=["a1"], formats=("html",), workers=1,
                    out_root=tmp_path / "dask", scheduler="local")
    assert all(o.ok for o in out), [o.error for o in out]
    folder = _cache_dir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert folder.stat().st_uid == os.getuid()
    assert list(folder.glob(f"{digest}*")) == []
