"""`hme narratives init`: create the missing narrative files of a year (never overwrites)."""

from __future__ import annotations

from pathlib import Path

import typer

narratives_app = typer.Typer(help="HR narratives: one Markdown file per unit and year.",
                             no_args_is_help=True)


@narratives_app.command("init")
def init(
    year: int = typer.Option(..., "--year", help="Survey year."),
    units: str | None = typer.Option(None, "--units", help="Comma-separated unit codes."),
    lang: str = typer.Option("sv", "--lang", help="Language of headings and prompts: sv or en."),
    db: Path | None = typer.Option(None, "--db", help="DuckDB store (default outputs/hme.duckdb)."),
) -> None:
    """Create params/narratives/<year>/<unit>.md for units without one, pre-filled with the
    analysis questions and data-driven suggestions (in comments). Existing files are skipped."""
    from .errors import HMEError
    from .narratives import init_narratives, narratives_dir
    from .paths import default_db
    from .store import Store

    if lang not in ("sv", "en"):
        raise HMEError(f"--lang: expected sv or en, got {lang!r}")
    unit_list = [u.strip() for u in units.split(",") if u.strip()] if units else None
    with Store.open(Path(db) if db else default_db(), read_only=True) as store:
        results = init_narratives(year, unit_list, store, lang)
    created = sum(r.created for r in results)
    typer.echo(f"{created} narrative file(s) created, {len(results) - created} already present "
               f"(left untouched) in {narratives_dir(year)}", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(narratives_app, name="narratives")
