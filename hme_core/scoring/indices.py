"""Index values from additive answer statistics, before any privacy rule.

Rules (docs/sources.md, SKR: HME):
- statement index = mean of recoded answers (0-100) of those who answered; its n = answers;
- `item_mean` (Kolada, default): a subindex / total is the mean of its statement indices, and its
  n = respondents who answered at least one of its statements;
- `respondent_mean`: mean of person means over respondents who answered (by default) all its
  statements; n = those respondents;
- eNPS = % promoters (9-10) - % detractors (0-6), -100..100; n = answers;
- a `themes` index (a dimension) = mean of its themes' values; its n is the fewest respondents
  any of its themes has and its statements are all its themes' items, so the primary rule
  shows it only where it shows every theme;
- categorical items (Ja/Nej) have no value (never averaged); their shares are a distribution.

Every function here takes the statistics frame of `scoring.statistics` and returns a tidy frame
with the same index levels as columns: counts and unsuppressed values. None of them sees a
respondent, and none decides what may be published (that is `disclosure`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hme_core.instruments import Instrument, InstrumentSet


def _keys(stats: pd.DataFrame) -> pd.DataFrame:
    return stats.index.to_frame(index=False)


def _stat(stats: pd.DataFrame, column: str) -> np.ndarray:
    return stats[column].to_numpy(dtype=float) if column in stats else np.full(len(stats), np.nan)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def statement_values(stats: pd.DataFrame, instruments: InstrumentSet) -> pd.DataFrame:
    """One row per (group, Likert statement): instrument, item, role, n, value (0-100)."""
    frames = []
    for ins in instruments:
        if ins.method == "nps":
            continue
        for item in ins.items:
            if f"n|{item.id}" not in stats:
                continue
            n = _stat(stats, f"n|{item.id}")
            value = _ratio(_stat(stats, f"sum|{item.id}"), n)
            if ins.scale_of(item.id).kind == "categorical":
                value = np.full(len(n), np.nan)
            frames.append(
                _keys(stats).assign(
                    instrument=ins.id,
                    item=item.id,
                    role=item.role,
                    n=n.astype(int),
                    value=value,
                )
            )
    return _concat(frames)


def distribution_values(stats: pd.DataFrame, instruments: InstrumentSet) -> pd.DataFrame:
    """One row per (group, statement, answer code): n, count and share (0-1) of answers."""
    frames = []
    for ins in instruments:
        for item in ins.items:
            if f"n|{item.id}" not in stats:
                continue
            n = _stat(stats, f"n|{item.id}")
            for code in ins.scale_of(item.id).codes:
                count = _stat(stats, f"dist|{item.id}|{code}")
                frames.append(
                    _keys(stats).assign(
                        instrument=ins.id,
                        item=item.id,
                        code=code,
                        n=n.astype(int),
                        count=count,
                        share=_ratio(count, n),
                    )
                )
    return _concat(frames)


def _category_counts(stats: pd.DataFrame, ins: Instrument, item: str) -> dict[str, np.ndarray]:
    return {
        cat.id: sum(_stat(stats, f"dist|{item}|{c}") for c in cat.codes)
        for cat in ins.scale.categories
    }


def enps_values(stats: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """eNPS per group: n, counts and shares (%) of detractors/passive/promoters, and the score.

    Check (docs/sources.md, eNPS): 1017 promoters, 2442 passive, 3639 detractors -> 14.3 / 34.4 /
    51.3 %, eNPS -36.9.
    """
    item = instrument.items[0].id
    n = _stat(stats, f"n|{item}")
    cats = _category_counts(stats, instrument, item)
    shares = {k: 100 * _ratio(v, n) for k, v in cats.items()}
    out = _keys(stats).assign(n=np.nan_to_num(n).astype(int))
    for k in ("detractors", "passive", "promoters"):
        out[k] = cats[k]
        out[f"{k}_pct"] = shares[k]
    out["enps"] = shares["promoters"] - shares["detractors"]
    return out


def index_values(stats: pd.DataFrame, instruments: InstrumentSet, method: str) -> pd.DataFrame:
    """One row per (group, index): instrument, index, n, value, and `statement_n`, the fewest
    answers any of the index's statements has (what the primary rule looks at).

    `method` is the configured index method (`item_mean` or `respondent_mean`); eNPS always
    uses its own.
    """
    frames = []
    for ins in instruments:
        resolved = ins.resolved_method(method)
        themes: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # id -> (n, value)
        for ix in ins.indices:
            items = ins.items_of(ix.id)
            if not all(f"n|{i}" in stats for i in items):
                continue
            item_n = np.column_stack([_stat(stats, f"n|{i}") for i in items])
            if ix.themes:  # a dimension: the mean of its themes
                n = np.column_stack([themes[t][0] for t in ix.themes]).min(axis=1)
                with np.errstate(invalid="ignore"):
                    value = np.column_stack([themes[t][1] for t in ix.themes]).mean(axis=1)
            elif resolved == "nps":
                n = _stat(stats, f"n|{ix.items[0]}")
                value = enps_values(stats, ins)["enps"].to_numpy()
            elif resolved == "item_mean":
                item_values = np.column_stack(
                    [_ratio(_stat(stats, f"sum|{i}"), _stat(stats, f"n|{i}")) for i in ix.items]
                )
                n = _stat(stats, f"any|{ix.id}")
                with np.errstate(invalid="ignore"):
                    value = item_values.mean(axis=1)
            else:  # respondent_mean
                n = _stat(stats, f"pn|{ix.id}")
                value = _ratio(_stat(stats, f"psum|{ix.id}"), n)
            themes[ix.id] = (n, value)
            frames.append(
                _keys(stats).assign(
                    instrument=ins.id,
                    index=ix.id,
                    n=np.nan_to_num(n).astype(int),
                    value=value,
                    statement_n=item_n.min(axis=1),
                )
            )
    return _concat(frames)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)


def _se_from_sums(n: np.ndarray, s1: np.ndarray, s2: np.ndarray) -> np.ndarray:
    """Standard error of a mean from n, sum and sum of squares (sample variance, n - 1)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (s2 - s1 * s1 / n) / (n - 1)
        return np.where(n > 1, np.sqrt(np.clip(var, 0, None) / n), np.nan)


