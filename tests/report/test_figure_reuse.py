"""A re-render takes the charts of the unit's previous report whose inputs are unchanged
(hme_core/report/figure_reuse.py); every other chart is drawn."""

from __future__ import annotations

import json
import os
import re

import nbformat
import numpy as np
import pytest

from hme_core.batch import jobs
from hme_core.report import charts as plots
from hme_core.report import figure_reuse


def _notebook_with(path, *fragments: str) -> None:
    """An executed notebook as papermill saves it, its outputs the given HTML fragments."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("report.section()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": f})
                    for f in fragments]
    nb.cells = [cell]
    nbformat.write(nb, path)


def _no_drawing(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("drawn although the previous report has this chart")

    for name in ("index_comparison_figure", "stoplight_figure", "enps_figure"):
        monkeypatch.setattr(plots, name, refuse)


def test_a_chart_carries_its_key(index_data, monkeypatch):
    monkeypatch.delenv(figure_reuse.PREVIOUS_REPORT_ENV, raising=False)
    html = plots.index_chart_html(index_data, "sv", alt="HME")
    key = re.search(r'<figure class="chart" data-figure-key="([0-9a-f]{64})">', html).group(1)
    assert key == figure_reuse.figure_key("hme_core.report.charts.index_chart_html",
                                          (index_data, "sv"), {"alt": "HME"})


def test_a_chart_with_the_same_inputs_is_copied_from_the_previous_report_not_drawn(
        index_data, tmp_path, monkeypatch):
    monkeypatch.delenv(figure_reuse.PREVIOUS_REPORT_ENV, raising=False)
    drawn = plots.index_chart_html(index_data, "sv", alt="HME")
    _notebook_with(tmp_path / "report.ipynb", "<h2>HME</h2>" + drawn + "<p>text</p>")
    monkeypatch.setenv(figure_reuse.PREVIOUS_REPORT_ENV, str(tmp_path / "report.ipynb"))
    _no_drawing(monkeypatch)
    # the same numbers in a new frame (as the next render loads them from the store)
    assert plots.index_chart_html(index_data.copy(), "sv", alt="HME") == drawn


def test_a_chart_whose_numbers_labels_or_language_changed_is_drawn_again(
        index_data, tmp_path, monkeypatch):
    monkeypatch.delenv(figure_reuse.PREVIOUS_REPORT_ENV, raising=False)
    _notebook_with(tmp_path / "report.ipynb", plots.index_chart_html(index_data, "sv", alt="HME"))
    monkeypatch.setenv(figure_reuse.PREVIOUS_REPORT_ENV, str(tmp_path / "report.ipynb"))
    changed = index_data.assign(value=[78.25, np.nan, 74.0, 80.5])  # last year's Ledarskap
    calls = []
    draw = plots.index_comparison_figure
    monkeypatch.setattr(plots, "index_comparison_figure",
                        lambda *a, **k: calls.append(1) or draw(*a, **k))
    plots.index_chart_html(changed, "sv", alt="HME")
    plots.index_chart_html(index_data, "en", alt="HME")
    plots.index_chart_html(index_data, "sv", alt="HME index 78,3")
    plots.index_chart_html(index_data.assign(series="Avd 13 2025"), "sv", alt="HME")
    assert len(calls) == 4


def test_every_chart_is_drawn_without_a_readable_previous_report(index_data, tmp_path,
                                                                  monkeypatch):
    calls = []
    draw = plots.index_comparison_figure
    monkeypatch.setattr(plots, "index_comparison_figure",
                        lambda *a, **k: calls.append(1) or draw(*a, **k))
    monkeypatch.delenv(figure_reuse.PREVIOUS_REPORT_ENV, raising=False)
    plots.index_chart_html(index_data, "sv", alt="HME")
    monkeypatch.setenv(figure_reuse.PREVIOUS_REPORT_ENV, str(tmp_path / "missing.ipynb"))
    plots.index_chart_html(index_data, "sv", alt="HME")
    (tmp_path / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")  # cut off
    monkeypatch.setenv(figure_reuse.PREVIOUS_REPORT_ENV, str(tmp_path / "broken.ipynb"))
    plots.index_chart_html(index_data, "sv", alt="HME")
    assert len(calls) == 3


@pytest.mark.parametrize("change", ["matplotlib", "fonts", "params"])
def test_the_key_changes_with_matplotlib_the_installed_fonts_or_the_params(
        change, index_data, monkeypatch, tmp_path):
    """The salt is the digest of hme_core's code, params/, matplotlib's version and the fonts
    found: a change of any of them (a new colour in params, an upgrade, Liberation Sans
    installed) must draw every chart anew."""
    args = (index_data, "sv")
    before = figure_reuse.figure_key("f", args, {})
    figure_reuse._salt.cache_clear()
    if change == "matplotlib":
        monkeypatch.setattr("matplotlib.__version__", "0.0-other")
    elif change == "fonts":
        monkeypatch.setattr("hme_core.report.fonts.font_family", lambda: ["Some Other Sans"])
    else:
        import shutil

        from hme_core.paths import params_dir

        shutil.copytree(params_dir(), tmp_path / "params")
        settings = tmp_path / "params" / "config.yaml"
        settings.write_text(settings.read_text(encoding="utf-8") + "\n# edited\n",
                            encoding="utf-8")
        monkeypatch.setenv("HME_PARAMS", str(tmp_path / "params"))
    try:
        assert figure_reuse.figure_key("f", args, {}) != before
    finally:
        figure_reuse._salt.cache_clear()


def test_a_reused_chart_is_found_in_a_notebook_whose_html_output_is_split_into_lines(
        index_data, tmp_path, monkeypatch):
    """nbformat stores multi-line outputs as lists of lines in the file."""
    monkeypatch.delenv(figure_reuse.PREVIOUS_REPORT_ENV, raising=False)
    drawn = plots.index_chart_html(index_data, "sv", alt="HME")
    nb = {"cells": [{"cell_type": "code", "outputs": [
        {"output_type": "display_data", "data": {"text/html": ["<div>\n", drawn, "\n</div>"]}}]}]}
    (tmp_path / "report.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    monkeypatch.setenv(figure_reuse.PREVIOUS_REPORT_ENV, str(tmp_path / "report.ipynb"))
    _no_drawing(monkeypatch)
    assert plots.index_chart_html(index_data, "sv", alt="HME") == drawn


@pytest.mark.parametrize("reuse", [True, False])
def test_render_unit_names_the_previous_notebook_only_when_reuse_is_allowed(
        reuse, tmp_path, monkeypatch):
    """`hme reports --force` (reuse_figures False) draws every chart; the variable is gone
    after the job, as a dask worker renders one job after another in one process."""
    seen = {}

    def fake_render(notebook, parameters, out_dir, **kwargs):
        seen["env"] = os.environ.get(figure_reuse.PREVIOUS_REPORT_ENV)
        return {}

    monkeypatch.setattr("hme_core.render.notebook.render_notebook", fake_render)
    monkeypatch.delenv(figure_reuse.PREVIOUS_REPORT_ENV, raising=False)
    job = jobs.UnitJob(2025, "a1", "Avd 1", tmp_path / "avd-1_a1", "en", tmp_path / "db",
                       ("html",), tmp_path / "unit_report.ipynb", reuse_figures=reuse)
    assert jobs.render_unit(job).ok
    expected = str(tmp_path / "avd-1_a1" / "report.en.ipynb") if reuse else None
    assert seen["env"] == expected
    assert figure_reuse.PREVIOUS_REPORT_ENV not in os.environ
