"""Research commands, registered on the main `hme` app: `ingest-outcomes` and `export kolada`.

Thin layer over `hme_core.research`; errors are `HMEError`s, which `hme_core.cli.main` turns
into one line and exit code 2.
"""

from __future__ import annotations

import time
from pathlib import Path

import typer

from .paths import default_db

DB_OPTION = typer.Option(None, "--db", help="DuckDB store (default outputs/hme.duckdb).")


def _say(message: str) -> None:
    typer.echo(message, err=True)


def ingest_outcomes_command(
    file: Path = typer.Argument(..., help="Outcomes file: unit, year, indicator, value "
                                          "[, unit_of_measure] (csv, xlsx, ...)."),
    db: Path | None = DB_OPTION,
) -> None:
    """Validate and store unit-level outcome indicators (replaces the same year and indicator)."""
    from .research.outcomes import ingest_outcomes
    from .store import Store

    t0 = time.perf_counter()
    with Store.open(db or default_db()) as store:
        outcomes = ingest_outcomes(store, file)
    years = ", ".join(map(str, sorted(outcomes["year"].unique())))
    _say(f"Stored {len(outcomes)} outcome values ({outcomes['indicator'].nunique()} indicators, "
         f"years {years}) in {db or default_db()} in {time.perf_counter() - t0:.1f} s")


def export_kolada_command(
    year: int = typer.Option(..., "--year", help="Survey year."),
    db: Path | None = DB_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Write .csv, .xlsx or .parquet."),
    municipality_id: str = typer.Option("0000", "--municipality-id",
                                        help="Kolada id of the organisation (e.g. 1480)."),
    municipality: str | None = typer.Option(None, "--municipality",
                                            help="Name (default: organisation_name in config)."),
    kind: str = typer.Option("region", "--kind", help="region (U602xx) or municipality (U002xx)."),
) -> None:
    """Write the organisation's HME totals (T/K/M) for a year in Kolada's shape."""
    from .export import neutralise_formulas, write_table
    from .research.kolada import export_kolada
    from .store import Store

    with Store.open(db or default_db(), read_only=True) as store:
        table = export_kolada(store, year, municipality_id, municipality, kind)
    if out is None:
        typer.echo(neutralise_formulas(table).to_csv(index=False), nl=False)
    else:
        write_table(table, out)
        _say(f"Wrote {len(table)} Kolada rows for {year} to {out}")


def register(app: typer.Typer) -> None:
    """Add `ingest-outcomes` and the `export` group with `kolada` to the `hme` app."""
    app.command("ingest-outcomes")(ingest_outcomes_command)
    export_app = typer.Typer(help="Export results in other shapes.", no_args_is_help=True)
    export_app.command("kolada")(export_kolada_command)
    app.add_typer(export_app, name="export")
