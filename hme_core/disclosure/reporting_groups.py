"""Reporting groups: small units the organisation decides report together.

Combining small units before publishing ("table redesign"; docs/sources.md, "Statistical
disclosure control"), `params/reporting_groups.yaml` names units that report as one:

    groups:
      - units: [K.F1.A1.E2, K.F1.A1.E3]   # two sibling units
      - units: [K.F1.A2.E1, K.F1.A2]      # a unit with its parent's own respondents

A group's units are leaf units under one parent, and optionally that parent itself, which
then stands for its own respondents (managers coded to the department); or one leaf unit with
a department above it, whose few own respondents then report with that unit (managers of a
förvaltning whose children are avdelningar). The group is
scored as one: its respondents are counted at its first leaf unit (the lead) before scoring
and disclosure, so the group gets one published result with one n; every leaf member shows
that result (`results.tables.spread_groups`), and the parent's own respondents stop being a
small hidden part of its relation. Members keep their own respondent counts.

A group naming a unit that is not in a year's tree does not apply that year (trees change);
`hme validate` says so. A unit in two groups, a group of one unit, or members under
different parents are refused with the file, the group and the fix. `propose_groups`
suggests groups for units that would be hidden or would blank a sibling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hme_core.errors import ConfigError
from hme_core.yaml_files import read_mapping

FILE_NAME = "reporting_groups.yaml"


@dataclass(frozen=True)
class ReportingGroup:
    """Units that report together; `lead` is the leaf unit whose result they share."""

    units: tuple[str, ...]
    lead: str
    parent: str | None  # the common parent when it is a member (its own respondents)

    @property
    def leaves(self) -> tuple[str, ...]:
        return tuple(u for u in self.units if u != self.parent)


def load_reporting_groups(params: Path) -> list[tuple[str, ...]]:
    """The groups of `params/reporting_groups.yaml` as tuples of unit codes ([] without the
    file). Refuses a malformed file, a group of fewer than two units and a unit in two groups,
    naming file, group and unit."""
    path = Path(params) / FILE_NAME
    if not path.exists():
        return []
    data = read_mapping(path)
    unknown = set(data) - {"groups"}
    if unknown:
        raise ConfigError(f"{path}: unknown key {sorted(unknown)[0]!r}; the file holds "
                          "'groups:', a list of '- units: [UNIT, UNIT, ...]'")
    groups = data.get("groups") or []
    if not isinstance(groups, list):
        raise ConfigError(f"{path}: 'groups' must be a list of '- units: [UNIT, UNIT, ...]'")
    seen: dict[str, int] = {}
    out = []
    for i, group in enumerate(groups, start=1):
        units = group.get("units") if isinstance(group, dict) else None
        if not isinstance(units, list) or not all(isinstance(u, str | int) for u in units):
            raise ConfigError(f"{path}: group {i}: expected 'units: [UNIT, UNIT, ...]' (unit "
                              f"codes of the org tree); got {group!r}")
        units = [str(u).strip() for u in units]
        if len(set(units)) < 2:
            raise ConfigError(f"{path}: group {i}: a reporting group needs at least two "
                              f"different units; got {units}")
        for u in units:
            if u in seen:
                raise ConfigError(f"{path}: unit {u!r} is in group {seen[u]} and group {i}; "
                                  "a unit reports in one group only: remove it from one")
            seen[u] = i
        out.append(tuple(dict.fromkeys(units)))
    return out


def applicable_groups(groups: Sequence[Sequence[str]], org: pd.DataFrame
                      ) -> tuple[list[ReportingGroup], list[str]]:
    """(groups that apply to this tree, warnings). A group naming a unit not in the tree
    does not apply (a warning); members that are not leaf units under one parent (or that
    parent) are refused."""
    parent = dict(zip(org["unit"].astype(str), org["parent"].astype(object), strict=True))
    nonleaf = {str(p) for p in parent.values() if isinstance(p, str)}
    out, warnings = [], []
    for i, units in enumerate(groups, start=1):
        missing = [u for u in units if u not in parent]
        if missing:
            warnings.append(f"reporting group {i} ({', '.join(units)}) does not apply: "
                            f"{', '.join(missing)} not in the org tree")
            continue
        leaves = [u for u in units if u not in nonleaf]
        inner = [u for u in units if u in nonleaf]
        if len(leaves) == 1 and len(inner) == 1 and inner[0] in _ancestors(parent, leaves[0]):
            out.append(ReportingGroup(tuple(units), leaves[0], inner[0]))  # a department's few
            continue  # own respondents with one unit below it
        parents = {parent[u] for u in leaves}
        if not leaves or len(parents) != 1 or any(u not in parents for u in inner):
            raise ConfigError(
                f"{FILE_NAME}: group {i} ({', '.join(units)}): members must be leaf units "
                "with the same parent, and optionally that parent (its own respondents); "
                "split the group or name other units")
        common = next(iter(parents))
        out.append(ReportingGroup(tuple(units), leaves[0], common if inner else None))
    return out, warnings


def _ancestors(parent: dict, unit: str) -> list[str]:
    out, seen = [], {unit}
    while isinstance(parent.get(unit), str) and parent[unit] not in seen:
        unit = parent[unit]
        out.append(unit)
        seen.add(unit)
    return out


def recode_units(responses: pd.DataFrame, groups: Sequence[ReportingGroup]) -> pd.DataFrame:
    """`responses` with each group's respondents counted at its lead unit."""
    if not groups:
        return responses
    to_lead = {u: g.lead for g in groups for u in g.units}
    unit = responses["unit"].astype(str)
    return responses.assign(unit=unit.map(to_lead).fillna(unit).astype(responses["unit"].dtype))


