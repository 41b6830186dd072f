"""Target values for indicators, followed up over the years (docs/sources.md, "Action plans and
targets").

``params/targets.yaml``::

    targets:
      - indicator: hme              # any index id (hme, motivation, …, hse) or statement id (hme8)
        scope: root                 # root = the whole organisation, or a unit code
        group: {variable: role, group: chef}   # optional: sex (kvinna/man) or role (chef/medarbetare)
        baseline: {year: 2023, value: 83.1}    # "nuläge"; without value: the stored 2023 result
        target: 89                  # a target value …
        target_year: 2027           # … optionally by a year
      - indicator: hme8
        scope: R.HSF
        baseline: {year: 2023, value: 66.2}
        direction: up               # … or only a direction (↑ / ↓)

Status in a report year (values compared at the report's rounding, so what is shown agrees):

- *not measurable* when the year's value is missing or suppressed (NaN in the stored results);
  no value is shown then;
- *met* when a target value is reached (at or above for ``up``, at or below for ``down``);
- *on track* when a target year lies ahead and the value is at least at the straight line from
  the baseline to the target at that year, or, without a target year or with only a direction,
  when the value has moved the right way from the baseline; *off track* otherwise (also when
  the target year has passed without meeting the target).

Groups come from the stored breakdowns, which carry index values only; a group target on a
statement is therefore refused when the file is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from hme_core.errors import ConfigError
from hme_core.i18n import round_half_up
from hme_core.instruments import InstrumentSet
from hme_core.orgtree import root
from hme_core.paths import params_dir
from hme_core.store.duckdb_store import Store
from hme_core.vocabulary import BREAKDOWNS, group_code
from hme_core.yaml_files import parse_model, read_mapping

STATUSES = ("met", "on_track", "off_track", "not_measurable", "no_data")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Group(_Model):
    variable: Literal["sex", "role"]
    group: str

    @model_validator(mode="after")
    def _known_group(self) -> Group:
        code = group_code(self.variable, self.group)
        if code is None:
            known = [g.code for g in BREAKDOWNS[self.variable]]
            raise ValueError(f"group for {self.variable} must be one of {known}, "
                             f"got {self.group!r}")
        object.__setattr__(self, "group", code)
        return self


class Baseline(_Model):
    """"Nuläge": the year, and the value when known from another source; without a value the
    stored result of that year is used (and is unknown when suppressed)."""

    year: int
    value: float | None = None


class Target(_Model):
    """One indicator with its baseline and a target value and/or direction (docs/sources.md)."""

    indicator: str
    scope: str = "root"
    group: Group | None = None
    baseline: Baseline
    target: float | None = None
    direction: Literal["up", "down"] | None = None
    target_year: int | None = None
    label: str | None = None

    @field_validator("scope")
    @classmethod
    def _scope(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("scope must be 'root' or a unit code")
        return v.strip()

    @model_validator(mode="after")
    def _target_or_direction(self) -> Target:
        if self.target is None and self.direction is None:
            raise ValueError("give a target value ('target') or a direction ('direction: up|down')")
        if self.target is not None and self.baseline.value is not None:
            implied = "down" if self.target < self.baseline.value else "up"
            if self.direction is not None and self.direction != implied:
                raise ValueError(f"direction {self.direction!r} contradicts target {self.target} "
                                 f"against baseline {self.baseline.value}")
            object.__setattr__(self, "direction", implied)
        elif self.direction is None:
            object.__setattr__(self, "direction", "up")
        if self.target_year is not None and self.target_year <= self.baseline.year:
            raise ValueError("target_year must be after the baseline year")
        return self

    @property
    def sign(self) -> int:
        return -1 if self.direction == "down" else 1


class TargetsFile(_Model):
    targets: list[Target] = []


def targets_path() -> Path:
    return params_dir() / "targets.yaml"


def load_targets(path: Path | None = None, instruments: InstrumentSet | None = None
                 ) -> list[Target]:
    """Read and validate ``params/targets.yaml`` (none when absent); errors name file and key."""
    path = Path(path) if path else targets_path()
    if not path.exists():
        return []
    data = read_mapping(path, "a mapping with the key 'targets'")
    targets = parse_model(TargetsFile, data, path).targets
    if instruments is not None:
        check_indicators(targets, instruments, path)
    return targets


def check_indicators(targets: list[Target], instruments: InstrumentSet, path: Path) -> None:
    """Every indicator is a known index or statement id; group targets need an index."""
    indices, items = set(instruments.index_ids), set(instruments.item_ids)
    problems = []
    for i, tg in enumerate(targets):
        if tg.indicator not in indices | items:
            problems.append(f"{path}: key 'targets.{i}.indicator': unknown indicator "
                            f"{tg.indicator!r}; expected an index ({', '.join(sorted(indices))}) "
                            "or a statement id (e.g. hme8)")
        elif tg.group is not None and tg.indicator not in indices:
            problems.append(f"{path}: key 'targets.{i}.group': results by group exist for "
                            f"indices only, not for the statement {tg.indicator!r}")
    if problems:
        raise ConfigError("\n".join(problems))


def indicator_series(store: Store, target: Target, unit: str, years: list[int]) -> pd.DataFrame:
    """year, value (NaN when suppressed), present (a stored row exists) for each year."""
    rows = []
    for year in years:
        if target.group is not None:
            df = store.load_result("breakdowns", year, units=[unit])
            if len(df):
                df = df[(df["variable"] == target.group.variable)
                        & (df["group"] == target.group.group)
                        & (df["index"] == target.indicator)]
        else:
            df = store.load_result("scores", year, units=[unit])
            key = "index"
            if len(df) and not (df["index"] == target.indicator).any():
                df = store.load_result("statements", year, units=[unit])
                key = "item"
            if len(df):
                df = df[df[key] == target.indicator]
        value = float(df["value"].iloc[0]) if len(df) else np.nan
        rows.append({"year": year, "value": value, "present": bool(len(df))})
    return pd.DataFrame(rows, columns=["year", "value", "present"])


def target_status(target: Target, value: float, present: bool, year: int,
                  decimals: int = 1, baseline: float | None = None) -> str:
    """met / on_track / off_track / not_measurable / no_data for one year (module rules).

    `baseline` defaults to the file's value; NaN when unknown (then only "met" can be told).
    """
    if not present:
        return "no_data"
    if not np.isfinite(value):
        return "not_measurable"

    def r(x: float) -> float:
        return float(round_half_up(x, decimals))

    base_value = target.baseline.value if baseline is None else baseline
    now = r(value)
    sign = target.sign
    if target.target is not None and sign * (now - r(target.target)) >= 0:
        return "met"
    if base_value is None or not np.isfinite(base_value):
        return "not_measurable"
    base = r(base_value)
    if target.target is not None:
        goal = r(target.target)
        if target.target_year is not None:
            if year >= target.target_year:
                return "off_track"
            share = (year - target.baseline.year) / (target.target_year - target.baseline.year)
            expected = r(base + (goal - base) * max(0.0, share))
            return "on_track" if sign * (now - expected) >= 0 else "off_track"
    return "on_track" if sign * (now - base) > 0 else "off_track"


def scope_unit(target: Target, org: pd.DataFrame) -> str:
    """The unit a target's scope names: 'root', or a unit as any file may name it (code, name
    unique in the tree, path, alias: `inputs.units.UnitLookup`); as written when none."""
    if target.scope.casefold() == "root":
        return root(org)
    from hme_core.inputs.columns import header_key
    from hme_core.inputs.units import UnitLookup, load_units_file

    code, _named = UnitLookup(org, load_units_file()[0]).resolve(header_key(target.scope))
    return code or target.scope


@dataclass(frozen=True)
class TargetResult:
    """A target followed up in one year: where it applies, the value, status and series."""

    target: Target
    unit: str
    unit_name: str
    is_root: bool
    baseline: float  # the file's value, else the stored one; NaN when unknown
    current: float  # NaN when suppressed or missing: never shown
    status: str  # one of STATUSES
    series: pd.DataFrame  # year, value, present


def evaluate_targets(store: Store, targets: list[Target], year: int, decimals: int = 1,
                     units: list[str] | None = None) -> list[TargetResult]:
    """Each target (optionally only those scoped to `units`) followed up in `year`, with its
    series over the stored years up to `year`."""
    org = store.load_org(year)
    names = org.set_index("unit")["name"].astype(str)
    top = root(org)
    years = [y for y in store.years() if y <= year]
    out = []
    for tg in targets:
        unit = scope_unit(tg, org)
        if units is not None and unit not in units:
            continue
        series = indicator_series(store, tg, unit, years)
        now = series[series["year"] == year]
        value = float(now["value"].iloc[0]) if len(now) else np.nan
        present = bool(now["present"].iloc[0]) if len(now) else False
        baseline = tg.baseline.value
        if baseline is None:
            stored = (series if tg.baseline.year in years else indicator_series(
                store, tg, unit, [y for y in store.years() if y == tg.baseline.year]))
            at = stored.loc[stored["year"] == tg.baseline.year, "value"]
            baseline = float(at.iloc[0]) if len(at) else np.nan
        out.append(TargetResult(tg, unit, str(names.get(unit, unit)), unit == top, baseline,
                                value, target_status(tg, value, present, year, decimals,
                                                     baseline), series))
    return out
