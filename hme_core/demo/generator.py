"""Synthetic, realistic survey data for "Region Demo" (about 10 000 employees, ~290 units).

`generate_demo` builds, deterministically per seed, everything a demo or a test needs: one org
file per year, one responses file per year in the input-file shape, headcounts and unit-level
outcome indicators. `write_demo` writes them as Swedish exports (see its docstring).

The answer model (levels: docs/sources.md, SKR: HME): each respondent has a general engagement
factor g and three subfactors (motivation, leadership, governance) that share g, so they correlate
about `FACTOR_CORR`. A statement's latent value is `LOADING` × its subfactor + noise + the unit's
effect (persistent across years, plus an overall trend, a unit slope and yearly noise) + a statement
offset (hme8, goal follow-up, lowest) + a manager bonus; it is cut at `THRESHOLDS` into 1–5. eNPS
follows motivation; HSE a safety factor correlated with g. Outcomes (sick leave, turnover, …)
depend on the unit's true engagement plus noise, so unit-level analyses have something to find.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

from hme_core.demo.names import ADDED, PATIENT_FACING, PROFESSIONS, RENAMED, unit_specs
from hme_core.instruments import InstrumentSet, load_instruments

FACTOR_CORR = 0.65
LOADING = 0.82
#: Cut points on the latent scale between codes 1|2, 2|3, 3|4, 4|5.
THRESHOLDS = np.array([-1.95, -1.45, -0.85, 0.15])
#: Latent offset per statement (goal follow-up, hme8, is often the lowest; docs/sources.md).
ITEM_OFFSET = {"hme1": 0.25, "hme2": -0.1, "hme3": -0.15, "hme4": -0.05, "hme5": 0.3,
               "hme6": 0.1, "hme7": -0.05, "hme8": -0.45, "hme9": 0.25}
SUBINDICES = ("motivation", "leadership", "governance")
MANAGER_BONUS = 0.3  # about +5 index points (managers score higher than staff)
TREND_PER_YEAR = 0.035  # slight improvement overall
ADMIN_EFFECT = {"HSF": -0.06, "RS": 0.0, "TV": 0.06, "KU": 0.15, "KT": -0.03}
ENPS_CUM = np.array([.03, .05, .07, .10, .14, .22, .33, .50, .71, .85])  # P(score <= 0..9)
WOMEN_SHARE = {"HSF": 0.77, "TV": 0.84, "RS": 0.5, "KU": 0.6, "KT": 0.38}
AGE_GROUPS = ["-29", "30-39", "40-49", "50-59", "60-"]
AGE_SHARES = [0.11, 0.23, 0.25, 0.26, 0.15]
MISSING_SHARE = [0.012, 0.015, 0.013, 0.016, 0.014, 0.017, 0.012, 0.018, 0.014]  # blank, per item
DONT_KNOW_SHARE = 0.003  # "Vet ej"
LABEL_ROW_SHARE = 0.05  # rows exported with label text instead of codes
N_SMALL_UNITS = 5  # units with fewer than 5 respondents, so suppression shows
LEAF_EMPLOYEES = 9950  # direct staff of leaf units, all together


@dataclass(frozen=True)
class DemoData:
    """The demo data set; every frame is keyed or columned by year.

    `org[year]`: unit, name, parent (NA for the root). `responses[year]`: the input-file shape
    (`RESPONSE_COLUMNS`; answers as text: a code, a label or "Vet ej"; None when blank; `enps`
    integer). `headcounts`: unit, year, employees (direct staff, children not included).
    `outcomes`: unit, year, indicator, value, unit_of_measure (long form).
    """

    seed: int
    years: tuple[int, ...]
    org: dict[int, pd.DataFrame]
    responses: dict[int, pd.DataFrame]
    headcounts: pd.DataFrame
    outcomes: pd.DataFrame


def _tree() -> pd.DataFrame:
    specs = pd.DataFrame([s.__dict__ for s in unit_specs()])
    specs["is_leaf"] = ~specs["code"].isin(specs["parent"].dropna())
    specs["patient_facing"] = specs["kind"].isin(PATIENT_FACING)
    specs["kind"] = specs["kind"].fillna("ledning")
    return specs


def _unit_traits(rng: np.random.Generator, units: pd.DataFrame) -> dict[str, np.ndarray]:
    """Persistent per-unit traits: size, response rate, engagement effects, trend."""
    n = len(units)
    leaf = units["is_leaf"].to_numpy()
    level = units["level"].to_numpy()
    size = rng.lognormal(np.log(28), 0.6, n)
    size = np.clip(size * LEAF_EMPLOYEES / size[leaf].sum(), 12, 120)
    size = np.where(level == 1, rng.integers(6, 15, n), np.where(level == 2, rng.integers(2, 9, n),
                                                                  size))
    size[level == 0] = 0  # the region's own staff are not in the demo
    fixed = units["code"].isin([RENAMED[0], ADDED[0]]).to_numpy()
    small = rng.choice(np.flatnonzero(leaf & ~fixed), N_SMALL_UNITS, replace=False)
    size[small] = rng.integers(3, 6, N_SMALL_UNITS)
    admin = units["admin"].map(ADMIN_EFFECT).fillna(0).to_numpy()
    general = rng.normal(0, 1, n)
    effect = 0.25 * general[:, None] + 0.15 * rng.normal(0, 1, (n, 3)) + admin[:, None]
    return {
        "size": np.round(size),
        "small": np.isin(np.arange(n), small),
        "rate": rng.uniform(0.6, 0.85, n),
        "effect": effect,
        "slope": rng.normal(0, 0.06, n),
        "enps": rng.normal(0, 0.15, n) - 0.15 * (units["admin"] == "HSF").to_numpy(),
        "hse": rng.normal(0, 0.25, n),
    }


def _cut(latent: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Discretise a latent value: 1 + the number of thresholds it exceeds."""
    return 1 + (latent[..., None] > thresholds).sum(axis=-1)


