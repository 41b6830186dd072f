"""The score table: one row per (unit, index) for a year, as `hme score` publishes it.

Columns (CLI contract): year, unit, unit_name, parent, level, index, n, value, employees,
response_rate, suppression ('' published, 'primary' or 'secondary'). `value` is NaN when
suppressed and never rounded; `n` is always shown. Employees and respondents are summed over
each unit's subtree, like the answers (docs/sources.md). What is published is decided by
`disclosure` alone (primary rule + secondary suppression), once per year; every table here takes
the unsuppressed values of `scoring` and applies that decision (`apply_decision`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hme_core.config import Settings
from hme_core.disclosure.primary import PRIMARY
from hme_core.disclosure.publish import (
    UNKNOWN_GROUP,
    Publication,
    breakdown_variables,
    decide_publication,
)
from hme_core.disclosure.reporting_groups import ReportingGroup, applicable_groups, recode_units
from hme_core.disclosure.secondary import SUBTREE
from hme_core.instruments import InstrumentSet
from hme_core.orgtree import closure, levels, rollup, tree_order
from hme_core.scoring.indices import (
    distribution_values,
    enps_values,
    index_standard_errors,
    index_values,
    statement_values,
)
from hme_core.vocabulary import BREAKDOWN_VARIABLES

SCORE_COLUMNS = [
    "year", "unit", "unit_name", "parent", "level", "index", "n", "value",
    "employees", "response_rate", "suppression",
]


def apply_decision(frame: pd.DataFrame, decisions: pd.DataFrame, on: Sequence[str],
                   values: Sequence[str]) -> pd.DataFrame:
    """`frame` with `suppression` from `decisions` and `values` blanked (NaN) where hidden.

    Rows without a decision (nobody answered) are 'primary'. Row order is kept; `frame` is not
    modified.
    """
    on = list(on)
    if not set(on) <= set(frame.columns):  # nothing scored (e.g. no complete index)
        return frame
    key, decided = _joint_keys(frame, decisions, on)
    row = pd.Index(decided).get_indexer(key)
    label = np.append(decisions["suppression"].to_numpy(dtype=object), PRIMARY)[row]  # -1: none
    label[pd.isna(label)] = PRIMARY
    out = frame.assign(suppression=label)
    hidden = label != ""
    for column in values:
        out[column] = out[column].where(~hidden)
    return out


def _joint_keys(frame: pd.DataFrame, other: pd.DataFrame,
                on: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """One integer per row of `frame` and of `other` for its values in the columns `on`
    (compared as text): rows of either frame with equal keys get equal integers."""
    code = np.zeros(len(frame) + len(other), np.int64)
    for column in on:
        values = pd.concat([frame[column].astype(str), other[column].astype(str)],
                           ignore_index=True)
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        if int(code.max(initial=0)) >= 2**62 // max(len(uniques), 1):  # renumbered, no overflow
            code = pd.factorize(code)[0]
        code = code * len(uniques) + codes
    return code[:len(frame)], code[len(frame):]


def _index_values(stats: pd.DataFrame, instruments: InstrumentSet,
                  settings: Settings) -> pd.DataFrame:
    out = index_values(stats, instruments, settings.method)
    return out.drop(columns="statement_n") if "statement_n" in out else out


def subtree_employees(org: pd.DataFrame, headcounts: pd.DataFrame | None) -> pd.Series:
    """Employees per unit summed over its subtree; NaN where no head count covers the subtree.

    Head counts are direct employees of a unit (not including its children).
    """
    if headcounts is None or headcounts.empty:
        return pd.Series(np.nan, index=pd.Index(org["unit"], name="unit"), name="employees")
    unit_pos = pd.Index(org["unit"].astype(str).to_numpy()).get_indexer(
        headcounts["unit"].astype(str))
    counted = unit_pos >= 0
    pos, _, sums = rollup(org, unit_pos[counted], np.zeros(int(counted.sum()), np.int64),
                          headcounts["employees"].fillna(0).to_numpy(float)[counted])
    summed = pd.Series(sums[:, 0], index=org["unit"].to_numpy()[pos])
    return summed.reindex(org["unit"]).rename_axis("unit").rename("employees")


def score_table(
    responses: pd.DataFrame,
    org: pd.DataFrame,
    headcounts: pd.DataFrame | None,
    instruments: InstrumentSet,
    settings: Settings,
    year: int,
    publication: Publication | None = None,
) -> pd.DataFrame:
    """Every unit of the year's tree × every index the data has (pure; no I/O).

    Values are published as `disclosure.decide_publication` says (computed here unless
    given): a suppressed index keeps its n and has no value.
    """
    if publication is None:
        publication = decide_publication(responses, org, instruments, settings)
    stats = publication.subtree_stats
    idx = _index_values(stats, instruments, settings)
    if idx.empty:  # no index has all its statements in the data: every unit, no rows
        idx = pd.DataFrame(columns=["unit", "instrument", "index", "n", "value", "suppression"])
    totals = publication.indices[publication.indices["variable"] == ""]
    idx = apply_decision(idx, totals, ["unit", "index"], ["value"])
    present = set(idx["index"].unique()) if "index" in idx else set()
    index_ids = [i for i in instruments.index_ids if i in present]
    order = tree_order(org)
    grid = pd.MultiIndex.from_product([order, index_ids], names=["unit", "index"]).to_frame(
        index=False
    )
    table = grid.merge(idx.drop(columns="instrument"), on=["unit", "index"], how="left")
    table["n"] = table["n"].fillna(0).astype(int)
    table["suppression"] = table["suppression"].fillna(PRIMARY)
    info = org.set_index("unit")
    respondents = stats["respondents"].reindex(order).fillna(0)
    employees = subtree_employees(org, headcounts)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = (respondents / employees.reindex(order)).where(lambda s: np.isfinite(s))
    table["year"] = int(year)
    table["unit_name"] = table["unit"].map(info["name"])
    table["parent"] = table["unit"].map(info["parent"])
    table["level"] = table["unit"].map(levels(org)).astype(int)
    table["employees"] = table["unit"].map(employees)
    table["response_rate"] = table["unit"].map(rate)
    return table[SCORE_COLUMNS]


def breakdown_table(
    responses: pd.DataFrame, org: pd.DataFrame, instruments: InstrumentSet, settings: Settings,
    variables: tuple[str, ...] = BREAKDOWN_VARIABLES, publication: Publication | None = None,
) -> pd.DataFrame:
    """Index values per (unit, variable, group), as `disclosure` decides cell by cell.

    A group is shown when it passes the primary rule and no hidden cell (a small group, the
    group of respondents with the variable missing, a small unit of the subtree) could be
    recomputed from it and the unit's total; eNPS is not broken down.
    """
    if publication is None:
        publication = decide_publication(responses, org, instruments, settings, variables)
    layers = publication.layer_stats
    frames = []
    decided_variables = set(layers.index.get_level_values("variable"))
    for var in breakdown_variables(responses, variables):
        if var not in decided_variables:  # the publication was decided without it
            continue
        stats = layers.xs((var, SUBTREE), level=["variable", "kind"])
        res = _index_values(stats, instruments, settings).astype({"unit": "string",
                                                                  "group": "string"})
        res = res[res["instrument"] != "enps"] if "instrument" in res else res
        res = res[res["group"] != UNKNOWN_GROUP].assign(variable=var)
        decided = publication.indices[publication.indices["variable"] == var]
        frames.append(apply_decision(res, decided, ["unit", "group", "index"], ["value"]))
    if not frames:  # typed, so that the store can create the table from it
        text = pd.Series(dtype="string")
        return pd.DataFrame({"unit": text, "variable": text, "group": text, "index": text,
                             "n": pd.Series(dtype="int64"), "value": pd.Series(dtype=float),
                             "suppression": text})
    out = pd.concat(frames, ignore_index=True)
    return out[["unit", "variable", "group", "index", "n", "value", "suppression"]]


def year_results(
    responses: pd.DataFrame,
    org: pd.DataFrame,
    headcounts: pd.DataFrame | None,
    instruments: InstrumentSet,
    settings: Settings,
    year: int,
    previously_published: Sequence[dict[str, pd.DataFrame]] = (),
    reporting_groups: Sequence[Sequence[str]] = (),
) -> dict[str, pd.DataFrame]:
    """Everything reports publish for a year, computed once for all units (pure).

    `previously_published`: the result tables of earlier publications of the year
    (`Store.publications`); what they showed is known and what they hid stays hidden
    (`disclosure.releases.consistent_release`).

    Tables: `scores` (the CLI contract plus `se`), `statements`, `distributions` (only rows
    that may be shown), `enps`, `breakdowns`, `audiences` (unit, instrument, respondents in
    the instrument's audience, e.g. with patient contact). Values of suppressed cells are already NaN.
    `reporting_groups` (`disclosure.reporting_groups`): units scored as one, every leaf member
    showing the group's result (`spread_groups`); each unit keeps its own respondent count.
    """
    groups, _ = applicable_groups(reporting_groups, org)
    own_respondents = _subtree_respondents(responses, org)
    responses = recode_units(responses, groups)
    pub = decide_publication(responses, org, instruments, settings)
    stats = pub.subtree_stats  # the statistics the decision was made on, computed once
    se = index_standard_errors(stats, instruments)
    scores = score_table(responses, org, headcounts, instruments, settings, year, publication=pub)
    scores = scores.merge(se, on=["unit", "index"], how="left")
    scores["respondents"] = scores["unit"].map(stats["respondents"]).fillna(0).astype(int)
    totals = pub.statements[pub.statements["variable"] == ""]
    statements = apply_decision(statement_values(stats, instruments), totals,
                                ["unit", "item"], ["value"])
    shown = apply_decision(statements[["unit", "item"]], pub.distributions,
                           ["unit", "item"], [])["suppression"].eq("")
    statements["distribution_shown"] = shown.to_numpy()
    statements = statements.merge(se.rename(columns={"index": "item"}), on=["unit", "item"],
                                  how="left")
    dist = apply_decision(distribution_values(stats, instruments),
                          pub.distributions, ["unit", "item"], ["count", "share"])
    dist = dist[dist["suppression"].eq("") & dist["share"].notna()].drop(columns="suppression")
    tables = {"scores": scores, "statements": statements, "distributions": dist}
    if "enps" in [i.id for i in instruments] and "n|enps" in stats:
        tables["enps"] = _enps_table(enps_values(stats, instruments["enps"]), pub)
    aud = [c for c in stats.columns if c.startswith("aud|")]
    if aud:  # respondents asked each audience-restricted instrument (a public count, like n)
        tables["audiences"] = pd.concat(
            [pd.DataFrame({"unit": stats.index.astype(str), "instrument": c.split("|", 1)[1],
                           "respondents": stats[c].to_numpy().astype(int)}) for c in aud],
            ignore_index=True)
    tables["breakdowns"] = breakdown_table(responses, org, instruments, settings,
                                           publication=pub)
    tables = spread_groups(tables, groups, own_respondents)
    if previously_published:
        from hme_core.disclosure.releases import consistent_release

        tables = consistent_release(tables, previously_published, org, instruments, settings)
    return {
        name: frame if "year" in frame else frame.assign(year=int(year))[["year", *frame.columns]]
        for name, frame in tables.items()
    }


def _enps_table(enps: pd.DataFrame, pub: Publication) -> pd.DataFrame:
    """eNPS per unit: the score as decided for index 'enps', counts and shares as decided for
    the distribution of item 'enps'."""
    counts = [f"{k}{s}" for k in ("detractors", "passive", "promoters") for s in ("", "_pct")]
    dist = apply_decision(enps, pub.distributions[pub.distributions["item"] == "enps"],
                          ["unit"], counts).drop(columns="suppression")
    score = pub.indices[(pub.indices["index"] == "enps") & (pub.indices["variable"] == "")]
    return apply_decision(dist, score, ["unit"], ["enps"])


def _subtree_respondents(responses: pd.DataFrame, org: pd.DataFrame) -> pd.Series:
    """Respondents per unit over its subtree (a public count), before any grouping."""
    own = responses["unit"].astype(str).value_counts()
    c = closure(org)
    return (c.assign(k=c["unit"].astype(str).map(own).fillna(0))
            .groupby("ancestor")["k"].sum().astype(int))


def spread_groups(tables: dict[str, pd.DataFrame], groups: Sequence[ReportingGroup],
                  respondents: pd.Series) -> dict[str, pd.DataFrame]:
    """Every leaf member of a reporting group shows its lead's rows (the group's one result,
    n and suppression); names, parents, levels, employees stay the member's own, and
    `respondents` / `response_rate` are each unit's own (counts are public)."""
    if not groups:
        return tables
    copies = {m: g.lead for g in groups for m in g.leaves if m != g.lead}
    out = {}
    for name, frame in tables.items():
        if "unit" not in frame or not len(frame):
            out[name] = frame
            continue
        unit = frame["unit"].astype(str)
        keep = frame[~unit.isin(copies)]
        added = []
        for member, lead in copies.items():
            rows = frame[unit == lead].assign(unit=member)
            if name == "scores":
                mine = frame[unit == member]
                for col in ("unit_name", "parent", "level", "employees"):
                    rows[col] = mine[col].iloc[0] if len(mine) else rows[col]
            added.append(rows)
        order = {u: i for i, u in enumerate(dict.fromkeys(unit))}
        frame = pd.concat([keep, *added], ignore_index=True)
        frame = frame.iloc[np.argsort(frame["unit"].astype(str).map(order).to_numpy(),
                                      kind="stable")].reset_index(drop=True)
        if name == "scores":
            frame["respondents"] = frame["unit"].astype(str).map(respondents).fillna(0).astype(int)
            with np.errstate(invalid="ignore", divide="ignore"):
                rate = frame["respondents"] / frame["employees"]
            frame["response_rate"] = rate.where(np.isfinite(rate))
        out[name] = frame
    return out


