"""Consistency between publications of one year: a republication after new answers never
reveals, together with what was published before, what either hides.

The risk: a year is published, late answers arrive, the year is ingested again and
published again. Each publication is safe on its own, but a parent published with n 16 and
62,7, then with n 17 and 58,99, gives the late person's answer: 17 x 58,99 - 16 x 62,7.

The rule follows GaussSuppression's `AdditionalSuppression` (docs/sources.md): what an earlier
publication showed is known, what it hid stays hidden.
1. A cell hidden in an earlier publication stays hidden.
2. A cell published before whose count changed publishes a difference: its new value minus the
   old one is the sum over the answers added (or removed). Those differences add up over the
   org tree as the values do, so they are decided like values, by the same primary rule
   (a difference of 1..threshold-1 answers is sensitive) and the same complementary
   suppression (`secondary.suppress` on the tree's lattice, counts = the differences), per
   statement, index and distribution. A cell whose difference must stay hidden is hidden now.
3. A breakdown group (sex, role, ...) whose count changed is hidden now: its difference is
   never published, so the groups of the late answers follow from nothing.
4. An index is hidden wherever one of its statements (or themes) is hidden by this rule, as
   its value would give the statement's; a distribution wherever its statement is.
5. A distribution (answer shares, eNPS shares) whose count changed is hidden: the counts per
   option of the answers added are never published.
Hiding more than the year's own decision never makes anything derivable that was not, so the
year's own guarantee holds too. Known limit: answers changed in place (the same count) are
taken as unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hme_core.config import Settings
from hme_core.disclosure.secondary import DIRECT, build_lattice, suppress
from hme_core.instruments import InstrumentSet

SECONDARY = "secondary"
#: Each result table: its cell key besides the unit, and its columns that carry values.
CELLS = {
    "scores": (["index"], ["value", "se"]),
    "statements": (["item"], ["value", "se"]),
    "enps": ([], ["detractors", "detractors_pct", "passive", "passive_pct", "promoters",
                  "promoters_pct", "enps"]),
    "breakdowns": (["variable", "group", "index"], ["value"]),
}


def consistent_release(tables: dict[str, pd.DataFrame],
                       previously_published: Sequence[dict[str, pd.DataFrame]],
                       org: pd.DataFrame, instruments: InstrumentSet,
                       settings: Settings) -> dict[str, pd.DataFrame]:
    """The year's result `tables` with what must be hidden, given every earlier publication
    of the year (`Store.publications`), hidden (values NaN, `suppression` 'secondary',
    distributions dropped). Pure; `tables` are not changed."""
    out = {name: frame.copy() for name, frame in tables.items()}
    if not previously_published:
        return out
    hidden: dict[str, pd.Series] = {}
    for name, (keys, _values) in CELLS.items():
        now = out.get(name)
        if now is None or now.empty or "n" not in now:
            continue
        mask = pd.Series(False, index=now.index)
        for before in previously_published:
            old = before.get(name)
            if old is None or old.empty:
                continue
            mask |= _against(now, old, keys, org, name, settings)
        hidden[name] = mask
    _hide_indices_of_hidden_statements(out, hidden, instruments)
    for name, mask in hidden.items():
        out[name] = _hide(out[name], mask, CELLS[name][1])
    if "scores" in out and "enps" in out and len(out["enps"]):  # one decision for eNPS
        enps_hidden = out["scores"].loc[out["scores"]["index"] == "enps"]
        gone = set(enps_hidden.loc[enps_hidden["value"].isna(), "unit"])
        out["enps"] = _hide(out["enps"], out["enps"]["unit"].isin(gone), CELLS["enps"][1])
    if "distributions" in out and "statements" in out:
        st = out["statements"]
        shown = set(zip(st.loc[st["value"].notna(), "unit"], st.loc[st["value"].notna(), "item"],
                         strict=True))
        if "enps" in out and len(out["enps"]):
            e = out["enps"]
            shown |= {(u, "enps") for u in e.loc[e["enps"].notna(), "unit"]}
        for before in previously_published:  # a distribution hidden before stays hidden
            old = before.get("statements")
            if old is not None and "distribution_shown" in old:
                hid = old[~old["distribution_shown"].fillna(False).astype(bool)]
                shown -= set(zip(hid["unit"], hid["item"], strict=True))
            shown -= _changed_counts(st, old, "item")  # the late answers' own distribution
            shown -= {(u, "enps") for u, _ in _changed_counts(
                out.get("enps"), before.get("enps"), None)}
        dist = out["distributions"]
        keep = [(u, i) in shown for u, i in zip(dist["unit"], dist["item"], strict=True)]
        out["distributions"] = dist[np.asarray(keep, bool)].reset_index(drop=True)
    return out


def _changed_counts(now: pd.DataFrame | None, old: pd.DataFrame | None,
                    key: str | None) -> set[tuple]:
    """(unit, key) cells whose count differs from the earlier publication's (rule 5: the
    distribution of the answers added is never published, whatever its size)."""
    if now is None or old is None or now.empty or old.empty:
        return set()
    cols = ["unit", key] if key else ["unit"]
    joined = now[[*cols, "n"]].merge(old[[*cols, "n"]].drop_duplicates(cols), on=cols,
                                     suffixes=("", "_before"))
    changed = joined[joined["n"] != joined["n_before"]]
    return set(zip(changed["unit"], changed[key] if key else changed["unit"], strict=True))


def _against(now: pd.DataFrame, old: pd.DataFrame, keys: list[str], org: pd.DataFrame,
             name: str, settings: Settings) -> pd.Series:
    """Cells of `now` to hide given one earlier publication `old` of the same table."""
    cols = ["unit", *keys]
    before = old[[*cols, "n", *(["value"] if "value" in old else ["enps"])]].copy()
    before.columns = [*cols, "n_before", "value_before"]
    before = before.drop_duplicates(cols)
    joined = now[cols + ["n"]].merge(before, on=cols, how="left", validate="many_to_one")
    joined.index = now.index
    was_there = joined["n_before"].notna()
    was_hidden = was_there & joined["value_before"].isna()
    changed = was_there & (joined["n"] != joined["n_before"])
    if name == "breakdowns":
        return was_hidden | changed
    threshold = settings.min_n_distribution if name == "enps" else settings.min_n_index
    hide = was_hidden.copy()
    delta = (joined["n"].fillna(0) - joined["n_before"].fillna(0)).abs()
    delta[~was_there] = 0  # a cell not published before publishes no difference
    layers = ([joined.index] if not keys else  # one statement, index, ... at a time
              [joined.index[ix] for ix in joined.groupby(keys, sort=False).indices.values()])
    for rows in layers:
        if not changed.loc[rows].any():
            continue
        hide.loc[rows] |= _tree_decision(org, joined.loc[rows, "unit"], delta.loc[rows],
                                         (hide | now_hidden(now)).loc[rows], threshold)
    return hide


def now_hidden(frame: pd.DataFrame) -> pd.Series:
    """Cells the year's own decision hides (their value is missing)."""
    column = "value" if "value" in frame else "enps"
    return frame[column].isna()