def group_of(groups: Sequence[ReportingGroup], unit: str) -> ReportingGroup | None:
    """The group whose result `unit` shows (a leaf member), or None."""
    return next((g for g in groups if unit in g.leaves), None)


def propose_groups(scores: pd.DataFrame, org: pd.DataFrame, min_n: int,
                   small_own: int = 10, index: str = "hme",
                   grouped: Sequence[str] = (), extendable: Sequence[dict] = ()) -> list[dict]:
    """Groups that would let units keep a result. For a department hidden because of its
    parent's few own respondents (1 to `small_own` - 1), those respondents with the largest
    unit below the parent (departments first: their hiding hides units below them). For each
    leaf unit whose `index` is hidden with answers (fewest answers first), a partner under the same parent: the parent's own
    respondents when they are few (1 to `small_own` - 1: some statement is then often below
    the limit), else a hidden sibling (the unit it blanks, or that blanks it), else the
    smallest sibling; the first of these that brings the group to `small_own` answers (a
    group of just `min_n` loses a statement to a single blank answer), else to `min_n`; and the
    parent's few own respondents too when the partner is a sibling (they would otherwise be
    the small part that blanks the group); a unit whose siblings are all in proposed groups
    joins the smallest of them (of this round's or of `extendable`, earlier proposals, which
    are then changed). Each proposal: units, reason ('primary' / 'secondary'), n of each.

    `scores`: the score table (unit, index, n, value, suppression, respondents); `grouped`:
    units already in a group (never proposed again)."""
    s = scores[scores["index"] == index].set_index("unit")
    parent = org.set_index("unit")["parent"]
    nonleaf = set(org["parent"].dropna().astype(str))
    resp = s["respondents"] if "respondents" in s else s["n"]
    own = resp.copy()
    for p in nonleaf:  # a parent's own respondents: its count less its children's
        kids = parent.index[parent == p]
        own[p] = resp.get(p, 0) - resp.reindex(kids).fillna(0).sum()
    hidden = s["value"].isna() & (s["n"] > 0)
    taken: set[str] = set(grouped)
    out = []
    leaves = [u for u in org["unit"].astype(str) if u not in nonleaf]
    todo = s[hidden].assign(leaf=~s.index[hidden].isin(list(nonleaf)))
    for unit in todo.sort_values(["leaf", "n"], kind="stable").index:  # causes above first
        if (unit in taken and unit not in nonleaf) or not isinstance(parent.get(unit), str):
            continue  # (a department in a group lends only its own respondents)
        p = parent[unit]
        if unit in nonleaf:  # a department hidden for its parent's few own respondents
            if not 0 < own.get(p, 0) < small_own or p in taken:
                continue
            below = [u for u in leaves if p in _ancestors(parent.to_dict(), u)
                     and u not in taken]
            if below:  # they report with the largest unit below the parent
                lead = max(below, key=lambda u: (int(resp.get(u, 0)), u))
                out.append({"units": [lead, p], "reason": "secondary",
                            "n": [int(resp.get(lead, 0)), int(own[p])]})
                taken |= {lead, p}
            continue
        kids = [k for k in parent.index[parent == p] if k not in nonleaf and k != unit
                and k not in taken and s["n"].get(k, 0) > 0]
        options = sorted((not hidden.get(k, False), int(s["n"].get(k, 0)), k) for k in kids)
        if 0 < own.get(p, 0) < small_own and p not in taken:
            options.insert(0, (False, int(own[p]), p))
        if not options:  # every sibling already in a proposed group: join the smallest
            joined = [q for q in [*out, *extendable]  # siblings, with or without the parent
                      if all(u == p or (isinstance(parent.get(u), str) and parent.get(u) == p
                                        and u not in nonleaf) for u in q["units"])]
            if joined:
                q = min(joined, key=lambda q: sum(q["n"]))
                q["units"].append(unit)
                q["n"].append(int(s["n"].get(unit, 0)))
                taken.add(unit)
            continue
        size = int(s["n"].get(unit, 0))  # the first partner that makes the group big enough
        partner = next((k for _, m, k in options if size + m >= small_own),  # a margin:
                       next((k for _, m, k in options if size + m >= min_n), options[0][2]))
        why = "primary" if s.loc[unit, "suppression"] == "primary" else "secondary"
        units = [unit, partner]
        counts = [int(s.loc[unit, "n"]), int(own[p] if partner == p else s["n"].get(partner, 0))]
        if partner != p and 0 < own.get(p, 0) < small_own and p not in taken:
            units.append(p)  # the parent's few own respondents would blank the group
            counts.append(int(own[p]))
        out.append({"units": units, "reason": why, "n": counts})
        taken |= set(units)
    return out


