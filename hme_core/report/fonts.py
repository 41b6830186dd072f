"""Which installed font the report's charts are drawn in (one fact, read by `charts` and by the
chart keys of `figure_reuse`)."""

from __future__ import annotations

from functools import lru_cache

FONTS = ("Liberation Sans", "Arial", "Helvetica", "DejaVu Sans")  # first installed one wins


@lru_cache(maxsize=1)
def font_family() -> list[str]:
    """Installed fonts from `FONTS`, by name: a generic 'sans-serif' would be resolved at draw
    time, outside the charts' style, and a missing name would log a warning per text."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [f for f in FONTS if f in installed] or ["DejaVu Sans"]
