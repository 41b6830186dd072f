"""`hme narratives init` (create the missing narrative files of a year, never overwriting) and
`hme narratives check` (what each file gives the report, one line per file)."""

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


def _checks(years: list[int], db: Path):
    """{year: [FileCheck]} over each year's stored tree (file names only without one)."""
    from hme_core.narratives.check import check_year
    from hme_core.store.duckdb_store import Store

    stored: dict = {}
    if db.exists():
        with Store.open(db, read_only=True) as store:
            stored = {y: store.load_org(y) for y in years if y in set(store.years())}
    return {y: check_year(y, stored.get(y)) for y in years}


@narratives_app.command("check")
def check(
    year: int | None = typer.Option(None, "--year", help="Survey year (default: every year "
                                    "with a narratives folder)."),
    db: Path | None = DB_OPTION,
) -> None:
    """List per narrative file what the report takes from it: sections recognised, near
    misses and typos taken as a section, headings kept as sections of their own, files of no
    unit. Changes nothing."""
    from hme_core.narratives.check import narrative_years
    from hme_core.unit_files import narratives_dir

    years = [year] if year is not None else narrative_years()
    checks = _checks(years, db_path(db))
    for y in years:
        if not checks[y]:
            say(f"{y}: no narrative files in {narratives_dir(y)}")
        for c in checks[y]:
            typer.echo(c.line)


def report_notes(year: int, db: Path) -> None:
    """What `hme reports` says about the year's narratives before rendering: the lines of
    files that need a look (near misses, own sections, renamed units, files of no unit)."""
    checks = _checks([year], db)[year]
    notable = [c for c in checks if c.notable]
    if notable:
        say(f"Narratives {year}: {len(checks)} file(s), {len(notable)} to look at "
            f"(`hme narratives check --year {year}` lists all):")
        for c in notable:
            say(f"  {c.line}")


def register(app: typer.Typer) -> None:
    """Add the `narratives` group to the `hme` app."""
    app.add_typer(narratives_app, name="narratives")
