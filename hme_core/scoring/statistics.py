"""Additive answer statistics per group, and their rollup over the org tree.

Every published number (statement index, subindex, total, eNPS, answer shares) is a ratio of
sums that add up over groups: per item the number of answers and the sum of recoded scores, per
option the number of answers, per index the respondents who answered any of its items and the
sum/count of person means. Computing these once per (unit, group) and summing them over a
unit's subtree (`rollup_statistics`) gives "a unit's result includes its whole subtree"
without touching respondents again. All of it is vectorised with `numpy.bincount`.

Column names of the statistics frame (flat, additive):
`respondents`, `n|<item>`, `sum|<item>`, `sq|<item>`, `dist|<item>|<code>`, `any|<index>`,
`pn|<index>`, `psum|<index>`, and `ps1|<index>` / `ps2|<index>` (sum and sum of squares of the
person mean over the answered items of everyone in `any|<index>`, for standard errors), and
`aud|<instrument>` (respondents in an instrument's audience, e.g. with patient contact).

Audiences: an answer from someone outside an item's audience is ignored (not an answer, not a
missing answer); without the audience's column in the data everyone is in the audience.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hme_core.instruments import Instrument, InstrumentSet
from hme_core.orgtree import rollup

_TOL = 1e-9


def _codes(responses: pd.DataFrame, item: str) -> np.ndarray:
    return responses[item].to_numpy(dtype="float64", na_value=np.nan)


def score_lookup(instrument: Instrument, reversed_: bool,
                 item_id: str | None = None) -> tuple[int, np.ndarray]:
    """(lowest code, array of 0-100 scores by code offset) for one item of an instrument."""
    scale = instrument.scale_of(item_id) if item_id else instrument.scale
    codes = scale.codes
    low = min(codes)
    lut = np.full(max(codes) - low + 1, np.nan)
    for c in codes:
        lut[c - low] = scale.score_of(c, reversed_)
    return low, lut


def recode_answers(responses: pd.DataFrame, instruments: InstrumentSet) -> pd.DataFrame:
    """Answer codes -> 0-100 scores (1..5 -> 0, 25, 50, 75, 100, reversed items mirror;
    docs/sources.md, SKR: HME).

    Missing answers stay NaN. Items of the instruments absent from `responses` are left out.

    >>> from hme_core.instruments import load_instruments
    >>> df = pd.DataFrame({"hme1": pd.array([1, 4, None], dtype="Int16")})
    >>> recode_answers(df, load_instruments())["hme1"].tolist()
    [0.0, 75.0, nan]
    """
    out = {}
    for ins in instruments:
        for item in ins.items:
            if item.id not in responses.columns:
                continue
            low, lut = score_lookup(ins, item.reversed, item.id)
            codes = _codes(responses, item.id)
            scores = np.full(codes.shape, np.nan)
            ok = ~np.isnan(codes)
            scores[ok] = lut[codes[ok].astype(np.int64) - low]
            out[item.id] = scores
    return pd.DataFrame(out, index=responses.index)


def _index_items_present(instrument: Instrument, columns) -> list:
    return [ix for ix in instrument.indices
            if all(i in columns for i in instrument.items_of(ix.id))]


def in_audience(responses: pd.DataFrame, audience: dict[str, str] | None) -> np.ndarray:
    """Rows in an audience ({column: value}, case ignored); a missing value is outside it.

    A column that is absent or blank throughout (the file did not have it) restricts nobody.

    >>> df = pd.DataFrame({"role": pd.array(["chef", "medarbetare", None], dtype="string")})
    >>> in_audience(df, {"role": "Chef"}).tolist()
    [True, False, False]
    """
    ok = np.ones(len(responses), dtype=bool)
    for column, value in (audience or {}).items():
        if column in responses.columns and responses[column].notna().any():
            col = responses[column].astype("string").str.casefold()
            ok &= col.eq(str(value).casefold()).fillna(False).to_numpy(dtype=bool)
    return ok


def apply_audiences(responses: pd.DataFrame, instruments: InstrumentSet) -> pd.DataFrame:
    """`responses` with the answers of people outside each item's audience set to missing."""
    out = None
    masks: dict[tuple, np.ndarray] = {}
    for ins in instruments:
        for item in ins.items:
            audience = ins.audience_of(item.id)
            if item.id not in responses.columns or not audience:
                continue
            key = tuple(sorted(audience.items()))
            if key not in masks:
                masks[key] = ~in_audience(responses, audience)
            outside = masks[key]
            if outside.any():
                out = responses.copy() if out is None else out
                out[item.id] = out[item.id].mask(outside)
    return responses if out is None else out


