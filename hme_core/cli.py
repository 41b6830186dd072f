"""The `hme` command: a thin layer over the package. Exit codes: 0 ok, 2 bad input/usage, 1 bug."""

from __future__ import annotations

import sys
import time
import traceback
from pathlib import Path

import click
import typer

from . import __version__
from .errors import HMEError
from .paths import default_db

app = typer.Typer(
    help="HME Workbench: score SKR's HME survey and render per-unit reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DB_OPTION = typer.Option(None, "--db", help="DuckDB store (default outputs/hme.duckdb).")


def _db(db: Path | None) -> Path:
    return Path(db) if db else default_db()


def _say(message: str) -> None:
    typer.echo(message, err=True)


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
    from .pipeline import ingest_files

    t0 = time.perf_counter()
    scores = ingest_files(_db(db), responses, year, org, headcount, replace=replace)
    units = scores["unit"].nunique()
    _say(f"Ingested {year} into {_db(db)}: {units} units scored in {time.perf_counter() - t0:.1f} s")


@app.command()
def validate(
    responses: Path = typer.Argument(..., help="Responses file."),
    org: Path | None = typer.Option(None, "--org", help="Org tree file."),
    headcount: Path | None = typer.Option(None, "--headcount", help="Head counts file."),
) -> None:
    """Dry run: the checks of `ingest`, writing nothing."""
    from .config import load_settings
    from .instruments import load_instruments
    from .pipeline import read_inputs

    inputs = read_inputs(responses, org, headcount, None, load_instruments(), load_settings())
    items = [c for c in inputs.responses.columns if c.startswith(("hme", "hse", "enps"))]
    _say(f"OK: {len(inputs.responses)} respondents, {len(items)} item columns, no problems found")


@app.command()
def score(
    year: int = typer.Option(..., "--year", help="Survey year."),
    db: Path | None = DB_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Write .csv, .xlsx or .parquet."),
) -> None:
    """Score a stored year: one row per (unit, index)."""
    from .export import write_table
    from .pipeline import rescore_year

    table = rescore_year(_db(db), year)
    if out is None:
        import pandas as pd

        with pd.option_context("display.max_rows", None, "display.width", 200):
            typer.echo(table.to_string(index=False))
    else:
        write_table(table, out)
        _say(f"Wrote {len(table)} rows to {out}")


@app.command("demo-data")
def demo_data(
    out: Path = typer.Option(..., "--out", help="Folder to write the demo files into."),
    seed: int = typer.Option(2025, "--seed"),
    years: str = typer.Option("2023,2024,2025", "--years", help="Comma-separated years."),
) -> None:
    """Write realistic demo input files (responses, org trees, head counts, outcomes)."""
    from .demo import write_demo

    try:
        year_list = [int(y) for y in years.split(",") if y.strip()]
    except ValueError as exc:
        raise typer.BadParameter(f"--years: expected e.g. 2023,2024,2025, got {years!r}") from exc
    paths = write_demo(out, seed=seed, years=year_list)
    _say(f"Wrote demo data for {', '.join(map(str, year_list))} to {out} ({len(paths)} kinds)")


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def _register_extensions() -> None:
    for module in ("cli_research", "cli_reports", "cli_narratives"):
        try:
            mod = __import__(f"hme_core.{module}", fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != f"hme_core.{module}":
                raise
            continue
        mod.register(app)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `hme` script; returns the exit code."""
    _register_extensions()
    try:
        app(args=argv, standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Abort:
        _say("Aborted.")
        return 130
    except HMEError as exc:
        _say(f"Error: {exc}")
        return getattr(exc, "exit_code", 2)
    except KeyboardInterrupt:
        _say("Interrupted.")
        return 130
    except Exception:  # a bug: show where
        traceback.print_exc()
        _say("Unexpected failure (a bug in hme); the traceback above says where.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
