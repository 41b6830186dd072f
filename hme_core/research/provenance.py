"""What produced a research result, so it can be cited and reproduced: date, package and
dependency versions, seed, parameters and a fingerprint of the data used.

The fingerprint is SHA-256 over the analysed tables written as CSV with sorted rows and
columns (values rounded to 10 significant digits), so the same store and parameters give the
same fingerprint on any machine; the first 16 hex digits are shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
from collections.abc import Mapping, Sequence
from importlib import metadata

import pandas as pd

PACKAGES = ("hme-workbench", "numpy", "pandas", "scipy", "statsmodels", "pingouin", "semopy",
            "matplotlib", "seaborn", "duckdb")


def versions(packages: Sequence[str] = PACKAGES) -> dict[str, str]:
    """Installed version of each package ('not installed' if absent), plus Python's."""
    out = {"python": platform.python_version()}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def fingerprint(frames: Sequence[pd.DataFrame]) -> str:
    """Order-independent SHA-256 (16 hex digits) of the given tables (rule above).

    >>> a = pd.DataFrame({"x": [1.0, 2.0], "y": ["a", "b"]})
    >>> fingerprint([a]) == fingerprint([a.iloc[::-1][["y", "x"]]])
    True
    """
    digest = hashlib.sha256()
    for frame in frames:
        f = frame[sorted(frame.columns, key=str)]
        f = f.map(lambda v: f"{v:.10g}" if isinstance(v, float) else str(v))
        f = f.sort_values(list(f.columns)).reset_index(drop=True) if len(f.columns) else f
        digest.update(f.to_csv(index=False).encode("utf-8"))
    return digest.hexdigest()[:16]


def provenance(parameters: Mapping[str, object], seed: int, n_boot: int,
               frames: Sequence[pd.DataFrame], today: dt.date | None = None) -> pd.DataFrame:
    """Two columns, `item` and `value`: date, versions, seed, bootstrap resamples, parameters
    and the data fingerprint."""
    rows = [("date", (today or dt.date.today()).isoformat()),
            *((f"version: {k}", v) for k, v in versions().items()),
            ("seed", str(seed)), ("n_boot", str(n_boot)),
            *((f"parameter: {k}", str(v)) for k, v in parameters.items()),
            ("data fingerprint (SHA-256)", fingerprint(frames))]
    return pd.DataFrame(rows, columns=["item", "value"])
