"""The `hme` app and its data commands: ingest, validate, score, demo-data, version."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from hme_core import __version__
from hme_core.cli.options import DB_OPTION, db_path, say, use_folders, year_option
from hme_core.errors import HMEError

app = typer.Typer(
    help="HME Workbench: score SKR's HME survey and render per-unit reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def folders(
    params: Path | None = typer.Option(
        None, "--params",
        help="Params folder (settings, column map, targets, narratives); default $HME_PARAMS "
             "or params/."),
    outputs: Path | None = typer.Option(
        None, "--outputs",
        help="Outputs folder (reports, exports; the store in its owner-only private/ "
             "folder); default $HME_OUTPUTS or outputs/."),
) -> None:
    """HME Workbench: score SKR's HME survey and render per-unit reports.

    --params and --outputs work before or after the command name.
    """
    use_folders(params, outputs)

@app.command()
def ingest(
    responses: Path = typer.Argument(..., help="Responses file (csv, xlsx, sav, parquet)."),
    year: int = year_option(),
    org: Path | None = typer.Option(
        None, "--org", help="Org tree file (unit, name, parent; level columns; a path column), "
        "or the responses file itself; optional when the responses' unit column holds paths."),
    headcount: Path | None = typer.Option(None, "--headcount", help="Head counts file."),
    db: Path | None = DB_OPTION,
    replace: bool = typer.Option(False, "--replace", help="Overwrite a year already stored."),
) -> None:
    """Validate and store one year's responses, org tree and head counts."""
    from hme_core.results.pipeline import ingest_files, more_answers_than_employees

    t0 = time.perf_counter()
    scores = ingest_files(db_path(db), responses, year, org, headcount, replace=replace)
    units = scores["unit"].nunique()
    say(f"Ingested {year} into {db_path(db)}: {units} units scored in {time.perf_counter() - t0:.1f} s")
    if replace:
        _strip_suggestions(year)
    if warning := more_answers_than_employees(scores, headcount):
        say(warning)
    for line in _renames_to_confirm(db_path(db), year):
        say(line)


def _renames_to_confirm(db: Path, year: int) -> list[str]:
    """A notice per unit that looks renamed between `year` and the stored year before or after
    it (`orgtree.renamed_candidates`), with the command that keeps its history."""
    from hme_core.orgtree import renamed_candidates
    from hme_core.store.duckdb_store import Store

    with Store.open(db, read_only=True) as store:
        years = store.years()
        before = max((y for y in years if y < year), default=None)
        after = min((y for y in years if y > year), default=None)
        pairs = [(a, b, renamed_candidates(store.load_org(a), store.load_org(b)))
                 for a, b in ((before, year), (year, after)) if a is not None and b is not None]
    return [f"'{old}' ({a}) and '{new}' ({b}) have the same parent: if the unit was renamed, "
            f"run hme rename-unit \"{old}\" \"{new}\" and ingest {b} again with --replace, so "
            f"it keeps its history, narratives and targets." for a, b, found in pairs
            for old, new in found]


@app.command()
def validate(
    responses: Path = typer.Argument(..., help="Responses file."),
    org: Path | None = typer.Option(
        None, "--org", help="Org tree file, or the responses file itself (implied when the "
        "responses' unit column holds paths)."),
    headcount: Path | None = typer.Option(None, "--headcount", help="Head counts file."),
    year: int | None = year_option(
        "Survey year, as `ingest` gets it: a head counts file without a year column is then "
        "that year's.", default=None),
    show_all: bool = typer.Option(False, "--all", help="Show every problem (default: the "
                                  "first 50 kinds)."),
    problems: Path | None = typer.Option(None, "--problems", help="Also write every problem, "
                                         "one a line, to this file."),
    accept_aliases: bool = typer.Option(
        False, "--accept-aliases", help="Accept the 'did you mean' pairs: add them under "
        "aliases: in params/units.yaml (check them first)."),
    write_groups: bool = typer.Option(
        False, "--write-groups", help="Add the proposed reporting groups to "
        "params/reporting_groups.yaml (the only file written)."),
) -> None:
    """Dry run: the checks of `ingest`, writing nothing; with an org tree, proposes reporting
    groups for units that would be hidden or would blank a sibling."""
    from hme_core.cli.params_check import check_params
    from hme_core.config import load_settings
    from hme_core.errors import InputError
    from hme_core.inputs.assemble import NO_TREE
    from hme_core.results.pipeline import more_answers_than_employees, read_inputs

    instruments = check_params()  # every params file, one message for all problems
    settings = load_settings()
    try:
        inputs = read_inputs(responses, org, headcount, year, instruments, settings)
    except InputError as exc:
        if accept_aliases:
            from hme_core.inputs.units import accept_aliases as accept
            from hme_core.inputs.units import suggested_aliases

            pairs = suggested_aliases(exc.issues)
            if pairs:
                where = accept(pairs)
                say(f"Accepted {len(pairs)} alias(es) in {where}: " + "; ".join(
                    f"'{a}' = '{b}'" for a, b in pairs.items()) + ". Run validate again.")
        if problems is not None:
            from hme_core.atomic import atomic_write

            atomic_write(problems, "".join(f"{i}\n" for i in exc.issues), private=True)
            say(f"Wrote all {len(exc.issues)} problem(s) to {problems}")
        if show_all:
            raise HMEError(exc.format(limit=len(exc.issues) + 1)) from exc
        raise
    items = [c for c in inputs.responses.columns if c in set(instruments.item_ids)]
    per = {}
    for item in items:
        ins = instruments.instrument_of_item(item).id
        per[ins] = per.get(ins, 0) + 1
    listed = ", ".join(f"{ins} {n}" for ins, n in per.items())
    say(f"OK: {len(inputs.responses)} respondents, {len(items)} item columns ({listed}), "
        f"{len(inputs.org) if inputs.org is not None else 'no'} units in the org tree, "
        "no problems found")
    if inputs.org is None:
        say(f"Note: the unit cells were checked as codes only; `hme ingest` needs {NO_TREE}")
    if inputs.org is not None:  # one decision: the scores of the proposals' first round
        scores = _reporting_groups(inputs, settings, instruments, write_groups)
        if inputs.headcounts is not None and (
                warning := more_answers_than_employees(scores, headcount)):
            say(warning)


