"""The report's font (one fact): its family names for HTML, SVG charts and the PDF, and the
width of a text in it, which the charts' geometry needs (`report/svg.py` places row labels
and sizes the label column by it).

DejaVu Sans is what `report.css` and the PDF template name first; Liberation Sans is the
metric-compatible fallback. Widths are measured with Pillow's FreeType binding from the
installed font file; where neither is installed, a width of 0.55 em per character stands in
(the charts then keep a little more room than they need, never less).
"""

from __future__ import annotations

from functools import lru_cache

FAMILIES = ("DejaVu Sans", "Liberation Sans")
FILES = {False: ("DejaVuSans.ttf", "LiberationSans-Regular.ttf"),
         True: ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf")}
MEASURE_SIZE = 100  # measured at 100 pt, scaled: one font object per weight


def css_family() -> str:
    """The font list as CSS and SVG write it."""
    return ", ".join(f"'{f}'" for f in FAMILIES) + ", sans-serif"


@lru_cache(maxsize=2)
def _font(bold: bool):
    from PIL import ImageFont

    for name in FILES[bold]:
        try:
            return ImageFont.truetype(name, MEASURE_SIZE)
        except OSError:
            continue
    return None


@lru_cache(maxsize=4096)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of `text` at `size` points, in points.

    >>> round(text_width("HME", 10) / text_width("HME", 5), 3)
    2.0
    """
    font = _font(bold)
    if font is None:
        return 0.55 * size * len(text)
    return font.getlength(text) * size / MEASURE_SIZE


def warm_up() -> None:
    """Load both weights once (in a parent that forks per report)."""
    text_width("warm", 8)
    text_width("warm", 8, True)
