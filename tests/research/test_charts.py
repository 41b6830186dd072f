"""Plot helpers return a Figure from tidy input and leave no figure open in pyplot."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from hme_core.research import charts as plots  # noqa: E402
from hme_core.research.correlations import correlations  # noqa: E402


def test_every_plot_returns_a_closed_figure():
    rng = np.random.default_rng(0)
    units = pd.DataFrame({"hme": rng.normal(78, 4, 30)})
    units["sick_leave_rate"] = 12 - 0.08 * units["hme"] + rng.normal(0, 0.5, 30)
    units["staff_turnover"] = rng.normal(10, 3, 30)
    corr = correlations(units, ["hme"], ["sick_leave_rate", "staff_turnover"])
    kolada = pd.DataFrame({"year": 2025, "index": ["hme", "motivation"] * 3, "gender": "T",
                           "value": [78, 80, 79, 81, 77, 79.0]})
    loadings = pd.DataFrame({"model": "3_factor", "item": ["hme1", "hme2"], "factor": "f1",
                             "loading": [0.7, 0.8]})
    figures = [
        plots.scatter_fits(units, "hme", ["sick_leave_rate", "staff_turnover"], {"hme": "HME"}),
        plots.correlation_forest(corr),
        plots.benchmark_strip(kolada, kolada.iloc[:2]),
        plots.loadings_heatmap(loadings, "3_factor"),
    ]
    assert all(isinstance(f, plt.Figure) for f in figures)
    assert plt.get_fignums() == []


def test_a_key_driver_interval_that_misses_its_estimate_is_drawn():
    # a bootstrap percentile interval may lie above a share near 0 (seen with eNPS drivers of
    # 12 units): drawn from its ends, never an error bar with a negative length
    from hme_core.research.charts import key_driver_bars

    drivers = pd.DataFrame({"outcome": ["enps", "enps"], "predictor": ["motivation", "leadership"],
                            "lmg": [0.001, 0.2], "ci_low": [0.004, 0.1], "ci_high": [0.05, 0.3]})
    fig = key_driver_bars(drivers)
    [ax] = fig.axes
    drawn = {tuple(line.get_xdata()) for line in ax.lines}
    assert {(0.004, 0.05), (0.1, 0.3)} <= drawn


def test_the_correlation_and_scatter_figures_speak_the_workbooks_language():
    """Swedish workbook: methods as the tables name them, 'r (95 % KI)', decimal comma and a
    true minus on the axes; English: '.' and 'r (95% CI)'."""
    rng = np.random.default_rng(1)
    units = pd.DataFrame({"hme": rng.normal(70, 6, 20)})
    units["sick_leave_rate"] = 9 - 0.05 * units["hme"] + rng.normal(0, 0.8, 20)
    corr = correlations(units, ["hme"], ["sick_leave_rate"])
    corr = pd.concat([corr, correlations(units, ["hme"], ["sick_leave_rate"], "spearman")])
    sv = plots.correlation_forest(corr, lang="sv")
    [ax] = sv.axes
    sv.canvas.draw()
    assert ax.get_xlabel() == "r (95 % KI)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Pearson", "Spearman"]
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert any("," in x for x in ticks) and not any("." in x for x in ticks)
    assert any(x.startswith("\u2212") for x in ticks)
    en = plots.correlation_forest(corr, lang="en")
    en.canvas.draw()
    assert en.axes[0].get_xlabel() == "r (95% CI)"
    assert not any("," in t.get_text() for t in en.axes[0].get_xticklabels())
    fits = plots.scatter_fits(units, "hme", ["sick_leave_rate"], decimal=",")
    fits.canvas.draw()
    labels = [t.get_text() for ax in fits.axes for t in ax.get_yticklabels() if t.get_text()]
    assert labels and not any("." in x for x in labels)