def _tree_decision(org: pd.DataFrame, units: pd.Series, delta: pd.Series,
                   hidden: pd.Series, threshold: int) -> np.ndarray:
    """Which of these unit cells to hide so that no difference of 1..threshold-1 answers
    (a unit's, or the direct respondents' of a unit with children) follows from the
    differences published: the tree lattice's complementary suppression on the differences."""
    lattice = build_lattice(org)
    order = org["unit"].astype(str).tolist()
    pos = {u: i for i, u in enumerate(order)}
    per_unit = np.zeros(len(order))
    known_hidden = np.zeros(len(order), bool)
    for unit, d, h in zip(units.astype(str), delta.to_numpy(float), hidden.to_numpy(bool),
                          strict=True):
        if unit in pos:
            per_unit[pos[unit]] = d
            known_hidden[pos[unit]] = h
    cells = lattice.cells
    n = np.zeros(len(cells))
    n[:len(order)] = per_unit
    direct = np.flatnonzero(cells["kind"].to_numpy() == DIRECT)
    if len(direct):  # direct(p) = subtree(p) - its children's subtrees
        parent = org["parent"].astype(object).where(org["parent"].notna(), None).tolist()
        children_sum = np.zeros(len(order))
        for i, p in enumerate(parent):
            if isinstance(p, str) and p in pos:
                children_sum[pos[p]] += per_unit[i]
        owners = [pos[u] for u in cells["unit"].to_numpy()[direct]]
        n[direct] = np.abs(per_unit[owners] - children_sum[owners])
    primary = (n > 0) & (n < threshold)
    primary[:len(order)] |= known_hidden & (per_unit > 0)
    mask = suppress(lattice, n, primary)[:len(order)]
    return np.array([mask[pos[u]] if u in pos else True for u in units.astype(str)])


def _hide_indices_of_hidden_statements(out: dict[str, pd.DataFrame],
                                       hidden: dict[str, pd.Series],
                                       instruments: InstrumentSet) -> None:
    """An index is hidden where one of its statements or themes is (rule 4)."""
    if "scores" not in hidden or "statements" not in hidden:
        return
    st = out["statements"]
    gone = set(zip(st.loc[hidden["statements"], "unit"], st.loc[hidden["statements"], "item"],
                   strict=True))
    sc = out["scores"]
    for ins in instruments:
        for index in ins.indices:
            parts = [*index.items, *index.themes]
            rows = sc["index"] == index.id
            if not rows.any() or not parts:
                continue
            units = sc.loc[rows, "unit"]
            hit = units.map(lambda u, p=parts, g=frozenset(gone): any((u, x) in g for x in p))
            hidden["scores"] = hidden["scores"] | hit.reindex(sc.index, fill_value=False)
            gone |= set(zip(sc.loc[rows & hidden["scores"], "unit"],
                            [index.id] * int((rows & hidden["scores"]).sum()), strict=True))


def _hide(frame: pd.DataFrame, mask: pd.Series, values: list[str]) -> pd.DataFrame:
    """`frame` with the values of `mask`'s rows hidden (complementary suppression)."""
    frame = frame.copy()
    mask = mask.reindex(frame.index, fill_value=False).to_numpy(bool)
    for column in values:
        if column in frame:
            frame.loc[mask, column] = np.nan
    if "suppression" in frame:
        frame.loc[mask & (frame["suppression"].fillna("") == ""), "suppression"] = SECONDARY
    if "distribution_shown" in frame:
        frame.loc[mask, "distribution_shown"] = False
    return frame
