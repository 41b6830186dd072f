"""Options shared by the `hme` commands, and how their values are read (one place for each)."""

from __future__ import annotations

from pathlib import Path

import typer

from hme_core.i18n import check_lang
from hme_core.paths import default_db

DB_OPTION = typer.Option(None, "--db", help="DuckDB store (default outputs/hme.duckdb).")
UNITS_OPTION = typer.Option(None, "--units", help="Comma-separated unit codes.")


def lang_option(help_text: str = "Report language: sv or en.") -> typer.models.OptionInfo:
    """The `--lang` option (default Swedish)."""
    return typer.Option("sv", "--lang", help=help_text)


def db_path(db: Path | None) -> Path:
    """The store named by `--db`, or the default store."""
    return Path(db) if db else default_db()


def unit_list(units: str | None) -> list[str] | None:
    """'A, B,,C' -> ['A', 'B', 'C']; None or empty -> None (all units)."""
    out = [u.strip() for u in units.split(",") if u.strip()] if units else []
    return out or None


def language(lang: str) -> str:
    """The `--lang` value, checked (`LanguageError`, exit 2, when it is not a supported language)."""
    return check_lang(lang)


def say(message: str) -> None:
    """A progress or summary line, on standard error."""
    typer.echo(message, err=True)
