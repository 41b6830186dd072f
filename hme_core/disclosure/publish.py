"""What may be published: the one place that decides, for every output.

Rules, in order:
1. Primary (`disclosure.primary`; docs/sources.md, SKR: HME): a statement needs `min_n_index`
   answers, an index needs it on each of its statements, eNPS needs it on its question, an answer
   distribution (stoplight, eNPS shares) needs `min_n_distribution`.
2. Secondary (complementary) suppression (`cell_suppression`): no hidden value may follow
   exactly from published values and the public counts `n`, across (a) the org tree (a parent
   = its children's subtrees + its direct respondents), (b) breakdowns (a unit = its groups;
   respondents with the variable missing are a group that is never published), and (c) both
   (parent x group = children x group + direct x group). Unpublished parts (direct groups,
   missing-variable groups) are protected when they have 1..threshold-1 answers.

It works where values add up. Per statement: the sum of recoded answers (n public), for the
unit totals and every (sex, role) group. An `item_mean` index is the mean of its statement
indices, so it is hidden when any of its statements is. A `respondent_mean` index adds up as
the sum of person means over `pn` persons: its own measure. eNPS adds up as promoters minus
detractors; distributions as counts per answer option, and a distribution is hidden whenever
its statement (or eNPS score) is, since it reveals that value. A dimension (an index of
themes) is the mean of its themes in every cell, a relation that does not add up over the
tree: it is hidden exactly where any of its themes is (so a hidden dimension never has all its
themes published) and is not given to the additive solver (docs/sources.md, "Statistical
disclosure control"). A categorical item (Ja/Nej) has no value: its
shares are a distribution, decided like a stoplight. The unit totals are decided
first, on the tree alone; breakdown groups are then chosen as complements before any total.

The decision is made here once per year, from the statistics of every cell (computed once, and
handed on in the `Publication`); `results.tables` applies it to the values of `scoring`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hme_core.config import Settings
from hme_core.disclosure.partitioned import cheapest_suppression
from hme_core.disclosure.primary import (
    CATEGORY,
    PRIMARY,
    categories_shown,
    enps_results,
    index_results,
    statement_results,
)
from hme_core.disclosure.secondary import DIRECT, SUBTREE, TOTAL, Lattice, build_lattice
from hme_core.instruments import InstrumentSet
from hme_core.scoring.statistics import answer_statistics, rollup_statistics
from hme_core.vocabulary import BREAKDOWN_VARIABLES

SECONDARY = "secondary"
UNKNOWN_GROUP = "uppgift saknas"  # respondents with the breakdown variable missing
CELL_KEYS = ["unit", "variable", "group", "kind"]


@dataclass(frozen=True)
class Publication:
    """Decisions per publishable cell; `suppression` is '' (published), 'primary' or 'secondary'.

    `statements`: unit, variable, group, item, n, suppression (variable/group '' = the unit's
    total); `indices`: unit, variable, group, index, n, suppression (eNPS under index 'enps');
    `distributions`: unit, item, n, suppression (unit totals only; eNPS under item 'enps').
    """

    statements: pd.DataFrame
    indices: pd.DataFrame
    distributions: pd.DataFrame
    subtree_stats: pd.DataFrame  # answer statistics of each unit's subtree
    layer_stats: pd.DataFrame  # of every cell, as `layer_statistics` gives them


def breakdown_variables(responses: pd.DataFrame,
                        variables: Sequence[str] = BREAKDOWN_VARIABLES) -> tuple[str, ...]:
    """The breakdown variables the responses actually have (some value present)."""
    return tuple(v for v in variables if v in responses.columns and responses[v].notna().any())


def _labelled(stats: pd.DataFrame, variable: str, kind: str) -> pd.DataFrame:
    keys = stats.index.to_frame(index=False)
    group = keys.iloc[:, 1].astype(str) if variable else pd.Series(TOTAL, index=keys.index)
    index = pd.MultiIndex.from_arrays(
        [keys["unit"].astype(str), np.repeat(variable, len(keys)), group.to_numpy(),
         np.repeat(kind, len(keys))], names=CELL_KEYS)
    return stats.set_axis(index, axis=0)


def layer_statistics(responses: pd.DataFrame, org: pd.DataFrame, instruments: InstrumentSet,
                     variables: Sequence[str] = ()) -> pd.DataFrame:
    """Additive statistics of every cell, indexed by (unit, variable, group, kind).

    `subtree` cells cover a unit's whole subtree; `direct` cells the respondents coded to a
    non-leaf unit itself. Variables' missing values form the group `UNKNOWN_GROUP`.
    """
    nonleaf = set(org["parent"].dropna().astype(str))
    frames = []
    # The unit totals are a sum over the finest grouping; each breakdown layer (unit x sex,
    # unit x role) is its own pass, so that its sums of person means (not integers) are added
    # in one order whatever other variables exist: published group values do not move by a
    # rounding step when a variable is added.
    filled = responses.assign(**{v: responses[v].astype("string").fillna(UNKNOWN_GROUP)
                                 for v in variables})
    finest = answer_statistics(filled, instruments, by=("unit", *variables))
    for var in ("", *variables):
        own = (answer_statistics(filled, instruments, by=("unit", var)) if var
               else finest.groupby(level=["unit"], sort=True).sum())
        frames.append(_labelled(rollup_statistics(own, org), var, SUBTREE))
        units = own.index.get_level_values("unit").astype(str)
        frames.append(_labelled(own[units.isin(nonleaf)], var, DIRECT))
    return pd.concat(frames).fillna(0.0)


class _Solver:
    """Cell arrays of one year's lattices; `hide` runs the two-phase suppression."""

    def __init__(self, org: pd.DataFrame, groups: dict[str, list[str]], stats: pd.DataFrame):
        self.full: Lattice = build_lattice(org, groups, [UNKNOWN_GROUP])
        self.stride = int((self.full.cells["variable"] == TOTAL).sum())
        self.total: Lattice = build_lattice(org)
        ids = self.full.cells.reset_index().rename(columns={"index": "cell"})
        self.ids = ids.set_index(CELL_KEYS)["cell"]
        self._memo: dict[tuple, np.ndarray] = {}
        # the cell of each row of `stats`: the value tables of `scoring`/`primary` repeat these
        # rows in this order (one block per item or index), so they are matched once
        self.keys = [stats.index.get_level_values(k).array for k in CELL_KEYS]
        self.row_cell = self.ids.reindex(stats.index).to_numpy()

    def arrays(self, frame: pd.DataFrame, flag: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """(n, flag) per cell of the full lattice from rows keyed by CELL_KEYS."""
        if len(frame) == len(self.row_cell) and all(  # compared as arrays, not Python objects
                frame[k].array.equals(key) for k, key in zip(CELL_KEYS, self.keys, strict=True)):
            cell = self.row_cell  # the rows of `stats`, in order (checked exactly)
        else:
            cell = self.ids.reindex(pd.MultiIndex.from_frame(frame[CELL_KEYS])).to_numpy()
        ok = ~pd.isna(cell)
        n = np.zeros(len(self.full.cells))
        mask = np.zeros(len(self.full.cells), bool)
        n[cell[ok].astype(int)] = frame["n"].to_numpy(float)[ok]
        mask[cell[ok].astype(int)] = np.asarray(flag, bool)[ok]
        return n, mask

    def hide(self, n: np.ndarray, primary: np.ndarray, groups: bool = True,
             cost: np.ndarray | None = None, keep: np.ndarray | None = None) -> np.ndarray:
        """Hidden mask over the full lattice: unit totals on the tree first; then the groups,
        with the groups of a hidden total hidden too and the totals frozen (a group equal to
        its total, i.e. the unit's only group, follows the total). Complements are the
        cheapest at `cost` (default n; `optimum.cheapest_suppression`). The decision depends
        only on (n, primary, groups, cost), so items answered by the same people share one
        solve. `keep`: cells an attacker knows anyway (a mean of published parts), never chosen
        as complements."""
        cost = n if cost is None else np.asarray(cost, float)
        keep = np.zeros(len(n), bool) if keep is None else np.asarray(keep, bool)
        key = (n.tobytes(), np.asarray(primary, bool).tobytes(), groups, cost.tobytes(),
               keep.tobytes())
        if key not in self._memo:
            self._memo[key] = self._hide(n, primary, groups, cost, keep)
        return self._memo[key].copy()

    def _hide(self, n: np.ndarray, primary: np.ndarray, groups: bool,
              cost: np.ndarray, keep: np.ndarray) -> np.ndarray:
        s = self.stride
        hidden = np.zeros(len(n), bool)
        hidden[:s] = cheapest_suppression(self.total, n[:s], primary[:s], cost=cost[:s],
                                          keep=keep[:s] & ~primary[:s])
        if not groups or len(n) == s:
            return hidden
        base = np.arange(len(n)) % s
        tied = (np.arange(len(n)) >= s) & (n == n[base]) & (n > 0)
        start = primary | hidden[base]
        return cheapest_suppression(self.full, n, start, frozen=(np.arange(len(n)) < s) | tied,
                                    cost=cost, keep=keep & ~start)


def _frame(solver: _Solver, n: np.ndarray, primary: np.ndarray, hidden: np.ndarray,
           name: str, value: str, total_only: bool = False,
           category: np.ndarray | None = None) -> pd.DataFrame:
    cells = solver.full.cells
    keep = cells["publishable"].to_numpy() & (n > 0)
    if total_only:
        keep &= np.arange(len(n)) < solver.stride
    label = np.where(hidden & primary, 1, np.where(hidden, 2, 0))  # codes of _LABELS
    if category is not None:
        label = np.where(hidden & category & ~primary, 3, label)
    out = cells.loc[keep, ["unit", "variable", "group"]].assign(
        **{name: value, "n": n[keep].astype(int), "suppression": _LABELS.take(label[keep])})
    return out.reset_index(drop=True)


_LABELS = pd.array(["", PRIMARY, SECONDARY, CATEGORY], dtype="str")  # taken, not built per row


def _distribution(solver: _Solver, rows: pd.DataFrame, shown: pd.Series, n: np.ndarray,
                  value_hidden: np.ndarray, item: str) -> pd.DataFrame:
    """Decisions on an item's answer distribution (unit totals): hidden where the primary rule
    says so or its value is hidden (it would reveal the value), plus secondary suppression."""
    _, primary = solver.arrays(rows, ~shown.to_numpy(bool))
    primary |= value_hidden
    return _frame(solver, n, primary, solver.hide(n, primary, groups=False), "item", item, True)


def _mean_of_published(n: np.ndarray, items: Sequence[str], item_rows: dict,
                       item_hidden: dict[str, np.ndarray]) -> np.ndarray:
    """Cells where a `respondent_mean` index is the mean of its published statements: every
    statement published and answered by exactly the index's n persons (the public counts show
    that everyone answered everything), so its value follows from theirs. Such a cell
    protects nothing when hidden; it stays published (docs/sources.md,
    "Statistical disclosure control")."""
    out = n > 0
    for item in items:
        if item not in item_rows:
            return np.zeros(len(n), bool)
        out &= (item_rows[item][1] == n) & ~item_hidden[item]
    return out


LOST = 0.05  # cost factor of a cell whose index another of its statements already hides


def _statement_decisions(solver: _Solver, item_rows: dict, instruments: InstrumentSet
                         ) -> dict[str, np.ndarray]:
    """Hidden mask per statement, complements chosen together across an instrument's
    statements: an index is hidden where any of its statements is, so hiding a cell that
    another statement of the instrument already hides costs the users (almost) nothing
    (cost n x `LOST`), against n for a cell whose index would be lost. Two sweeps: the
    first decides each statement seeing those before it, the second each again seeing all
    the others (docs/sources.md, "Statistical disclosure control")."""
    instrument_of = {i: ins.id for ins in instruments for i in ins.item_ids}
    hidden: dict[str, np.ndarray] = {}
    for _ in range(2):
        for item, (_, n, primary) in item_rows.items():
            lost = np.zeros(len(n), bool)
            for other, mask in hidden.items():
                if other != item and instrument_of.get(other) == instrument_of.get(item):
                    lost |= mask
            hidden[item] = solver.hide(n, primary, cost=n * np.where(lost, LOST, 1.0))
    return hidden


def _category_rule(solver: _Solver, stats: pd.DataFrame, instruments: InstrumentSet,
                   settings: Settings, item_rows: dict) -> dict[str, np.ndarray]:
    """Cells (per item of a sensitive instrument) whose answers fail the frequency rule
    (`primary.categories_shown`): the statement is hidden there like a primary cell (on a
    two-option scale its value is its shares), and so is its distribution."""
    keys = stats.index.to_frame(index=False)
    out = {}
    for ins in instruments:
        if ins.id not in settings.sensitive_instruments:
            continue
        for item in ins.item_ids:
            if item not in item_rows:
                continue
            counts = [stats[c].to_numpy(float) for c in
                      (f"dist|{item}|{code}" for code in ins.scale_of(item).codes) if c in stats]
            small = ~categories_shown(counts, settings) if counts else np.zeros(len(keys), bool)
            _, flag = solver.arrays(keys.assign(n=stats[f"n|{item}"].to_numpy()), small)
            out[item] = flag & (item_rows[item][1] > 0)
    return out


def decide_publication(
    responses: pd.DataFrame,
    org: pd.DataFrame,
    instruments: InstrumentSet,
    settings: Settings,
    variables: Sequence[str] = BREAKDOWN_VARIABLES,
) -> Publication:
    """Decide every publishable cell of a year (pure). Cells with n = 0 are left out (nothing
    to publish; `results.tables` marks them primary)."""
    variables = breakdown_variables(responses, variables)
    stats = layer_statistics(responses, org, instruments, variables)
    keys = stats.index.to_frame(index=False)
    groups = {v: sorted(keys.loc[keys["variable"] == v, "group"].unique()) for v in variables}
    solver = _Solver(org, groups, stats)
    st = statement_results(stats, instruments, settings)
    ix = index_results(stats, instruments, settings)
    statements, indices, dists = [], [], []
    index_hidden: dict[str, np.ndarray] = {}
    item_rows = {item: (rows, *solver.arrays(rows, rows["suppression"] == PRIMARY))
                 for item, rows in (st.groupby("item", sort=False) if len(st) else [])}
    category = _category_rule(solver, stats, instruments, settings, item_rows)
    primary_only = {item: v[2] for item, v in item_rows.items()}
    item_rows = {item: (rows, n, primary | category.get(item, False))
                 for item, (rows, n, primary) in item_rows.items()}
    item_hidden = _statement_decisions(solver, item_rows, instruments)
    for item, (rows, n, _) in item_rows.items():
        hidden = item_hidden[item]
        statements.append(_frame(solver, n, primary_only[item], hidden, "item", item,
                                 category=category.get(item)))
        dists.append(_distribution(solver, rows, rows["distribution_shown"], n, hidden, item))
    for ins in instruments:
        method = ins.resolved_method(settings.method)
        for index in ins.indices:
            rows = ix[ix["index"] == index.id] if len(ix) else ix
            if not len(rows):
                continue
            n, primary = solver.arrays(rows, rows["suppression"] == PRIMARY)
            if method == "nps":
                hidden = solver.hide(n, primary, groups=False)
                indices.append(_frame(solver, n, primary, hidden, "index", index.id, True))
                e = enps_results(stats, ins, settings)
                dists.append(_distribution(solver, e, e["detractors"].notna(), n, hidden,
                                           index.items[0]))
                continue
            from_items = np.zeros(len(n), bool)
            for item in index.items:
                from_items |= item_hidden.get(item, np.ones(len(n), bool))
            for theme in index.themes:
                from_items |= index_hidden.get(theme, np.ones(len(n), bool))
            publishable = solver.full.cells["publishable"].to_numpy()
            if index.themes:  # a mean of published parts: hidden exactly where a part is
                hidden = (from_items | primary) & publishable
            elif method == "respondent_mean":  # its sums add up over the tree: solved
                keep = _mean_of_published(n, index.items, item_rows, item_hidden) & publishable
                hidden = solver.hide(n, primary | (from_items & publishable), keep=keep)
            else:
                hidden = from_items & publishable
            index_hidden[index.id] = hidden
            indices.append(_frame(solver, n, primary, hidden, "index", index.id))
    empty = pd.DataFrame(columns=["unit", "variable", "group", "item", "n", "suppression"])
    totals = stats.xs(("", TOTAL, SUBTREE), level=["variable", "group", "kind"])
    return Publication(
        subtree_stats=totals.rename_axis("unit"),
        layer_stats=stats,
        statements=pd.concat(statements, ignore_index=True) if statements else empty,
        indices=(pd.concat(indices, ignore_index=True) if indices
                 else empty.rename(columns={"item": "index"})),
        distributions=(pd.concat(dists, ignore_index=True)[["unit", "item", "n", "suppression"]]
                       if dists else empty[["unit", "item", "n", "suppression"]]),
    )

