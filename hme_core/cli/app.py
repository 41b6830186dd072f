"""The `hme` app and its data commands: ingest, validate, score, demo-data, version."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from hme_core import __version__
from hme_core.cli.options import DB_OPTION, db_path, say, use_folders
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
    year: int = typer.Option(..., "--year", help="Survey year."),
    org: Path = typer.Option(..., "--org", help="Org tree file (unit, name, parent)."),
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
    if warning := more_answers_than_employees(scores, headcount):
        say(warning)


@app.command()
def validate(
    responses: Path = typer.Argument(..., help="Responses file."),
    org: Path | None = typer.Option(None, "--org", help="Org tree file."),
    headcount: Path | None = typer.Option(None, "--headcount", help="Head counts file."),
    year: int | None = typer.Option(
        None, "--year", help="Survey year, as `ingest` gets it: a head counts file without a "
        "year column is then that year's."),
    write_groups: bool = typer.Option(
        False, "--write-groups", help="Add the proposed reporting groups to "
        "params/reporting_groups.yaml (the only file written)."),
) -> None:
    """Dry run: the checks of `ingest`, writing nothing; with an org tree, proposes reporting
    groups for units that would be hidden or would blank a sibling."""
    from hme_core.config import load_settings
    from hme_core.instruments import load_instruments
    from hme_core.results.pipeline import more_answers_than_employees, read_inputs
    from hme_core.results.tables import score_table

    settings, instruments = load_settings(), load_instruments()
    inputs = read_inputs(responses, org, headcount, year, instruments, settings)
    items = [c for c in inputs.responses.columns if c.startswith(("hme", "hse", "enps"))]
    say(f"OK: {len(inputs.responses)} respondents, {len(items)} item columns, no problems found")
    if inputs.org is not None and inputs.headcounts is not None:
        scores = score_table(inputs.responses, inputs.org, inputs.headcounts, instruments,
                             settings, year or 0)
        if warning := more_answers_than_employees(scores, headcount):
            say(warning)
    if inputs.org is not None:
        _reporting_groups(inputs, settings, instruments, write_groups)


def _reporting_groups(inputs, settings, instruments, write: bool) -> None:
    """Say which reporting groups do not apply to this tree, and propose new ones."""
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
    proposals = proposed_reporting_groups(inputs.responses, inputs.org, inputs.headcounts,
                                          instruments, settings, groups)
    if not proposals:
        return
    say(f"{len(proposals)} proposed reporting group(s) for units that would have no HME "
        "result (accept with --write-groups, or edit params/reporting_groups.yaml):")
    say(proposals_yaml(proposals).rstrip("\n"))
    if write:
        say(f"Added {len(proposals)} group(s) to {append_proposals(params_dir(), proposals)}")


@app.command()
def score(
    year: int = typer.Option(..., "--year", help="Survey year."),
    db: Path | None = DB_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Write .csv, .xlsx or .parquet."),
) -> None:
    """Score a stored year: one row per (unit, index). Reads only; never writes the store."""
    from hme_core.results.pipeline import current_scores

    _show_scores(current_scores(db_path(db), year), out)


@app.command()
def rescore(
    year: int = typer.Option(..., "--year", help="Survey year."),
    db: Path | None = DB_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Write .csv, .xlsx or .parquet."),
) -> None:
    """Recompute a stored year's results with the current params and store them."""
    from hme_core.results.pipeline import rescore_year

    path = db_path(db)
    if not path.exists():
        raise HMEError(f"{path}: no database here; run 'hme ingest' first")
    _show_scores(rescore_year(path, year), out)


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