def _blank_some(rng: np.random.Generator, codes: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Code 0 = blank (share per column), -1 = "Vet ej"."""
    u = rng.random(codes.shape)
    codes = np.where(u < shares, 0, codes)
    return np.where((u >= shares) & (u < shares + DONT_KNOW_SHARE), -1, codes)


def _as_text(codes: np.ndarray, label_rows: np.ndarray, variant: np.ndarray,
             labels: list[str]) -> np.ndarray:
    """Codes (-1 Vet ej, 0 blank, 1–5) as export text; label rows get label text, some odd."""
    vet = "Vet ej"
    plain = np.array([vet, None, *(str(c) for c in range(1, 6))], dtype=object)
    table = np.array([
        [vet, None, *labels],
        [vet.upper(), None, *(s.upper() for s in labels)],
        [vet.lower(), None, *(s.lower() for s in labels)],
        [f" {vet} ", None, *(f"  {s} " for s in labels)],
    ], dtype=object)
    text = np.where(label_rows[:, None], table[variant[:, None], codes + 1], plain[codes + 1])
    return text.astype(object)


def _categorical(rng: np.random.Generator, groups: np.ndarray,
                 choices: dict[str, dict[str, float]]) -> np.ndarray:
    """Draw one category per row from the distribution of its group (loop over groups only)."""
    out = np.empty(len(groups), dtype=object)
    for group, dist in choices.items():
        rows = np.flatnonzero(groups == group)
        out[rows] = rng.choice(list(dist), size=len(rows), p=list(dist.values()))
    return out


def _responses(rng: np.random.Generator, year: int, units: pd.DataFrame, unit_idx: np.ndarray,
               effect: np.ndarray, traits: dict[str, np.ndarray], ins: InstrumentSet,
               ) -> pd.DataFrame:
    """One year's responses for respondents in units `unit_idx` (vectorised over people)."""
    hme, hse = ins["hme"], ins["hse"]
    labels = [o.sv or str(o.code) for o in hme.scale.options]
    n = len(unit_idx)
    leaf = units["is_leaf"].to_numpy()[unit_idx]
    chef = rng.random(n) < np.where(leaf, 0.062, 0.35)
    g = rng.normal(0, 1, n)
    factors = (np.sqrt(FACTOR_CORR) * g[:, None]
               + np.sqrt(1 - FACTOR_CORR) * rng.normal(0, 1, (n, 3)))
    sub_of = {i: SUBINDICES.index(ix.id) for ix in hme.indices if ix.id in SUBINDICES
              for i in ix.items}
    k = np.array([sub_of[i] for i in hme.item_ids])
    offset = np.array([ITEM_OFFSET[i] for i in hme.item_ids])
    u_eff = effect[unit_idx]
    latent = (LOADING * factors[:, k] + np.sqrt(1 - LOADING**2) * rng.normal(0, 1, (n, len(k)))
              + u_eff[:, k] + offset + MANAGER_BONUS * chef[:, None])
    hme_codes = _blank_some(rng, _cut(latent, THRESHOLDS), np.array(MISSING_SHARE))

    mot = factors[:, 0] + u_eff[:, 0]
    enps_latent = (0.8 * mot + 0.55 * rng.normal(0, 1, n) + traits["enps"][unit_idx]
                   + 0.2 * chef)
    enps = _cut(enps_latent, np.array([NormalDist().inv_cdf(p) for p in ENPS_CUM])) - 1

    safety = 0.6 * g + 0.8 * rng.normal(0, 1, n)
    hse_latent = (0.8 * safety[:, None] + 0.6 * rng.normal(0, 1, (n, len(hse.item_ids)))
                  + u_eff.mean(axis=1, keepdims=True) + traits["hse"][unit_idx][:, None] + 0.1)
    hse_codes = _blank_some(rng, _cut(hse_latent, THRESHOLDS), np.full(len(hse.item_ids), 0.015))

    facing = units["patient_facing"].to_numpy()[unit_idx]
    contact = rng.random(n) < np.where(facing, 0.93, 0.06)
    hse_codes[~contact] = 0
    survey = _survey_answers(rng, ins, g, u_eff.mean(axis=1), chef, facing)

    label_rows = rng.random(n) < LABEL_ROW_SHARE
    variant = np.where(rng.random(n) < 0.15, rng.integers(1, 4, n), 0)
    admin = units["admin"].to_numpy()[unit_idx]
    women = rng.random(n) < pd.Series(admin).map(WOMEN_SHARE).to_numpy()
    ids = np.char.add(f"{year}-", np.char.zfill(np.arange(1, n + 1).astype(str), 6))
    frame = pd.DataFrame({
        "respondent_id": ids.astype(object),
        "unit": units["code"].to_numpy()[unit_idx],
        "sex": np.where(women, "Kvinna", "Man").astype(object),
        "role": np.where(chef, "Chef", "Medarbetare").astype(object),
        "profession": _categorical(rng, units["kind"].to_numpy()[unit_idx], PROFESSIONS),
        "age_group": rng.choice(AGE_GROUPS, size=n, p=AGE_SHARES).astype(object),
        "patient_contact": np.where(contact, "Ja", "Nej").astype(object),
    })
    answers = np.hstack([_as_text(hme_codes, label_rows, variant, labels),
                         enps[:, None].astype(object),
                         _as_text(hse_codes, label_rows, variant, labels)])
    items = [*hme.item_ids, "enps", *hse.item_ids]
    frame = pd.concat([frame, pd.DataFrame(answers, columns=items), survey], axis=1)
    return frame.astype({"enps": "int64"})


#: Latent offset per psychosocial theme's items (favourable direction; demands and stress low).
PS_OFFSET = {"ps_em": -0.3, "ps_wl": -0.1, "ps_st": 0.0, "ps_wf": 0.3, "ps_ch": 0.0,
             "ps_pr": 0.3, "ps_in": 0.35, "ps_co": 1.0, "ps_tr": 0.9, "ps_rt": 0.9}
#: P(yes) of the yes/no questions at an average unit (patient-facing units: more threats).
YES_SHARE = {"ex_victimisation": 0.07, "ex_discrimination": 0.04, "ex_sexual": 0.025,
             "ex_violence": 0.08, "dv_dialogue": 0.74, "dv_plan": 0.33, "dv_competence": 0.62}


def _survey_answers(rng: np.random.Generator, ins: InstrumentSet, g: np.ndarray,
                    unit_eff: np.ndarray, chef: np.ndarray, facing: np.ndarray) -> pd.DataFrame:
    """Answers to the optional instruments (psychosocial, exposure, manager, development) as
    export text: codes for ordinal items (reversed items mirrored), "Ja"/"Nej" for yes/no;
    None when blank. Manager questions only from managers."""
    n = len(g)
    out: dict[str, np.ndarray] = {}
    names = [i.id for i in ins]
    for ins_id in ("psychosocial", "manager"):
        if ins_id not in names:
            continue
        instrument = ins[ins_id]
        skipped = rng.random(n) < 0.02  # a respondent skips a whole block, rarely single items
        for item in instrument.items:
            k = len(instrument.scale_of(item.id).codes)
            cuts = np.quantile(np.random.default_rng(k).normal(0, 1.25, 4000),
                               np.linspace(0, 1, k + 1)[1:-1] ** 0.8)
            latent = (0.55 * g + 0.75 * rng.normal(0, 1, n) + unit_eff
                      + PS_OFFSET.get(item.id[:5], 0.6) + 0.3 * chef)
            codes = _cut(latent, cuts)
            if item.reversed:
                codes = k + 1 - codes
            text = codes.astype(str).astype(object)
            blank = skipped.copy()
            if ins_id == "manager":
                blank |= ~chef
            text[blank] = None
            out[item.id] = text
    for ins_id in ("exposure", "development"):
        if ins_id not in names:
            continue
        skipped = rng.random(n) < 0.02
        for item in ins[ins_id].items:
            p = YES_SHARE.get(item.id, 0.5)
            logit = np.log(p / (1 - p)) - 0.5 * unit_eff * (1 if ins_id == "exposure" else -1)
            if item.id == "ex_violence":
                logit = logit + 1.0 * facing
            yes = rng.random(n) < 1 / (1 + np.exp(-logit))
            text = np.where(yes, "Ja", "Nej").astype(object)
            text[skipped] = None
            out[item.id] = text
    return pd.DataFrame(out)


#: indicator -> unit of measure (outcomes.csv).
OUTCOME_UNITS = {
    "sick_leave_rate": "%",
    "short_sick_leave_rate": "%",
    "staff_turnover": "%",
    "overtime_hours_per_fte": "timmar per årsarbetare",
    "patient_safety_reports": "antal per 10 årsarbetare",
    "budget_deviation": "%",
}


def _outcomes(rng: np.random.Generator, year: int, units: pd.DataFrame,
              staffed: np.ndarray, effect: np.ndarray) -> pd.DataFrame:
    """Unit outcomes for one year from the units' true engagement `z` (standardised).

    Sick leave and turnover fall with engagement (unit-level r about −0.4 to −0.5), overtime
    weakly; patient-safety reports (patient-facing units only) rise a little with it (reporting
    culture); budget deviation is nearly unrelated.
    """
    sub = units.iloc[staffed]
    eng = effect[staffed].mean(axis=1)
    z = (eng - eng.mean()) / eng.std()
    n = len(sub)
    pf = sub["patient_facing"].to_numpy()
    office = sub["kind"].isin(["adm", "it", "ledning", "trafik"]).to_numpy()
    physical = sub["kind"].isin(["kok", "service"]).to_numpy()
    sick = np.clip(6.6 + 0.9 * pf - 1.3 * office + 1.0 * physical - 0.85 * z
                   + rng.normal(0, 1.1, n), 1.5, 16)
    values = {
        "sick_leave_rate": sick,
        "short_sick_leave_rate": np.clip(0.38 * sick + rng.normal(0, 0.35, n), 0.5, None),
        "staff_turnover": np.clip(11 - 2.3 * z + rng.normal(0, 3.5, n), 0, 40),
        "overtime_hours_per_fte": np.clip(16 + 9 * pf - 1.5 * z + rng.normal(0, 6, n), 0, None),
        "patient_safety_reports": np.clip(4 + 0.4 * z + rng.normal(0, 1.5, n), 0, None),
        "budget_deviation": -0.4 + 0.15 * z + rng.normal(0, 2.5, n),
    }
    parts = []
    for indicator, value in values.items():
        keep = pf if indicator == "patient_safety_reports" else np.ones(n, dtype=bool)
        parts.append(pd.DataFrame({
            "unit": sub["code"].to_numpy()[keep], "year": year, "indicator": indicator,
            "value": np.round(value[keep], 2), "unit_of_measure": OUTCOME_UNITS[indicator]}))
    return pd.concat(parts, ignore_index=True)


def _check_years(years: Sequence[int]) -> tuple[int, ...]:
    out = tuple(sorted(int(y) for y in years))
    if not out or len(set(out)) != len(out):
        raise ValueError(f"years must be one or more distinct years, got {list(years)!r}")
    return out


def generate_demo(seed: int = 2025, years: Sequence[int] = (2023, 2024, 2025)) -> DemoData:
    """Generate the Region Demo data set; the same seed always gives identical frames.

    One unit (`names.RENAMED`) has a new name from the second year on, one unit
    (`names.ADDED`) exists only in the last year, and `N_SMALL_UNITS` leaf units have fewer
    than five respondents. Response rates are 60–85 % per unit (plus yearly noise).

    >>> demo = generate_demo(seed=1, years=[2024])
    >>> sorted(demo.responses), demo.org[2024].loc[0, "unit"]
    ([2024], 'R')
    """
    years = _check_years(years)
    rng = np.random.default_rng(seed)
    ins = load_instruments()
    units = _tree()
    traits = _unit_traits(rng, units)
    added = (units["code"] == ADDED[0]).to_numpy()
    org, responses, heads, outcomes = {}, {}, [], []
    for t, year in enumerate(years):
        exists = ~added | (t == len(years) - 1)
        names = units["name"].where(~((units["code"] == RENAMED[0]) & (t >= 1)), RENAMED[1])
        org[year] = pd.DataFrame({"unit": units["code"], "name": names,
                                  "parent": units["parent"]})[exists].reset_index(drop=True)
        staffed = np.flatnonzero(exists & (traits["size"] > 0))
        size = traits["size"][staffed]
        employees = np.maximum(np.round(size * rng.lognormal(0, 0.04, len(staffed))), 2)
        employees = np.where(traits["small"][staffed], size, employees).astype(int)
        rate = np.clip(traits["rate"][staffed] + rng.normal(0, 0.03, len(staffed)), 0.55, 0.9)
        n_resp = rng.binomial(employees, rate)
        n_resp = np.where(traits["small"][staffed], np.clip(n_resp, 2, 4), n_resp)
        effect = (traits["effect"] + (TREND_PER_YEAR * t + traits["slope"] * t)[:, None]
                  + rng.normal(0, 0.06, traits["effect"].shape))
        unit_idx = rng.permutation(np.repeat(staffed, n_resp))
        responses[year] = _responses(rng, year, units, unit_idx, effect, traits, ins)
        heads.append(pd.DataFrame({"unit": units["code"].to_numpy()[staffed], "year": year,
                                   "employees": employees}))
        outcomes.append(_outcomes(rng, year, units, staffed, effect))
    return DemoData(seed, years, org, responses, pd.concat(heads, ignore_index=True),
                    pd.concat(outcomes, ignore_index=True))


_README = (
    "Synthetic survey data for Region Demo (seed {seed}, years {years}), made by "
    "hme_core.demo.generator: responses_<year>.csv holds one row per respondent (unit code, background, "
    "HME hme1-hme9, eNPS, HSE hse1-hse11 for those with patient contact, psychosocial ps_*, "
    "exposure ex_* and development dv_* yes/no, manager questions mg_* for managers) and org_<year>.csv the unit tree (unit;name;parent).\n"
    "headcount.csv gives direct employees per unit and year and outcomes.csv unit-level "
    "indicators (sick leave, turnover, ...) in long form; all files are ';'-separated UTF-8 "
    "with BOM, decimal comma, blank for missing.\n"
)


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, sep=";", index=False, encoding="utf-8-sig", decimal=",")
    return path


