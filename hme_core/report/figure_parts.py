"""What every report chart is made of: the style, a text-wide figure laid out without a layout
engine (`new_figure`, `row_labels`, `fit`), bars as collections (`bars`, `stacked_bars`), and
the embedding as an opaque PNG in an HTML ``<figure>`` (`png_bytes`, `figure_html`).

Kept apart from the chart kinds (`report/charts.py`) so each chart is only its data and
geometry. Sizes suit an A4 page (17 cm text width); `figure_html` embeds a PNG that scales down
on phones.
"""

from __future__ import annotations

import base64
import html
import io
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import matplotlib

if "matplotlib.pyplot" not in sys.modules:  # headless by default; never hijack a notebook backend
    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.transforms import ScaledTranslation  # noqa: E402
from PIL import Image  # noqa: E402

from hme_core.report.fonts import font_family  # noqa: E402
from hme_core.report.legend import LegendKey, legend_html  # noqa: E402

WIDTH_IN = 17 / 2.54  # A4 text width
DPI = 150
# zlib level of the embedded PNGs: Pillow's filter choice, not zlib, is most of the encoding
# time; level 1 costs ~70 % of level 6's time for ~12 % more bytes, and the PDF takes the PNG
# data as written (render/pdf_images.py)
PNG_COMPRESS_LEVEL = 1
INK = "#1F2933"  # text on light backgrounds
BAR_HEIGHT = 0.62  # of a row


# seaborn's "whitegrid" style in its "paper" context, as plain rcParams: importing seaborn (and
# through it scipy.stats) would cost ~0.7 CPU-s in every process that renders a report
WHITEGRID_PAPER = {
    "axes.facecolor": "white", "axes.grid": True, "axes.axisbelow": True, "axes.linewidth": 1.0,
    "grid.linestyle": "-", "grid.linewidth": 0.8, "xtick.direction": "out",
    "ytick.direction": "out", "xtick.top": False, "ytick.right": False, "xtick.bottom": False,
    "ytick.left": False, "xtick.major.width": 1.0, "ytick.major.width": 1.0,
    "xtick.major.size": 4.8, "ytick.major.size": 4.8, "lines.linewidth": 1.2,
    "lines.markersize": 4.8, "lines.solid_capstyle": "round", "patch.linewidth": 0.8,
    "patch.edgecolor": "w", "patch.force_edgecolor": True, "legend.title_fontsize": 9.6,
}


def despine(ax: Axes, left: bool = False, bottom: bool = False) -> None:
    """Hide the top and right frame lines (and the left / bottom ones when asked)."""
    ax.spines[["top", "right", *(["left"] if left else []), *(["bottom"] if bottom else [])]
              ].set_visible(False)


@contextmanager
def style() -> Iterator[None]:
    """The one place report styling is set: seaborn's whitegrid, calm greys, A4-sized fonts."""
    rc = {
        **WHITEGRID_PAPER,
        "font.family": font_family(), "font.size": 8.5, "axes.labelsize": 8.5,
        "axes.titlesize": 10, "axes.titleweight": "bold", "axes.titlelocation": "left",
        "figure.titlesize": 10, "figure.titleweight": "bold", "axes.edgecolor": "#B8C0C8",
        "axes.labelcolor": INK, "text.color": INK, "xtick.color": "#52606D", "ytick.color": INK,
        "xtick.labelsize": 8, "ytick.labelsize": 8.5, "grid.color": "#E4E7EB",
        "hatch.linewidth": 0.6, "figure.facecolor": "white", "savefig.facecolor": "white",
        # unit names are plain text: "Kostnad $5 per $" keeps its dollar signs (no mathtext)
        "text.parse_math": False,
    }
    with plt.rc_context(rc):
        yield


def new_figure(height_in: float) -> tuple[Figure, Axes]:
    """A text-wide figure with one axes at the PNG's `DPI` (texts measured by `fit` are then
    drawn from the same layout), laid out by `fit` (not by a layout engine: constrained layout
    costs a quarter of a figure's CPU time for the same picture here)."""
    fig = plt.figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
    return fig, fig.add_subplot()


def row_labels(ax: Axes, y: Sequence[float], labels: Sequence[str]) -> None:
    """Label each row left of the axes, drawn exactly where and as matplotlib draws y tick
    labels (font size and colour of the style, 'ytick.major.pad' points left of the axes,
    right-aligned, centred on the row's baseline; the ticks themselves of length 0), but as one
    text per row: a tick is two lines, two texts and their properties copied, a fifth of
    building a chart here. The y axis keeps no ticks."""
    ax.set_yticks([])
    pad_in = plt.rcParams["ytick.major.pad"] / 72
    transform = ax.get_yaxis_transform(which="tick1") + ScaledTranslation(
        -pad_in, 0, ax.get_figure(root=False).dpi_scale_trans)
    colour = plt.rcParams["ytick.labelcolor"]
    colour = plt.rcParams["ytick.color"] if colour == "inherit" else colour
    for yi, label in zip(y, labels, strict=True):
        ax.text(0, yi, label, transform=transform, ha="right", va="center_baseline",
                fontsize=plt.rcParams["ytick.labelsize"], color=colour, gid="row-label")


