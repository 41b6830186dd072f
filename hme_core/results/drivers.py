"""Driver weights: how much each statement and theme matters for the organisation's outcome.

Computed once per organisation and year on all respondents (stored as `res_drivers` with the
year's results), by relative weights (LMG, `scoring/relative_weights.py`; docs/sources.md,
"Relative importance (LMG)") with percentile bootstrap intervals over respondents.

- **Outcome** (`focus_outcome` in `params/config.yaml`): one question, by default the eNPS
  question (its 0–10 answer); or a question such as overall satisfaction (its 0–100 score). An
  index is refused: an index built from the statements it is weighed against would explain
  itself.
- **Predictor sets**, one per instrument that everyone is asked on an agreement or frequency
  scale (instruments with an audience, such as HSE or the manager questions, and yes/no
  questions are left out): an instrument with themes (psychosocial dimensions) contributes its
  themes (a person's theme score by the instrument's rule: the mean of the answered items when
  at least `min_answered_share` of them are answered); any other instrument its indexed
  statements (0–100 scores), or, with more than `MAX_PREDICTORS` statements, its indices. A
  predictor that contains the outcome question is left out.
- Within a set, a respondent counts when they answered the outcome and every predictor
  (complete cases); the set is weighed only when n >= `min_n` (max(30, 10 × predictors)).
- `weight` is the LMG share of the outcome's variance (0–1); shares of one set add up to that
  set's R². Sets are weighed separately (an all-subsets LMG over 24 predictors would need 16
  million regressions), so a weight says how much the predictor accounts for among the others
  of its own set.

Pure: responses in, one table out; what a unit's values are is never read here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hme_core.config import Settings
from hme_core.errors import ConfigError
from hme_core.instruments import Instrument, InstrumentSet
from hme_core.orgtree import root
from hme_core.scoring.relative_weights import (
    MAX_PREDICTORS,
    bootstrap_interval,
    lmg,
    min_n,
)
from hme_core.scoring.statistics import apply_audiences, recode_answers

DRIVER_COLUMNS = ["year", "unit", "outcome", "predictor_set", "predictor", "kind", "n", "r2",
                  "weight", "share", "ci_low", "ci_high", "rank"]
#: Seed of the bootstrap (the same responses give the same intervals).
SEED = 20240101


def check_outcome(outcome: str, instruments: InstrumentSet) -> Instrument:
    """The instrument of the configured outcome question; a clear error for anything else."""
    if outcome in instruments.index_ids and outcome not in instruments.item_ids:
        raise ConfigError(
            f"params/config.yaml: key 'focus_outcome': {outcome!r} is an index; the focus areas "
            "need one question as the outcome (e.g. enps, or an overall-satisfaction question), "
            "never an index built from the statements it is weighed against")
    try:
        ins = instruments.instrument_of_item(outcome)
    except KeyError:
        raise ConfigError(
            f"params/config.yaml: key 'focus_outcome': unknown question {outcome!r}; expected "
            "enps or a question id of params/instruments/ (e.g. an overall-satisfaction "
            "question)") from None
    if ins.scale_of(outcome).kind == "categorical":
        raise ConfigError(f"params/config.yaml: key 'focus_outcome': {outcome!r} is a yes/no "
                          "question; choose a question on a scale (enps, or a 1–5 statement)")
    return ins


def predictor_sets(instruments: InstrumentSet, outcome: str
                   ) -> list[tuple[str, str, list[str]]]:
    """(set id = instrument id, kind 'item' or 'index', predictor ids) per weighed instrument."""
    sets = []
    for ins in instruments:
        if ins.audience or ins.scale.kind != "likert" or not ins.indices:
            continue
        themes = [t for ix in ins.indices for t in ix.themes]
        if themes:
            ids, kind = list(dict.fromkeys(themes)), "index"
        else:
            ids = list(dict.fromkeys(i for ix in ins.indices for i in ix.items))
            kind = "item"
            if len(ids) > MAX_PREDICTORS:
                ids, kind = [ix.id for ix in ins.indices], "index"
        ids = [p for p in ids if p != outcome
               and (kind == "item" or outcome not in ins.items_of(p))]
        if 1 < len(ids) <= MAX_PREDICTORS:
            sets.append((ins.id, kind, ids))
    return sets


def _outcome_values(responses: pd.DataFrame, scores: pd.DataFrame, ins: Instrument,
                    outcome: str) -> np.ndarray:
    """The outcome per respondent: the 0–10 answer of an NPS question, else the 0–100 score."""
    if ins.scale_of(outcome).kind == "nps":
        return pd.to_numeric(responses[outcome], errors="coerce").to_numpy(float)
    return scores[outcome].to_numpy(float)


def _person_scores(scores: pd.DataFrame, ins: Instrument, index_id: str) -> np.ndarray:
    """A person's index score: the mean of the answered items when at least
    `min_answered_share` of them are answered, else NaN (docs/sources.md, "COPSOQ (Swedish
    version)")."""
    items = [i for i in ins.items_of(index_id) if i in scores]
    if not items:
        return np.full(len(scores), np.nan)
    mat = scores[items].to_numpy(float)
    count = (~np.isnan(mat)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(mat, axis=1) / count
    return np.where(count >= ins.min_answered_share * len(ins.items_of(index_id)) - 1e-9,
                    mean, np.nan)


def _empty() -> pd.DataFrame:
    text = pd.Series(dtype="string")
    number = pd.Series(dtype=float)
    return pd.DataFrame({"year": pd.Series(dtype="int64"), "unit": text, "outcome": text,
                         "predictor_set": text, "predictor": text, "kind": text,
                         "n": pd.Series(dtype="int64"), "r2": number, "weight": number,
                         "share": number, "ci_low": number, "ci_high": number,
                         "rank": pd.Series(dtype="int64")})


def driver_weights(responses: pd.DataFrame, org: pd.DataFrame, instruments: InstrumentSet,
                   settings: Settings, year: int) -> pd.DataFrame:
    """The year's driver weights (`DRIVER_COLUMNS`), one row per predictor of each weighed set.

    `unit` is the organisation (the tree's root): the weights belong to all its respondents.
    Empty (typed) when the outcome is not in the data or no set has enough respondents.
    """
    outcome = settings.focus_outcome
    outcome_ins = check_outcome(outcome, instruments)
    if outcome not in responses.columns or responses[outcome].isna().all():
        return _empty()
    rows = apply_audiences(responses, instruments)
    scores = recode_answers(rows, instruments)
    y_all = _outcome_values(rows, scores, outcome_ins, outcome)
    frames = []
    for set_id, kind, ids in predictor_sets(instruments, outcome):
        ins = instruments[set_id]
        columns = {}
        for p in ids:
            if kind == "item":
                if p in scores:
                    columns[p] = scores[p].to_numpy(float)
            else:
                columns[p] = _person_scores(scores, ins, p)
        present = [p for p in ids if p in columns and np.isfinite(columns[p]).any()]
        if len(present) < 2:
            continue
        x = np.column_stack([columns[p] for p in present])
        complete = np.isfinite(y_all) & np.isfinite(x).all(axis=1)
        x, y = x[complete], y_all[complete]
        if len(y) < min_n(len(present)) or y.std() == 0 or np.any(x.std(axis=0) == 0):
            continue
        point = lmg(x, y)
        low, high = bootstrap_interval(x, y, settings.focus_bootstrap, seed=SEED)
        r2 = float(point.sum())
        part = pd.DataFrame({
            "predictor_set": set_id, "predictor": present, "kind": kind, "n": len(y), "r2": r2,
            "weight": point, "share": 100 * point / r2 if r2 > 0 else np.nan,
            "ci_low": low, "ci_high": high})
        part["rank"] = part["weight"].rank(ascending=False, method="min").astype("int64")
        frames.append(part)
    if not frames:
        return _empty()
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "outcome", outcome)
    out.insert(0, "unit", root(org))
    out.insert(0, "year", int(year))
    return out.astype({"unit": "string", "outcome": "string", "predictor_set": "string",
                       "predictor": "string", "kind": "string", "n": "int64"})[DRIVER_COLUMNS]
