"""Figures of the research workbook. Each takes tidy data and returns a matplotlib Figure;
no statistics are computed here beyond seaborn's fitted line. Styling lives in `_theme` only.

Figures are closed in pyplot before they are returned, so a notebook shows each once (as the
cell's value) and batch runs keep no open figures; the backend is left to the caller.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.ticker import FuncFormatter

OWN_COLOUR = "#c0392b"


def _theme() -> None:
    sns.set_theme(style="whitegrid", context="notebook", palette="colorblind",
                  rc={"figure.dpi": 100, "axes.titlesize": 10, "axes.labelsize": 9})


def _done(fig: plt.Figure) -> plt.Figure:
    plt.close(fig)
    return fig


def _label(name: str, labels: Mapping[str, str] | None) -> str:
    return (labels or {}).get(name, name.replace("_", " "))


def _locale_ticks(axis, decimal: str) -> None:
    """Tick labels with the language's decimal sign ("," in Swedish) and a true minus."""
    axis.set_major_formatter(FuncFormatter(
        lambda v, _: f"{v:.3g}".replace("-", "\u2212").replace(".", decimal)))


def _intervals(ax, low, high, positions, colour: str = "black") -> None:
    """Intervals drawn from their bounds as computed (a bootstrap interval need not contain its
    estimate, so they are never drawn as errors around it); missing bounds are left out."""
    for lo, hi, y in zip(low, high, positions, strict=True):
        if pd.notna(lo) and pd.notna(hi):
            ax.plot([lo, hi], [y, y], color=colour, lw=0.8)
            ax.plot([lo, hi], [y, y], "|", color=colour, ms=5)


def scatter_fits(
    table: pd.DataFrame, x: str, y: Sequence[str], labels: Mapping[str, str] | None = None,
    col_wrap: int = 3, decimal: str = ".",
) -> plt.Figure:
    """One panel per outcome in `y`: units as points, `x` on the x axis, OLS line with 95 % band;
    `decimal` is the decimal sign of the axis labels ("," in Swedish)."""
    _theme()
    long = table.melt(id_vars=[x], value_vars=list(y), var_name="outcome", value_name="value")
    long["outcome"] = long["outcome"].map(lambda c: _label(c, labels))
    grid = sns.lmplot(data=long.dropna(), x=x, y="value", col="outcome", col_wrap=col_wrap,
                      facet_kws={"sharey": False}, height=2.8, aspect=1.2,
                      scatter_kws={"s": 10, "alpha": 0.45}, line_kws={"color": OWN_COLOUR})
    grid.set_titles("{col_name}")
    grid.set_axis_labels(_label(x, labels), "")
    for ax in grid.axes.flat:
        _locale_ticks(ax.xaxis, decimal)
        _locale_ticks(ax.yaxis, decimal)
    return _done(grid.figure)


def correlation_forest(corr: pd.DataFrame, labels: Mapping[str, str] | None = None,
                       lang: str = "sv") -> plt.Figure:
    """r with its confidence interval per (x, y) pair, one colour per `method` (forest plot),
    methods and axis in the workbook's language (`research_method_*`, `research_r_ci`)."""
    from hme_core.i18n import t
    _theme()
    df = corr.dropna(subset=["r"]).copy()
    df["pair"] = [f"{_label(a, labels)} × {_label(b, labels)}" for a, b in zip(df["x"], df["y"], strict=True)]
    pairs = list(dict.fromkeys(df["pair"]))
    methods = list(dict.fromkeys(df["method"]))
    fig, ax = plt.subplots(figsize=(7, 0.32 * len(pairs) + 1.2))
    step = 0.7 / max(len(methods), 1)
    for k, (method, colour) in enumerate(zip(methods, sns.color_palette(n_colors=len(methods)), strict=True)):
        sub = df[df["method"] == method]
        pos = [pairs.index(p) + (k - (len(methods) - 1) / 2) * step for p in sub["pair"]]
        _intervals(ax, sub["ci_low"], sub["ci_high"], pos, colour)
        ax.plot(sub["r"], pos, "o", ms=4, color=colour,
                label=t(f"research_method_{method}", lang))
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(range(len(pairs)), pairs)
    ax.invert_yaxis()
    ax.set_xlabel(t("research_r_ci", lang))
    _locale_ticks(ax.xaxis, "," if lang == "sv" else ".")
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    return _done(fig)