def fit(fig: Figure, ax: Axes, top_in: float, bottom_in: float, right_in: float) -> None:
    """Margins in inches: left as wide as the longest row label (`row_labels`), the rest as
    given (the x axis and the legend below live in `bottom_in`, texts right of the bars in
    `right_in`)."""
    height = fig.get_figheight()
    renderer = fig.canvas.get_renderer()
    labels = [text for text in ax.texts if text.get_gid() == "row-label"]
    label_in = max((lbl.get_window_extent(renderer).width for lbl in labels),
                   default=0.0) / fig.dpi
    fig.subplots_adjust(left=(label_in + 0.1) / WIDTH_IN, right=1 - right_in / WIDTH_IN,
                        top=1 - top_in / height, bottom=bottom_in / height)


def text_colour(face: str) -> str:
    """White on dark faces, ink on light ones (relative luminance, WCAG weights)."""
    r, g, b = to_rgb(face)
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5 else INK


def bars(ax: Axes, y: Sequence[float], left: Sequence[float], widths: Sequence[float],
          colour: str, edge: str, linewidth: float) -> None:
    """Horizontal bars `BAR_HEIGHT` high centred on `y`, as one collection: the picture of
    ``ax.barh(y, widths, left=left, height=BAR_HEIGHT, ...)`` (same pixels here), without a patch
    and its data-limit update per bar (~40 % of building a stoplight chart). The caller sets
    the axes' limits."""
    half = BAR_HEIGHT / 2
    verts = [((x0, yi - half), (x0, yi + half), (x0 + w, yi + half), (x0 + w, yi - half))
             for yi, x0, w in zip(y, left, widths, strict=True)]
    ax.add_collection(PolyCollection(verts, facecolors=colour, edgecolors=edge,
                                     linewidths=linewidth), autolim=False)


def stacked_bars(ax: Axes, y: np.ndarray, segments: Sequence[tuple[np.ndarray, str]],
                  min_share: float, fmt: Callable[[float], str]) -> None:
    """Draw 100 % stacked bars from (shares 0–1, colour) segments, left to right.

    Segments at least `min_share` wide get `fmt(share)` centred inside, in a readable colour.
    """
    left = np.zeros(len(y))
    for shares, colour in segments:
        shares = np.nan_to_num(np.asarray(shares, dtype=float))
        bars(ax, y, left, shares, colour, "white", 0.8)
        for yi, x0, w in zip(y, left, shares, strict=True):
            if w >= min_share:
                ax.text(x0 + w / 2, yi, fmt(w), ha="center", va="center", fontsize=7.5,
                        color=text_colour(colour))
        left += shares
    ax.set_xlim(0, 1)
    ax.set_ylim(len(y) - 0.5, -0.5)
    ax.xaxis.set_visible(False)
    ax.grid(False)
    despine(ax, left=True, bottom=True)


def png_bytes(fig: Figure, out: io.BytesIO) -> None:
    """Write `fig` to `out` as an opaque RGB PNG at `DPI`, drawn once.

    `savefig` draws a figure with a layout engine twice (a dry run for the layout, then the
    real one) and writes RGBA, which WeasyPrint splits into an image and an alpha mask; one
    canvas draw and an RGB PNG cost ~25 % less CPU here and give the same picture on the white
    page. The draw uses the figure's own Agg canvas where it has one, so the texts `fit`
    measured are drawn from the same renderer's text cache (~4 % of a chart's time).
    """
    fig.set_dpi(DPI)
    fig.patch.set_facecolor("white")  # opaque: RGB keeps no alpha
    fig.patch.set_alpha(1)
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw",
                             "RGBA", 0, 1)
    image.convert("RGB").save(out, format="png", compress_level=PNG_COMPRESS_LEVEL)


def figure_html(fig: Figure, alt: str, caption: str | None = None,
                width_px: int | None = None, legend: Sequence[LegendKey] = ()) -> str:
    """The figure as an HTML ``<figure>`` with an embedded PNG (base64) and its `legend` under
    it (`legend.legend_html`), then closes the figure.

    `alt` (required, for screen readers) and `caption` are HTML-escaped. The image scales with
    the page (``max-width:100%``); `width_px` sets its preferred display width.
    """
    buffer = io.BytesIO()
    try:
        png_bytes(fig, buffer)
    finally:
        plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    width = f' width="{int(width_px)}"' if width_px else ""
    img = (f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}"'
           f'{width} style="max-width:100%;height:auto">')
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f'<figure class="chart">{img}{legend_html(legend)}{cap}</figure>'