def proposals_yaml(proposals: list[dict], names: dict | None = None) -> str:
    """The proposals as the `groups:` list of `params/reporting_groups.yaml`, each with a
    comment naming its units (by `names`, unit -> name, where a name differs from the code:
    a tree read from paths has generated codes), their answers and why."""
    names = names or {}

    def named(u: str) -> str:
        return f"{names[u]} ({u})" if names.get(u, u) != u else u

    lines = ["groups:"]
    for p in proposals:
        a, *others = p["units"]
        why = ("too few answers" if p["reason"] == "primary"
               else "hidden so that a smaller unit's results cannot be worked out")
        partners = " and ".join(f"{named(u)}: {m}" if names.get(u, u) != u else f"{u} ({m})"
                                for u, m in zip(others, p["n"][1:], strict=True))
        first = (f"{named(a)}: {p['n'][0]} answers" if names.get(a, a) != a
                 else f"{a} ({p['n'][0]} answers")
        lines.append(f"  # {first}, {why}{')' if names.get(a, a) == a else ''} with {partners}")
        lines.append(f"  - units: [{', '.join(p['units'])}]")
    return "\n".join(lines) + "\n"


def append_proposals(params: Path, proposals: list[dict], names: dict | None = None) -> Path:
    """Add `proposals` to `params/reporting_groups.yaml` (created if missing), keeping every
    group and comment already there; refused (nothing written) if the result would not load."""
    from hme_core.atomic import atomic_write

    path = Path(params) / FILE_NAME
    text = path.read_text(encoding="utf-8") if path.exists() else (
        "# Units that report together (README, \"Privacy: what is published\"): each group's\n"
        "# units are leaf units under one parent, optionally that parent (its own respondents).\n")
    body = proposals_yaml(proposals, names).split("\n", 1)[1]  # the items, without 'groups:'
    if "groups:" not in text:
        text = text.rstrip("\n") + "\ngroups:\n"
    elif read_mapping(path).get("groups") in (None, []):
        text = text.replace("groups: []", "groups:")
    new = text.rstrip("\n") + "\n" + body
    import yaml

    from hme_core.yaml_files import SAFE_LOADER

    data = yaml.load(new, Loader=SAFE_LOADER)  # noqa: S506 - safe
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        raise ConfigError(f"{path}: cannot add the proposals (the file's 'groups:' is not the "
                          "last key); add them by hand")
    atomic_write(path, new)
    load_reporting_groups(Path(params))  # the file as written loads (no unit in two groups)
    return path
