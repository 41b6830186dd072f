"""The in-process papermill engine and the fork pool: same outputs, isolated runs."""

from __future__ import annotations

import os

import nbformat
import papermill as pm
import pytest

from hme_core.batch.forkpool import run_forked
from hme_core.render import engine  # noqa: F401  (registers the engine)


def _notebook(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("x = 1")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params] + [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, path)
    return path


def test_engine_records_streams_displays_and_the_last_expression(tmp_path):
    src = _notebook(tmp_path / "a.ipynb", [
        "print('hello', x)",
        "from IPython.display import display, HTML\ndisplay(HTML('<i>d</i>'))\nx * 21",
    ])
    nb = pm.execute_notebook(str(src), str(tmp_path / "out.ipynb"), parameters={"x": 2},
                             engine_name="hme-inprocess", progress_bar=False)
    outs = [c.outputs for c in nb.cells if c.cell_type == "code"]
    assert outs[2][0]["text"] == "hello 2\n"  # cell 0 params, 1 injected, 2 print
    assert outs[3][0]["data"]["text/html"] == "<i>d</i>"
    assert outs[3][1]["output_type"] == "execute_result"
    assert outs[3][1]["data"]["text/plain"] == "42"


def test_cells_hold_strings_in_python_storage_and_the_caller_keeps_its_own(tmp_path):
    """Cells run with pandas' python string storage (the report's many small selections;
    render/engine.py); the calling process's setting is unchanged afterwards."""
    import pandas as pd

    before = pd.get_option("mode.string_storage")
    src = _notebook(tmp_path / "s.ipynb", [
        "import pandas as pd\ns = pd.Series(['Vård', None])\nprint(s.dtype, s.dtype.storage, "
        "s.isna().tolist())"])
    nb = pm.execute_notebook(str(src), str(tmp_path / "out.ipynb"), parameters={},
                             engine_name="hme-inprocess", progress_bar=False)
    assert nb.cells[-1].outputs[0]["text"] == "str python [False, True]\n"
    assert pd.get_option("mode.string_storage") == before


def test_an_analysts_matplotlib_figure_becomes_a_png_without_the_report_importing_matplotlib(
        tmp_path):
    import subprocess
    import sys

    from hme_core.paths import REPO_ROOT

    warm = subprocess.run(
        [sys.executable, "-c", "import sys; from hme_core.render.notebook import warm_up; "
         "warm_up(); print('matplotlib' in sys.modules)"],
        capture_output=True, text=True, cwd=REPO_ROOT, env={**os.environ,
                                                            "PYTHONPATH": str(REPO_ROOT)})
    assert warm.stdout.strip() == "False", warm.stderr[-1500:]
    src = _notebook(tmp_path / "m.ipynb", [
        "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots()\nax.bar(['a', 'b'], [1, 2])\nfig"])
    nb = pm.execute_notebook(str(src), str(tmp_path / "out.ipynb"), engine_name="hme-inprocess",
                             progress_bar=False)
    [out] = nb.cells[-1].outputs
    assert out["data"]["image/png"] and out["output_type"] == "execute_result"


def test_engine_failure_raises_papermill_error_naming_the_cell(tmp_path):
    src = _notebook(tmp_path / "b.ipynb", ["y = 1", "raise ValueError('broken on purpose')",
                                           "z = 3"])
    with pytest.raises(pm.PapermillExecutionError) as info:
        pm.execute_notebook(str(src), str(tmp_path / "out.ipynb"), engine_name="hme-inprocess",
                            progress_bar=False)
    assert info.value.ename == "ValueError" and "broken on purpose" in info.value.evalue
    saved = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert saved.cells[-1].get("execution_count") is None  # stopped at the failing cell


def test_every_forked_run_starts_from_a_pristine_process(tmp_path):
    # Each run checks that no earlier run's module-level state is visible, then leaves some.
    src = _notebook(tmp_path / "c.ipynb", [
        "import hme_core\nassert not hasattr(hme_core, '_leak'), hme_core._leak\n"
        "hme_core._leak = x\nimport os\nos.environ['HME_LEAK'] = str(x)",
        "assert os.environ['HME_LEAK'] == str(x)",
    ])

    def run(i):
        pm.execute_notebook(str(src), str(tmp_path / f"out{i}.ipynb"), parameters={"x": i},
                            engine_name="hme-inprocess", progress_bar=False)
        return i

    done = run_forked(list(range(4)), run, workers=1, on_failure=lambda t, why: (t, why))
    assert sorted(done) == [0, 1, 2, 3]
    assert "HME_LEAK" not in os.environ


def test_a_child_that_dies_is_reported_and_the_others_finish():
    def work(i):
        if i == 1:
            os.kill(os.getpid(), 9)
        return i

    done = run_forked([0, 1, 2], work, workers=2, on_failure=lambda t, why: (t, why))
    assert 0 in done and 2 in done
    assert (1, "worker process killed by signal 9") in done