def _reporting_groups(inputs, settings, instruments, write: bool,
                      accept: str = "accept with --write-groups"):
    """Say which reporting groups do not apply to this tree, and propose new ones; the
    year's score table (with the groups already decided)."""
    from hme_core.disclosure.reporting_groups import (
        append_proposals,
        applicable_groups,
        load_reporting_groups,
        proposals_yaml,
    )
    from hme_core.paths import params_dir
    from hme_core.results.tables import proposed_reporting_groups

    groups = load_reporting_groups(params_dir())
    for warning in applicable_groups(groups, inputs.org)[1]:
        say(f"Warning: {warning}")
    proposals, scores = proposed_reporting_groups(inputs.responses, inputs.org,
                                                  inputs.headcounts, instruments, settings,
                                                  groups)
    if not proposals:
        return scores
    say(f"{len(proposals)} proposed reporting group(s) for units that would have no HME "
        f"result ({accept}, or edit params/reporting_groups.yaml):")
    names = (dict(zip(inputs.org["unit"].astype(str), inputs.org["name"].astype(str),
                      strict=True)) if "name" in inputs.org else {})
    say(proposals_yaml(proposals, names).rstrip("\n"))
    if write:
        where = append_proposals(params_dir(), proposals, names)
        say(f"Added {len(proposals)} group(s) to {where}")
    return scores


@app.command()
def score(
    year: int = year_option(),
    db: Path | None = DB_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Write .csv, .xlsx or .parquet."),
) -> None:
    """Score a stored year: one row per (unit, index). Reads only; never writes the store."""
    from hme_core.results.pipeline import current_scores

    check_out(out)
    _show_scores(current_scores(db_path(db), year), out)


@app.command()
def rescore(
    year: int = year_option(),
    db: Path | None = DB_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Write .csv, .xlsx or .parquet."),
) -> None:
    """Recompute a stored year's results with the current params and store them."""
    from hme_core.results.pipeline import rescore_year

    path = db_path(db)
    if not path.exists():
        raise HMEError(f"{path}: no database here; run 'hme ingest' first")
    check_out(out)
    _show_scores(rescore_year(path, year), out)
    _strip_suggestions(year)


def _strip_suggestions(year: int) -> None:
    """The year's results changed: the data suggestions in its narrative files quote values
    that may now be hidden, so they are removed (HR's own text is kept)."""
    from hme_core.narratives.files import strip_suggestions

    if changed := strip_suggestions(year):
        say(f"Removed the data suggestions (values under the earlier results) from "
            f"{len(changed)} narrative file(s) of {year}; HR's text is unchanged.")


def check_out(out: Path | None) -> None:
    """Refuse an `--out` that cannot be written before any work: a folder (also one named
    like a file, `DIR.csv`), a file type no writer has, a parent that is a file."""
    from hme_core.results.export import WRITERS

    if out is None:
        return
    out = Path(out)
    if out.is_dir():
        raise HMEError(f"--out {out}: is a folder; give a file name in it, e.g. --out "
                       f"{out / 'scores.csv'}")
    if out.suffix.lower() not in WRITERS:
        raise HMEError(f"--out {out}: unsupported output format, expected a file name ending in "
                       f"{', '.join(sorted(WRITERS))}")
    parent = next((p for p in out.absolute().parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise HMEError(f"--out {out}: {parent} is a file, not a folder")


def _show_scores(table, out: Path | None) -> None:
    from hme_core.results.export import write_table

    if out is None:
        import pandas as pd

        with pd.option_context("display.max_rows", None, "display.width", 200):
            typer.echo(table.to_string(index=False))
    else:
        write_table(table, out)
        say(f"Wrote {len(table)} rows to {out}")


@app.command("demo-data")
def demo_data(
    out: Path = typer.Option(..., "--out", help="Folder to write the demo files into."),
    seed: int = typer.Option(2025, "--seed"),
    years: str = typer.Option("2023,2024,2025", "--years", help="Comma-separated years."),
) -> None:
    """Write demo input files and the demo's params folder (OUT/params, with its targets)."""
    from hme_core.cli.workspace import demo_params
    from hme_core.demo.generator import write_demo

    try:
        year_list = [int(y) for y in years.split(",") if y.strip()]
    except ValueError as exc:
        raise typer.BadParameter(f"--years: expected e.g. 2023,2024,2025, got {years!r}") from exc
    paths = write_demo(out, seed=seed, years=year_list)
    demo_params(Path(out) / "params")
    say(f"Wrote demo data for {', '.join(map(str, year_list))} to {out} ({len(paths)} kinds); "
        f"use it with --params {Path(out) / 'params'}")


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)
