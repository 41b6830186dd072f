"""A unit's re-render reuses the charts of its previous report whose inputs are unchanged.

An HR partner's edit of a narrative re-renders the unit's report and its parent's (see
`batch/keys.py`), yet none of their charts changed; drawing and encoding the ~15 charts of a
report is ~30 % of its CPU time. So every chart carries a key, `data-figure-key` on its
``<figure>``: a digest of the chart function's name, its arguments (data frames by content:
columns, dtypes, index and values) and of everything else that decides its pixels (hme_core's
code, `params/`, matplotlib's version, the fonts installed). When the batch re-renders a unit,
it names the unit's previous executed notebook (`report.ipynb`, kept beside every report) in the
environment variable `PREVIOUS_REPORT_ENV`; a chart whose key is in that notebook's outputs is
copied from it instead of being drawn again. Both run in the process that executes the notebook: the forked child of
`hme reports`, a Jupyter kernel (which inherits the variable), a dask worker.

Privacy: a chart is only ever taken from the same unit's own previous report in the same
language, and only when the inputs, which are already disclosure-controlled, are identical, so
a reused chart is byte for byte the one that would be drawn. Unset variable (a notebook opened by
hand, `hme reports --force`): every chart is drawn.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

PREVIOUS_REPORT_ENV = "HME_PREVIOUS_REPORT"
KEY_ATTRIBUTE = "data-figure-key"
_FIGURE = re.compile(r'<figure class="chart" ' + KEY_ATTRIBUTE + r'="([0-9a-f]{64})">.*?</figure>',
                     re.S)


@functools.lru_cache(maxsize=1)
def _salt() -> str:
    """What decides a chart's pixels besides its arguments (computed once per process): the
    code, params/, matplotlib's version and the fonts it found installed."""
    import matplotlib

    from hme_core.fingerprints import _digest, code_fingerprint, params_fingerprint
    from hme_core.report.fonts import font_family

    return _digest([code_fingerprint(), params_fingerprint(), matplotlib.__version__,
                    *font_family()])


def _feed(h, value) -> bool:
    """Add `value` to the digest `h`; False for a kind of value this module cannot key."""
    if isinstance(value, pd.DataFrame):
        try:
            rows = pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes()
        except TypeError:  # unhashable cells (lists, dicts): such a chart is always drawn
            return False
        h.update(repr((list(value.columns), [str(d) for d in value.dtypes],
                       list(value.index.names), value.shape)).encode("utf-8"))
        h.update(rows)
        return True
    if value is None or isinstance(value, (str, int, float, bool)):
        h.update(f"{type(value).__name__}:{value!r};".encode())
        return True
    if isinstance(value, (list, tuple)):
        h.update(f"{type(value).__name__}[{len(value)}](".encode())
        if not all(_feed(h, v) for v in value):
            return False
        h.update(b")")
        return True
    return False


def figure_key(name: str, args: tuple, kwargs: dict) -> str | None:
    """The key of a chart: its function's name and arguments, and `_salt`; None when an
    argument is of a kind that cannot be keyed (such a chart is always drawn).

    >>> a = pd.DataFrame({"x": [1.0, 2.0]})
    >>> figure_key("f", (a, "sv"), {}) == figure_key("f", (a.copy(), "sv"), {})
    True
    >>> figure_key("f", (a, "sv"), {}) == figure_key("f", (a.assign(x=[1.0, 2.5]), "sv"), {})
    False
    >>> figure_key("f", (object(),), {}) is None
    True
    >>> figure_key("f", (pd.DataFrame({"x": [[1], [2]]}),), {}) is None
    True
    """
    h = hashlib.sha256(_salt().encode("ascii"))
    h.update(name.encode("utf-8"))
    if not _feed(h, list(args)) or not _feed(h, sorted(kwargs.items())):
        return None
    return h.hexdigest()


def previous_notebook(folder: Path, lang: str) -> Path:
    """Where a unit's previous executed notebook is (in its report folder)."""
    from hme_core.unit_files import report_file

    return Path(folder) / report_file("ipynb", lang)


@functools.lru_cache(maxsize=4)
def _figures_in(path: str, mtime_ns: int) -> dict[str, str]:
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    found: dict[str, str] = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) or []:
            text = (output.get("data") or {}).get("text/html")
            if text:
                text = "".join(text) if isinstance(text, list) else str(text)
                found.update((m.group(1), m.group(0)) for m in _FIGURE.finditer(text))
    return found


def previous_figures() -> dict[str, str]:
    """The keyed charts of the notebook named by `PREVIOUS_REPORT_ENV` ({} when unset, missing
    or unreadable), by key."""
    path = os.environ.get(PREVIOUS_REPORT_ENV)
    if not path:
        return {}
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        return {}
    return _figures_in(path, mtime)


def _with_key(fragment: str, key: str) -> str:
    return fragment.replace('<figure class="chart">', f'<figure class="chart" {KEY_ATTRIBUTE}="{key}">', 1)


def reusable(func: Callable[..., str]) -> Callable[..., str]:
    """`func` (a chart as an HTML ``<figure class="chart">``) keyed, and taken from the previous
    report when that holds a chart of the same key."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs) -> str:
        key = figure_key(f"{func.__module__}.{func.__qualname__}", args, kwargs)
        if key is None:
            return func(*args, **kwargs)
        previous = previous_figures().get(key)
        return previous if previous is not None else _with_key(func(*args, **kwargs), key)

    return wrapper
