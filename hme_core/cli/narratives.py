"""`hme narratives init`: create the missing narrative files of a year (never overwrites)."""

from __future__ import annotations

from pathlib import Path

import typer

from hme_core.cli.options import (
    DB_OPTION,
    UNITS_OPTION,
    db_path,
    lang_option,
    language,
    say,
    unit_list,
)

narratives_app = typer.Typer(help="HR narratives: one Markdown file per unit and year.",
                             no_args_is_help=True)


@narratives_app.command("init")
def init(
    year: int = typer.Option(..., "--year", help="Survey year."),
    units: str | None = UNITS_OPTION,
    lang: str = lang_option("Language of headings and prompts: sv or en."),
    db: Path | None = DB_OPTION,
) -> None:
    """Create params/narratives/<year>/<unit>.md for units without one, pre-filled with the
    analysis questions and data-driven suggestions (in comments). Existing files are skipped."""
    from hme_core.cli.progress import progress_bar
    from hme_core.narratives.files import init_narratives
    from hme_core.store.duckdb_store import Store
    from hme_core.unit_files import narratives_dir

    lang = language(lang)

    def step(done: int, total: int, unit: str) -> None:
        bar.total(total)
        if done:
            bar.advance(unit)

    with Store.open(db_path(db), read_only=True) as store, \
            progress_bar(f"Narratives {year}", unit="units") as bar:
        results = init_narratives(year, unit_list(units), store, lang, progress=step)
    created = sum(r.created for r in results)
    say(f"{created} narrative file(s) created, {len(results) - created} already present "
        f"(left untouched) in {narratives_dir(year)}")


def register(app: typer.Typer) -> None:
    """Add the `narratives` group to the `hme` app."""
    app.add_typer(narratives_app, name="narratives")
