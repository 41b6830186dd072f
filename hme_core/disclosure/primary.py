"""The primary privacy rule: which values are too small to show, whatever else is published.

Rules (see `docs/sources.md`):
- a statement's index is shown from `min_n_index` answers;
- an index (subindex, total, eNPS score) is shown only if every one of its statements has
  >= `min_n_index` answers, and its own n (respondents) is >= `min_n_index` too;
- an answer distribution (stoplight, eNPS shares) is shown from `min_n_distribution` answers;
- a sensitive question's shares (instruments in `sensitive_instruments`, exposure by default)
  only when every answer option someone chose has `min_n_category` answers (the frequency
  rule: one "yes" to victimisation could be recognised); otherwise the label is `category`.

A cell failing the rule keeps its n; its value is NaN and `suppression` says `primary`. The
`*_results` functions apply the rule to the values of `scoring.indices`: what a table would
show before secondary suppression, the starting point of `disclosure.publish`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hme_core.config import Settings
from hme_core.instruments import Instrument, InstrumentSet
from hme_core.scoring.indices import enps_values, index_values, statement_values

PRIMARY = "primary"
CATEGORY = "category"  # the frequency rule of sensitive questions ("färre än 3")


def statement_shown(n: np.ndarray, settings: Settings) -> np.ndarray:
    """A statement's index may be shown: n >= `min_n_index` answers.

    >>> statement_shown(np.array([4, 5]), Settings()).tolist()
    [False, True]
    """
    return np.asarray(n) >= settings.min_n_index


def index_shown(statement_n: np.ndarray, n: np.ndarray, settings: Settings) -> np.ndarray:
    """An index may be shown: its least answered statement and its own n both reach
    `min_n_index`.

    >>> index_shown(np.array([4, 5]), np.array([6, 6]), Settings()).tolist()
    [False, True]
    """
    return (np.asarray(statement_n) >= settings.min_n_index) & (np.asarray(n) >= settings.min_n_index)


def distribution_shown(n: np.ndarray, settings: Settings) -> np.ndarray:
    """An answer distribution may be shown: n >= `min_n_distribution` answers.

    >>> distribution_shown(np.array([9, 10]), Settings()).tolist()
    [False, True]
    """
    return np.asarray(n) >= settings.min_n_distribution


def categories_shown(counts: list[np.ndarray], settings: Settings) -> np.ndarray:
    """A sensitive question's shares may be shown: no answer option has 1 to
    `min_n_category` - 1 answers (an option nobody chose reveals no one).

    >>> categories_shown([np.array([0, 1, 3]), np.array([9, 9, 9])], Settings()).tolist()
    [True, False, True]
    """
    small = [(np.asarray(c) > 0) & (np.asarray(c) < settings.min_n_category) for c in counts]
    return ~np.logical_or.reduce(small) if small else np.ones(0, bool)


def _label(shown: np.ndarray) -> np.ndarray:
    return np.where(shown, "", PRIMARY)


def statement_results(
    stats: pd.DataFrame, instruments: InstrumentSet, settings: Settings
) -> pd.DataFrame:
    """One row per (group, statement): n, value (0-100), suppression, distribution_shown."""
    out = statement_values(stats, instruments)
    if "n" not in out:  # no statement in the data
        return out
    shown = statement_shown(out["n"], settings)
    return out.assign(value=out["value"].where(shown), suppression=_label(shown),
                      distribution_shown=distribution_shown(out["n"], settings))


def enps_results(stats: pd.DataFrame, instrument: Instrument, settings: Settings) -> pd.DataFrame:
    """eNPS per group with the rule applied: the score from `min_n_index` answers, counts and
    shares from `min_n_distribution`."""
    out = enps_values(stats, instrument)
    show_score = index_shown(out["n"], out["n"], settings)
    show_dist = distribution_shown(out["n"], settings)
    for k in ("detractors", "passive", "promoters"):
        out[k] = out[k].where(show_dist)
        out[f"{k}_pct"] = out[f"{k}_pct"].where(show_dist)
    out["enps"] = out["enps"].where(show_score)
    out["suppression"] = _label(show_score)
    return out


def index_results(
    stats: pd.DataFrame, instruments: InstrumentSet, settings: Settings
) -> pd.DataFrame:
    """One row per (group, index): instrument, index, n, value, suppression."""
    out = index_values(stats, instruments, settings.method)
    if "n" not in out:  # no index has all its statements in the data
        return out
    shown = index_shown(out.pop("statement_n"), out["n"], settings)
    return out.assign(value=out["value"].where(shown), suppression=_label(shown))
