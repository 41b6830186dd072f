"""`hme reports`: render every selected unit's report and the index page of a year."""

from __future__ import annotations

import time
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
    year_option,
)


def reports(
    year: int = year_option(),
    units: str | None = UNITS_OPTION,
    level: int | None = typer.Option(None, "--level", help="Only units at this level (root = 1)."),
    formats: str = typer.Option("html,pdf", "--formats", help="html, pdf or html,pdf."),
    workers: int = typer.Option(2, "--workers", min=1, help="Parallel worker processes."),
    lang: str = lang_option(),
    db: Path | None = DB_OPTION,
    resume: bool = typer.Option(False, "--resume", help="Only render units whose files are missing or out of date."),
    force: bool = typer.Option(False, "--force", help="Render every selected unit again, every chart drawn anew."),
    pool: str = typer.Option("auto", "--engine", help="fork (fast, default on Linux) or kernel."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="dask.distributed scheduler address (tls://HOST:PORT for a "
        "secured cluster), or 'local'."),
    tls_ca_file: Path | None = typer.Option(
        None, "--tls-ca-file", help="CA certificate of a tls:// scheduler (default: dask's "
        "distributed.comm.tls.ca-file)."),
    tls_cert: Path | None = typer.Option(
        None, "--tls-cert", help="This client's certificate for a tls:// scheduler."),
    tls_key: Path | None = typer.Option(
        None, "--tls-key", help="This client's private key for a tls:// scheduler."),
) -> None:
    """Render an HTML and PDF report for every selected unit, and an index page."""
    from hme_core.batch.run import ReportsFailed, failure_message, run_batch
    from hme_core.batch.tls import TLSFiles, insecure_scheduler
    from hme_core.cli.narratives import report_notes
    from hme_core.cli.params_check import check_params
    from hme_core.cli.progress import progress_bar
    from hme_core.paths import outputs_dir
    from hme_core.unit_files import index_file

    lang = language(lang)
    check_params()  # a bad params file: one message before any unit renders
    report_notes(year, db_path(db))  # what the narratives give the reports, before them
    security = None
    if tls_ca_file or tls_cert or tls_key:
        security = TLSFiles(*(str(p) if p else None for p in (tls_ca_file, tls_cert, tls_key)))
    if scheduler and (warning := insecure_scheduler(scheduler)):
        say(warning)
    fmt = tuple(f.strip() for f in formats.split(",") if f.strip())
    t0 = time.perf_counter()
    mode = "force" if force else "resume" if resume else "incremental"
    with progress_bar(f"Rendering {year}") as bar:
        outcomes = run_batch(year, db_path(db), unit_list(units), level, fmt, workers, lang,
                             progress=lambda outcome: bar.advance(outcome.unit), pool=pool,
                             mode=mode, scheduler=scheduler, security=security, notice=say,
                             on_plan=lambda to_render, _up_to_date: bar.total(to_render))
    seconds = time.perf_counter() - t0
    failed = [o for o in outcomes if not o.ok]
    skipped = sum(1 for o in outcomes if o.skipped)
    index = outputs_dir() / "reports" / str(year) / index_file(lang)
    say(f"Rendered {len(outcomes) - len(failed) - skipped} of {len(outcomes)} units "
        f"({skipped} up to date) in {seconds:.1f} s. Index: {index}")
    if failed:
        raise ReportsFailed(failure_message(outcomes, year))


def publish(
    year: int = year_option(),
    to: Path = typer.Option(..., "--to", help="Folder to publish into (the year goes in DIR/<year>)."),
    db: Path | None = DB_OPTION,
    skip_stale: bool = typer.Option(
        False, "--skip-stale", help="Leave out reports older than the store (named) instead of "
        "refusing to publish."),
) -> None:
    """Copy exactly the publishable files (index page, report HTML and PDF) to DIR/<year>:
    only reports the current store, params and hme would render (others are refused, or left
    out with --skip-stale); folders of units no longer in the year's tree are left out."""
    from hme_core.batch.publish import publish as publish_year
    from hme_core.paths import outputs_dir

    target, count, left_out = publish_year(outputs_dir() / "reports" / str(year), to, year,
                                           db_path(db), skip_stale)
    if left_out:
        say(left_out)
    say(f"Published {count} file(s) to {target}")


def register(app: typer.Typer) -> None:
    """Add `reports` and `publish` to the `hme` app."""
    app.command()(reports)
    app.command()(publish)