def write_demo(out_dir: Path, seed: int = 2025,
               years: Sequence[int] = (2023, 2024, 2025)) -> dict[str, Path | dict[int, Path]]:
    """Generate the demo and write it to `out_dir` (created if needed) as Swedish exports.

    Files: `responses_<year>.csv`, `org_<year>.csv` (parent blank for the root),
    `headcount.csv` (`unit;year;employees`), `outcomes.csv`
    (`unit;year;indicator;value;unit_of_measure`) and `README.txt`. CSVs use `;` as separator,
    UTF-8 with BOM (`utf-8-sig`), blank for missing, and decimal comma for fractional values
    (`outcomes.csv` `value`; read it with `decimal=","`).

    Returns {"responses": {year: path}, "org": {year: path}, "headcount": path,
    "outcomes": path, "readme": path}.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    demo = generate_demo(seed, years)
    readme = out_dir / "README.txt"
    readme.write_text(_README.format(seed=seed, years=", ".join(map(str, demo.years))),
                      encoding="utf-8")
    return {
        "responses": {y: _write_csv(f, out_dir / f"responses_{y}.csv")
                      for y, f in demo.responses.items()},
        "org": {y: _write_csv(f, out_dir / f"org_{y}.csv") for y, f in demo.org.items()},
        "headcount": _write_csv(demo.headcounts, out_dir / "headcount.csv"),
        "outcomes": _write_csv(demo.outcomes, out_dir / "outcomes.csv"),
        "readme": readme,
    }
