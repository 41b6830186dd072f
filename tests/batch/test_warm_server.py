"""The warm helper of a dask worker (hme_core/batch/warm_server.py): each unit in a fresh fork of
a warmed-up process, the same report as a local run, and no unit lost to a helper or child that
dies."""

from __future__ import annotations

import os
import re
import signal

import nbformat
import pytest

from hme_core.batch import warm_server
from hme_core.batch.jobs import UnitJob, render_unit
from hme_core.paths import notebooks_dir, params_dir
from tests.fixtures import build_store

pytestmark = pytest.mark.slow


@pytest.fixture
def db(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("data"))


@pytest.fixture(autouse=True)
def fresh_helpers():
    yield
    helper = getattr(warm_server._local, "helper", None)
    if helper is not None:
        helper.close()
        warm_server._local.helper = None


def _job(db, folder, unit="a1", notebook=None) -> UnitJob:
    return UnitJob(2025, unit, f"Enhet {unit}", folder, "sv", db, ("html",),
                   notebook or notebooks_dir() / "unit_report.ipynb", executor="kernel")


def _notebook(path, source: str):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("year = 2025\nunit = ''\nlang = 'sv'\ndb = ''")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(source)]
    nbformat.write(nb, path)
    return path


def _normalised(path) -> str:
    return re.sub(r'id="cell-id=[^"]*"', "", path.read_text(encoding="utf-8"))


def test_a_unit_rendered_by_the_warm_helper_equals_the_local_render(db, tmp_path):
    outcome = warm_server.render_warm(_job(db, tmp_path / "warm"), params_dir())
    assert outcome.ok, outcome.error
    local = render_unit(UnitJob(**{**_job(db, tmp_path / "local").__dict__,
                                   "executor": "inprocess"}))
    assert local.ok, local.error
    assert _normalised(tmp_path / "warm" / "report.html") == \
        _normalised(tmp_path / "local" / "report.html")


def test_units_run_in_fresh_forks_of_one_helper(db, tmp_path):
    """Two units: one helper process, two different children, each a child of the helper."""
    probe = _notebook(tmp_path / "probe.ipynb",
                      "import os\nprint(os.getpid(), os.getppid())")
    seen = []
    for name in ("x", "y"):
        out = warm_server.render_warm(_job(db, tmp_path / name, notebook=probe), params_dir())
        assert out.ok, out.error
        nb = nbformat.read(tmp_path / name / "report.ipynb", as_version=4)
        seen.append(tuple(map(int, nb.cells[-1].outputs[0]["text"].split())))
    helper = warm_server._local.helper.proc.pid
    assert seen[0][0] != seen[1][0] and seen[0][1] == seen[1][1] == helper


def test_a_child_killed_mid_render_is_that_units_failure_and_the_helper_goes_on(db, tmp_path):
    crash = _notebook(tmp_path / "crash.ipynb", "import os, signal\n"
                                                "os.kill(os.getpid(), signal.SIGKILL)")
    out = warm_server.render_warm(_job(db, tmp_path / "c", notebook=crash), params_dir())
    assert not out.ok and "killed by signal 9" in out.error
    helper = warm_server._local.helper.proc.pid
    again = warm_server.render_warm(_job(db, tmp_path / "ok"), params_dir())
    assert again.ok, again.error
    assert warm_server._local.helper.proc.pid == helper


def test_a_helper_that_died_is_replaced_and_the_unit_still_rendered(db, tmp_path):
    assert warm_server.render_warm(_job(db, tmp_path / "first"), params_dir()).ok
    first = warm_server._local.helper.proc
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    out = warm_server.render_warm(_job(db, tmp_path / "second"), params_dir())
    assert out.ok, out.error
    assert warm_server._local.helper.proc.pid != first.pid


def test_output_written_straight_to_file_descriptor_1_does_not_corrupt_the_answers(db,
                                                                                  tmp_path):
    noisy = _notebook(tmp_path / "noisy.ipynb", "import os\nos.write(1, b'noise' * 1000)")
    out = warm_server.render_warm(_job(db, tmp_path / "n", notebook=noisy), params_dir())
    assert out.ok, out.error
    assert warm_server.render_warm(_job(db, tmp_path / "after"), params_dir()).ok


def test_another_params_folder_gets_its_own_helper(db, tmp_path):
    """Warm-up reads params/ (settings, instruments): a helper serves one params folder."""
    import shutil

    assert warm_server.render_warm(_job(db, tmp_path / "p1"), params_dir()).ok
    first = warm_server._local.helper.proc
    other = tmp_path / "params-copy"
    shutil.copytree(params_dir(), other)
    out = warm_server.render_warm(_job(db, tmp_path / "p2"), other)
    assert out.ok, out.error
    assert warm_server._local.helper.proc.pid != first.pid and first.poll() is not None
