"""`hme narratives serve`: the HR partner's page in a browser (`hme_core.page.server`)."""

from __future__ import annotations

from pathlib import Path

import typer

from hme_core.cli.options import DB_OPTION, db_path, lang_option, language


def serve(
    year: int | None = typer.Option(None, "--year", help="Survey year (default: the latest stored)."),
    port: int = typer.Option(8866, "--port", min=1, max=65535, help="Port on 127.0.0.1."),
    lang: str = lang_option("Language of the page and the reports it renders: sv or en."),
    db: Path | None = DB_OPTION,
) -> None:
    """Start the page where HR partners write each unit's analysis beside its numbers: on
    127.0.0.1 only, opened with the link printed (it holds a token). Ctrl-C stops it."""
    from hme_core.errors import HMEError
    from hme_core.page.server import serve as run_server
    from hme_core.store.duckdb_store import Store

    lang = language(lang)
    store_path = db_path(db)
    if not store_path.exists():
        raise HMEError(f"{store_path}: no store here; run hme ingest first (or give --db)")
    with Store.open(store_path, read_only=True) as store:  # refuse a bad year before serving
        years = store.years()
        if year is not None and year not in years:
            raise HMEError(f"--year {year}: not in the store {store_path} (years: {years})")
        if not years:
            raise HMEError(f"{store_path}: no survey year stored; run hme ingest first")
        store.require_current_results(year or max(years))
    run_server(year, port, store_path, lang)


def register(app: typer.Typer) -> None:
    """Add `serve` to the `hme narratives` group."""
    from hme_core.cli.narratives import narratives_app

    narratives_app.command("serve")(serve)