def index_standard_errors(stats: pd.DataFrame, instruments: InstrumentSet) -> pd.DataFrame:
    """Approximate standard error of each index per group, for the "within noise" rule.

    Likert indices: SD of respondents' person means (over the statements they answered)
    divided by sqrt(n). eNPS: 100 * sqrt((p + d - (p - d)^2) / n) with p, d the promoter and
    detractor shares (the variance of a difference of multinomial shares). Statements: SD of the
    answers / sqrt(n).
    """
    frames = []
    for ins in instruments:
        for ix in ins.indices:
            if not all(f"n|{i}" in stats for i in ins.items_of(ix.id)):
                continue
            if ins.method == "nps":
                n = _stat(stats, f"n|{ix.items[0]}")
                cats = _category_counts(stats, ins, ix.items[0])
                p, d = _ratio(cats["promoters"], n), _ratio(cats["detractors"], n)
                with np.errstate(invalid="ignore", divide="ignore"):
                    se = 100 * np.sqrt(np.clip(p + d - (p - d) ** 2, 0, None) / n)
            else:
                se = _se_from_sums(_stat(stats, f"any|{ix.id}"), _stat(stats, f"ps1|{ix.id}"),
                                   _stat(stats, f"ps2|{ix.id}"))
            frames.append(_keys(stats).assign(index=ix.id, se=se))
        if ins.method != "nps":
            for item in ins.items:
                if f"n|{item.id}" in stats:
                    se = _se_from_sums(_stat(stats, f"n|{item.id}"), _stat(stats, f"sum|{item.id}"),
                                       _stat(stats, f"sq|{item.id}"))
                    frames.append(_keys(stats).assign(index=item.id, se=se))
    return _concat(frames)


def change_within_noise(diff: float, se_now: float, se_before: float, z: float = 1.96) -> bool:
    """True when a change lies inside the 95 % confidence interval of no change.

    Rule: |diff| < z * sqrt(se_now^2 + se_before^2), treating the two years as independent
    samples. Unknown standard errors count as noise (nothing is claimed).

    >>> change_within_noise(3.0, 1.0, 1.0)   # 1.96 * sqrt(2) = 2.77
    False
    >>> change_within_noise(2.5, 1.0, 1.0)
    True
    """
    bound = z * float(np.sqrt(se_now**2 + se_before**2))
    return not np.isfinite(bound) or abs(diff) < bound
