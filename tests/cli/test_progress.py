"""Long commands know their total before the work starts, and show their bar only on a terminal."""

from __future__ import annotations

import io
import shutil

import nbformat
from rich.console import Console

from hme_core.batch.run import run_batch
from hme_core.cli.progress import progress_bar
from hme_core.narratives.files import init_narratives
from hme_core.paths import REPO_ROOT
from hme_core.store.duckdb_store import Store
from tests.fixtures import build_store


def _parameters_only_notebook(path):
    """A notebook with just the parameters cell: the batch around it is what is tested."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    cell = nbformat.v4.new_code_cell('year = 2025\nunit = "R"\nlang = "sv"\ndb = None')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nbformat.write(nb, path)
    return path


def test_reports_announce_the_units_to_render_before_the_first_is_done(tmp_path):
    db = build_store(tmp_path / "data")
    notebook = _parameters_only_notebook(tmp_path / "tiny.ipynb")
    run = dict(formats=("html",), notebook=notebook, out_root=tmp_path / "out", workers=1)
    [first] = run_batch(2025, db, units=["a1"], **run)  # a1 is up to date afterwards
    assert first.ok, first.error
    events = []
    run_batch(2025, db, units=["A", "a1", "a2"], **run,
              on_plan=lambda to_render, up_to_date: events.append(("plan", to_render, up_to_date)),
              progress=lambda outcome: events.append(("done", outcome.unit)))
    assert events[0] == ("plan", 2, 1)  # A and a2 to render, a1 skipped
    assert sorted(events[1:]) == [("done", "A"), ("done", "a2")]


def test_narratives_init_announces_its_total_before_the_first_file(tmp_path, monkeypatch):
    db = build_store(tmp_path / "data")
    params = tmp_path / "params"
    shutil.copytree(REPO_ROOT / "params", params, ignore=shutil.ignore_patterns("narratives"))
    monkeypatch.setenv("HME_PARAMS", str(params))
    calls = []
    with Store.open(db, read_only=True) as store:
        init_narratives(2025, ["A", "a1"], store, progress=lambda *a: calls.append(a))
    assert calls == [(0, 2, ""), (1, 2, "A"), (2, 2, "a1")]  # tree order: A before a1


def _bar_output(terminal: bool) -> str:
    out = io.StringIO()
    console = Console(file=out, force_terminal=terminal, width=120)
    with progress_bar("Rendering 2025", console=console) as bar:
        bar.total(5)
        bar.advance("a1")
        bar.advance("a2")
    return out.getvalue()


def test_the_bar_shows_done_of_total_a_rate_and_an_eta_on_a_terminal():
    text = _bar_output(terminal=True)
    assert "2/5" in text and "units/min" in text and "ETA" in text and "a2" in text


def test_the_bar_writes_nothing_when_the_output_is_no_terminal():
    assert _bar_output(terminal=False) == ""