def answer_statistics(
    responses: pd.DataFrame,
    instruments: InstrumentSet,
    by: Sequence[str] = ("unit",),
) -> pd.DataFrame:
    """Additive statistics per group of `by` (rows with a missing group key are left out).

    `min_answered_share` of each instrument decides who counts in `pn|<index>` (the
    respondent_mean rule: 1.0 = answered every item of the index, docs/sources.md).
    """
    keys = list(by)
    rows = responses.dropna(subset=keys) if keys else responses
    if keys:
        grouper = rows.groupby(keys, sort=True, observed=True)
        gid = grouper.ngroup().to_numpy()
        index = grouper.size().index
    else:
        gid = np.zeros(len(rows), dtype=np.int64)
        index = pd.RangeIndex(1)
    g = len(index)
    cols: dict[str, np.ndarray] = {"respondents": np.bincount(gid, minlength=g).astype(float)}
    rows = apply_audiences(rows, instruments)
    scores = recode_answers(rows, instruments)
    for ins in instruments:
        present = [i for i in ins.item_ids if i in rows.columns]
        if not present:
            continue
        if ins.audience:
            cols[f"aud|{ins.id}"] = np.bincount(gid, weights=in_audience(rows, ins.audience),
                                                minlength=g)
        for item in present:
            codes_all = ins.scale_of(item).codes
            low = min(codes_all)
            s = scores[item].to_numpy()
            answered = ~np.isnan(s)
            cols[f"n|{item}"] = np.bincount(gid, weights=answered, minlength=g)
            filled = np.where(answered, s, 0.0)
            cols[f"sum|{item}"] = np.bincount(gid, weights=filled, minlength=g)
            cols[f"sq|{item}"] = np.bincount(gid, weights=filled * filled, minlength=g)
            code = _codes(rows, item)
            k = max(codes_all) - low + 1
            flat = gid[answered] * k + (code[answered].astype(np.int64) - low)
            dist = np.bincount(flat, minlength=g * k).reshape(g, k)
            for c in codes_all:
                cols[f"dist|{item}|{c}"] = dist[:, c - low].astype(float)
        for ix in _index_items_present(ins, rows.columns):
            items = ins.items_of(ix.id)
            mat = scores[items].to_numpy()
            answered = ~np.isnan(mat)
            count = answered.sum(axis=1)
            cols[f"any|{ix.id}"] = np.bincount(gid, weights=count > 0, minlength=g)
            counts = count >= ins.min_answered_share * len(items) - _TOL
            with np.errstate(invalid="ignore", divide="ignore"):
                person = np.where(answered, mat, 0.0).sum(axis=1) / count
            anyone = np.where(count > 0, person, 0.0)
            cols[f"ps1|{ix.id}"] = np.bincount(gid, weights=anyone, minlength=g)
            cols[f"ps2|{ix.id}"] = np.bincount(gid, weights=anyone * anyone, minlength=g)
            cols[f"pn|{ix.id}"] = np.bincount(gid, weights=counts, minlength=g)
            cols[f"psum|{ix.id}"] = np.bincount(
                gid, weights=np.where(counts, person, 0.0), minlength=g
            )
    return pd.DataFrame(cols, index=index)


def rollup_statistics(stats: pd.DataFrame, org: pd.DataFrame) -> pd.DataFrame:
    """Sum each unit's statistics into itself and every ancestor (docs/sources.md, SKR: HME).

    `stats` is indexed by `unit` (and possibly group keys); `org` is the year's tree. Units with
    nobody in their subtree are absent from the result, which is sorted by its index. The sums
    are added bottom-up over the tree (`orgtree.rollup`): linear in units, whatever the depth.
    """
    other = [k for k in stats.index.names if k != "unit"]
    unit_pos = pd.Index(org["unit"].astype(str).to_numpy()).get_indexer(
        stats.index.get_level_values("unit").astype(str))
    rows = unit_pos >= 0  # rows of units outside the tree are left out
    if other:
        keys = stats.index.droplevel("unit")[rows]
        group, uniques = pd.factorize(keys)
    else:
        group, uniques = np.zeros(int(rows.sum()), np.int64), None
    pos, grp, sums = rollup(org, unit_pos[rows], group, stats.to_numpy(float)[rows])
    units = org["unit"].to_numpy()[pos]
    if other:
        labels = uniques.take(grp)
        arrays = [labels.get_level_values(i) for i in range(len(other))] if len(other) > 1 \
            else [labels]
        index = pd.MultiIndex.from_arrays([units, *arrays], names=["unit", *other])
    else:
        index = pd.Index(units, name="unit")
    return pd.DataFrame(sums, index=index, columns=stats.columns).sort_index()