def proposed_reporting_groups(responses: pd.DataFrame, org: pd.DataFrame,
                              headcounts: pd.DataFrame | None, instruments: InstrumentSet,
                              settings: Settings, reporting_groups: Sequence[Sequence[str]] = (),
                              rounds: int = 4) -> tuple[list[dict], pd.DataFrame]:
    """(reporting groups that would let units keep their HME result, given the groups
    already decided; this year's score table with those groups). `propose_groups` on the
    scores, then again on the scores with the proposals accepted, until no unit needs one
    (at most `rounds` times): a group can make another unit the complement (a department
    published again whose own few respondents then need protecting)."""
    from hme_core.disclosure.reporting_groups import propose_groups

    proposals: list[dict] = []
    first = None
    for _ in range(rounds):
        groups = [*reporting_groups, *(tuple(p["units"]) for p in proposals)]
        scores = year_results(responses, org, headcounts, instruments, settings, 0,
                              reporting_groups=groups)["scores"]
        first = scores if first is None else first
        grouped = {u for g in groups for u in g}
        size = sum(len(p["units"]) for p in proposals)
        new = propose_groups(scores, org, settings.min_n_index, grouped=grouped,
                             extendable=proposals)
        if not new and sum(len(p["units"]) for p in proposals) > size:
            continue  # an earlier proposal took a unit in: scored again
        if not new:
            break
        proposals += new
    return proposals, first
