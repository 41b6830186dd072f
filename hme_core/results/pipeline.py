"""Input files -> validated tables -> store: the work behind `hme validate` and `hme ingest`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hme_core.config import Settings, load_settings
from hme_core.disclosure.reporting_groups import load_reporting_groups
from hme_core.errors import InputError, InputIssue
from hme_core.inputs.assemble import NO_TREE, read_all
from hme_core.instruments import InstrumentSet, load_instruments
from hme_core.paths import params_dir
from hme_core.results.drivers import driver_weights
from hme_core.results.questionnaire import questionnaire_table
from hme_core.results.tables import SCORE_COLUMNS, year_results
from hme_core.store.duckdb_store import Store


@dataclass
class Inputs:
    responses: pd.DataFrame
    org: pd.DataFrame | None
    headcounts: pd.DataFrame | None


def read_inputs(
    responses_path: Path,
    org_path: Path | None,
    headcount_path: Path | None,
    year: int | None,
    instruments: InstrumentSet,
    settings: Settings,
) -> Inputs:
    """Read and validate all input files, collecting the problems of every file before raising
    (`inputs.assemble.read_all`: the tree may be the responses' own unit column)."""
    return Inputs(*read_all(responses_path, org_path, headcount_path, year, instruments,
                            settings))


def ingest_files(
    db: Path,
    responses_path: Path,
    year: int,
    org_path: Path | None,
    headcount_path: Path | None = None,
    replace: bool = False,
) -> pd.DataFrame:
    """Validate, score and store one year. Nothing is written unless everything is valid.

    Returns the score table (CLI contract columns). A database file this call created is removed if the ingest fails.
    """
    settings, instruments = load_settings(), load_instruments()
    inputs = read_inputs(responses_path, org_path, headcount_path, year, instruments, settings)
    if inputs.org is None:
        raise InputError(InputIssue(str(responses_path), None, None, None, NO_TREE))
    results = stored_results(
        inputs.responses, inputs.org, inputs.headcounts, instruments, settings, year,
        previously_published=published_before(db, year) if replace else (),
        reporting_groups=load_reporting_groups(params_dir()),
    )
    # what the file asked, in its words (kept by rescoring, which reads no file)
    results["questionnaire"] = questionnaire_table(inputs.responses, instruments, year)
    existed = Path(db).exists()
    try:
        with Store.open(db) as store:
            store.ingest(
                year, inputs.responses, inputs.org, inputs.headcounts, results,
                sources={"responses": str(responses_path), "org": str(org_path),
                         "headcount": str(headcount_path or "")},
                replace=replace,
            )
    except BaseException:
        if not existed:
            Path(db).unlink(missing_ok=True)
            Path(str(db) + ".wal").unlink(missing_ok=True)
        raise
    return results["scores"][SCORE_COLUMNS]


def stored_results(responses: pd.DataFrame, org: pd.DataFrame, headcounts: pd.DataFrame | None,
                   instruments: InstrumentSet, settings: Settings, year: int,
                   previously_published=(), reporting_groups=()) -> dict[str, pd.DataFrame]:
    """What a year stores: the published tables (`year_results`, consistent with the year's
    earlier publications `previously_published`, units of a `reporting_groups` reporting
    together) and the organisation's driver weights (`drivers`, `results/drivers.py`), each a
    `res_<name>` table."""
    results = year_results(responses, org, headcounts, instruments, settings, year,
                           previously_published=previously_published,
                           reporting_groups=reporting_groups)
    results["drivers"] = driver_weights(responses, org, instruments, settings, year)
    return results


def published_before(db: Path, year: int) -> list[dict[str, pd.DataFrame]]:
    """The result tables of the earlier publications of `year` recorded in the store at `db`
    (`hme publish` records them); [] when there is no store or none."""
    if not Path(db).exists():
        return []
    with Store.open(db, read_only=True) as store:
        return store.publications(year)


def more_answers_than_employees(scores: pd.DataFrame, headcount_path: Path | None,
                                shown: int = 10) -> str:
    """A warning ('' when none) naming the units whose answers outnumber their employees in the
    head counts (a response rate over 100 %): head counts of another date, or staff counted
    at another unit. Ingest goes on (the rate is what the files say); the analyst should know
    before reports print it. Lists at most `shown` units, in tree order.

    >>> s = pd.DataFrame({"unit": ["R", "R", "a"], "unit_name": ["Region", "Region", "Avd"],
    ...                   "employees": [40, 40, 22], "response_rate": [0.9, 0.9, 30 / 22]})
    >>> print(more_answers_than_employees(s, Path("hc.csv")))  # doctest: +NORMALIZE_WHITESPACE
    Warning: 1 unit has more answers than employees in hc.csv (a response rate over 100 %):
    a Avd (30 answers, 22 employees). Check that the head counts are of the survey date and
    count each unit's own staff; reports show the rate as the files give it.
    """
    per_unit = scores.drop_duplicates("unit")
    over = per_unit[per_unit["response_rate"] > 1]
    if over.empty:
        return ""
    listed = "; ".join(
        f"{r.unit} {r.unit_name} ({round(r.response_rate * r.employees)} answers, "
        f"{int(r.employees)} employees)" for r in over.head(shown).itertuples())
    more = f"; and {len(over) - shown} more" if len(over) > shown else ""
    units = f"{len(over)} unit has" if len(over) == 1 else f"{len(over)} units have"
    return (f"Warning: {units} more answers than employees in {headcount_path} (a response rate "
            f"over 100 %): {listed}{more}. Check that the head counts are of the survey date and "
            "count each unit's own staff; reports show the rate as the files give it.")


def results_current(db: Path, year: int) -> bool:
    """True when the stored results of `year` were computed with today's params and code."""
    with Store.open(db, read_only=True) as store:
        return store.results_are_current(year)


def current_scores(db: Path, year: int) -> pd.DataFrame:
    """A stored year's scores under the current params and code, never writing the store.

    Stored scores are returned when they are current; otherwise they are recomputed in memory
    from the stored responses (the store is opened read-only, so a missing database is an
    error, not a new file, and a running batch is never locked out).
    """
    with Store.open(db, read_only=True) as store:
        store._require(year)
        if store.results_are_current(year):
            return store.load_result("scores", year)[SCORE_COLUMNS]
        settings, instruments = load_settings(), load_instruments()
        results = year_results(store.load_responses(year), store.load_org(year),
                               store.load_headcounts(year), instruments, settings, year,
                               previously_published=store.publications(year),
                               reporting_groups=load_reporting_groups(params_dir()))
    return results["scores"][SCORE_COLUMNS]


def rescore_year(db: Path, year: int) -> pd.DataFrame:
    """Recompute a stored year's scores with the current params and store them."""
    settings, instruments = load_settings(), load_instruments()
    with Store.open(db) as store:
        responses = store.load_responses(year)
        org = store.load_org(year)
        headcounts = store.load_headcounts(year)
        results = stored_results(responses, org, headcounts, instruments, settings, year,
                                 previously_published=store.publications(year),
                                 reporting_groups=load_reporting_groups(params_dir()))
        store.replace_results(year, results)
    return results["scores"][SCORE_COLUMNS]
