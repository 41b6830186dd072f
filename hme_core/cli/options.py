"""Options shared by the `hme` commands, and how their values are read (one place for each)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from hme_core.errors import HMEError
from hme_core.i18n import check_lang
from hme_core.paths import default_db
from hme_core.store import FIRST_YEAR, LAST_YEAR

DB_OPTION = typer.Option(None, "--db", help="DuckDB store (default outputs/private/hme.duckdb).")
UNITS_OPTION = typer.Option(
    None, "--units", help="Comma-separated units: codes, names or paths ('Område / Enhet'); "
    "'hme units --year YEAR' lists them.")


#: Options every command takes (before or after the command name): they set `HME_PARAMS` and
#: `HME_OUTPUTS` for this run, so notebooks and worker processes see the same folders.
FOLDER_OPTIONS = {"--params": "HME_PARAMS", "--outputs": "HME_OUTPUTS"}


def use_folders(params: Path | None, outputs: Path | None) -> None:
    """Point `params_dir()`/`outputs_dir()` at the given folders (absolute) for this run.

    A params folder must exist and hold `config.yaml`; an outputs folder is created by the
    commands that write into it (a command that writes nothing there, e.g. `hme score`, never
    fails because it cannot be made); one that is a file is refused.
    """
    if params is not None:
        params = Path(params).expanduser().resolve()
        if not (params / "config.yaml").is_file():
            raise HMEError(f"--params {params}: expected a params folder with config.yaml "
                           f"(create one with `hme init DIR`)")
        os.environ["HME_PARAMS"] = str(params)
    if outputs is not None:
        outputs = Path(outputs).expanduser().resolve()
        if outputs.exists() and not outputs.is_dir():
            raise HMEError(f"--outputs {outputs}: is a file, expected a folder")
        os.environ["HME_OUTPUTS"] = str(outputs)


def hoist_folder_options(argv: list[str]) -> list[str]:
    """Move `--params X` / `--outputs X` (also `--params=X`) to the front, where the app's
    callback reads them, so they work after the command name too.

    >>> hoist_folder_options(["reports", "--year", "2025", "--outputs=o", "--params", "p"])
    ['--outputs=o', '--params', 'p', 'reports', '--year', '2025']
    """
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest += argv[i:]
            break
        if arg in FOLDER_OPTIONS and i + 1 < len(argv):
            front += argv[i:i + 2]
            i += 2
            continue
        if arg.split("=", 1)[0] in FOLDER_OPTIONS and "=" in arg:
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


def year_option(help_text: str = "Survey year.", default=...) -> typer.models.OptionInfo:
    """The `--year` option: a survey year in the store's range (`store.check_year`), checked
    before anything runs, so `--year 3000000000` or `--year -5` is a usage error (exit 2)."""
    return typer.Option(default, "--year", min=FIRST_YEAR, max=LAST_YEAR, help=help_text)


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