def benchmark_strip(
    benchmark: pd.DataFrame, own: pd.DataFrame, labels: Mapping[str, str] | None = None,
    gender: str = "T", title: str = "",
) -> plt.Figure:
    """Others' values per index and year as dots, the organisation's own as a red diamond;
    `title` above (e.g. that the others are a FICTITIOUS sample).

    `benchmark` and `own` are Kolada-shaped with an `index` column (`kolada.read_kolada`).
    """
    _theme()
    others = benchmark[benchmark["gender"] == gender].assign(
        index=lambda d: d["index"].map(lambda c: _label(c, labels)))
    mine = own[own["gender"] == gender].assign(
        index=lambda d: d["index"].map(lambda c: _label(c, labels)))
    years = sorted(set(others["year"]) | set(mine["year"]))
    fig, axes = plt.subplots(1, len(years), figsize=(3.2 * len(years), 3.2), sharey=True,
                             squeeze=False)
    for ax, year in zip(axes[0], years, strict=True):
        sns.stripplot(data=others[others["year"] == year], x="index", y="value", ax=ax,
                      color="grey", alpha=0.6, size=4, jitter=0.15)
        m = mine[mine["year"] == year]
        sns.stripplot(data=m, x="index", y="value", ax=ax, color=OWN_COLOUR, marker="D",
                      size=7, jitter=False)
        ax.set_title(str(year))
        ax.set_xlabel("")
        ax.tick_params(axis="x", rotation=30)
    axes[0][0].set_ylabel("index (0–100)")
    if title:
        fig.suptitle(title, fontweight="bold")
    fig.tight_layout()
    return _done(fig)


def loadings_heatmap(loadings: pd.DataFrame, model: str) -> plt.Figure:
    """Standardised loadings (items × factors) of one model of `structure.factor_structure`."""
    _theme()
    sub = loadings[loadings["model"] == model]
    wide = sub.pivot(index="item", columns="factor", values="loading")
    wide = wide.reindex(index=list(dict.fromkeys(sub["item"])),
                        columns=list(dict.fromkeys(sub["factor"])))
    fig, ax = plt.subplots(figsize=(1.2 * wide.shape[1] + 2, 0.35 * len(wide) + 1))
    sns.heatmap(wide, annot=True, fmt=".2f", cmap="vlag", center=0, vmin=-1, vmax=1, ax=ax,
                cbar=False)
    ax.set_xlabel("")
    ax.set_ylabel("")
    fig.tight_layout()
    return _done(fig)


def key_driver_bars(drivers: pd.DataFrame, labels: Mapping[str, str] | None = None,
                    decimal: str = ".") -> plt.Figure:
    """LMG share of R² per predictor (bars) with its bootstrap interval as computed (which may
    lie beside the bar's end), largest on top; one
    panel per outcome (`keydrivers.relative_importance` rows), two panels a row.
    `decimal` is the decimal sign of the axis labels ("," in Swedish)."""
    _theme()
    outcomes = list(dict.fromkeys(drivers["outcome"]))
    n_pred = int(drivers.groupby("outcome").size().max())
    cols = 1 if len(outcomes) == 1 else 2
    rows = -(-len(outcomes) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(8 if cols == 1 else 9, (0.45 * n_pred + 0.9) * rows),
                             squeeze=False)
    tick = FuncFormatter(lambda v, _: f"{v:.3g}".replace(".", decimal))
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        sub = drivers[drivers["outcome"] == outcome].sort_values("lmg")
        names = [textwrap.fill(_label(p, labels), 50 if cols == 1 else 25) for p in sub["predictor"]]
        ax.barh(names, sub["lmg"], color="#4c72b0")
        _intervals(ax, sub["ci_low"], sub["ci_high"], range(len(names)))
        ax.set_title(_label(outcome, labels), loc="left")
        ax.set_xlabel("LMG (R²)")
        ax.xaxis.set_major_formatter(tick)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    fig.tight_layout()
    return _done(fig)
