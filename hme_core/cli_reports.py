"""`hme reports`: the batch report command (registered on the main `hme` app)."""

from __future__ import annotations

import time
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    register_research(app)

    @app.command()
    def reports(
        year: int = typer.Option(..., "--year", help="Survey year."),
        units: str | None = typer.Option(None, "--units", help="Comma-separated unit codes."),
        level: int | None = typer.Option(None, "--level", help="Only units at this level (root = 1)."),
        formats: str = typer.Option("html,pdf", "--formats", help="html, pdf or html,pdf."),
        workers: int = typer.Option(2, "--workers", min=1, help="Parallel worker processes."),
        lang: str = typer.Option("sv", "--lang", help="Report language: sv or en."),
        db: Path | None = typer.Option(None, "--db", help="DuckDB store (default outputs/hme.duckdb)."),
        resume: bool = typer.Option(False, "--resume", help="Only render units whose files are missing."),
        force: bool = typer.Option(False, "--force", help="Render every selected unit again."),
        engine: str = typer.Option("auto", "--engine", help="fork (fast, default on Linux) or kernel."),
        scheduler: str | None = typer.Option(
            None, "--scheduler", help="dask.distributed scheduler address, or 'local'."),
    ) -> None:
        """Render an HTML and PDF report for every selected unit, and an index page."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        from .batch import ReportsFailed, run_batch
        from .errors import HMEError
        from .paths import default_db, outputs_dir

        if lang not in ("sv", "en"):
            raise HMEError(f"--lang: expected sv or en, got {lang!r}")
        unit_list = [u.strip() for u in units.split(",") if u.strip()] if units else None
        fmt = tuple(f.strip() for f in formats.split(",") if f.strip())
        t0 = time.perf_counter()
        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), transient=False) as bar:
            task = bar.add_task(f"Rendering {year}", total=None)

            def tick(outcome) -> None:
                bar.update(task, advance=1, description=f"{outcome.unit[:30]:<30}")

            mode = "force" if force else "resume" if resume else "incremental"
            outcomes = run_batch(year, db or default_db(), unit_list, level, fmt, workers, lang,
                                 progress=tick, engine=engine, mode=mode, scheduler=scheduler)
        seconds = time.perf_counter() - t0
        failed = [o for o in outcomes if not o.ok]
        skipped = sum(1 for o in outcomes if o.skipped)
        index = (outputs_dir() / "reports" / str(year) / "index.html")
        typer.echo(
            f"Rendered {len(outcomes) - len(failed) - skipped} of {len(outcomes)} units "
            f"({skipped} up to date) in {seconds:.1f} s. Index: {index}",
            err=True,
        )
        if failed:
            lines = "\n".join(f"  - {o.unit}: {o.error}" for o in failed)
            raise ReportsFailed(f"{len(failed)} unit(s) failed:\n{lines}")


def register_research(app: typer.Typer) -> None:
    @app.command()
    def research(
        years: str = typer.Option("", "--years", help="Comma-separated years (empty = all)."),
        level: str = typer.Option("leaf", "--level", help="Org level (root = 1) or 'leaf'."),
        indicators: str = typer.Option("", "--indicators", help="Comma list (empty = all)."),
        n_boot: int = typer.Option(500, "--n-boot", min=50, help="Bootstrap resamples."),
        lang: str = typer.Option("sv", "--lang", help="sv or en."),
        db: Path | None = typer.Option(None, "--db", help="DuckDB store (default outputs/hme.duckdb)."),
        out: Path | None = typer.Option(None, "--out", help="Folder (default outputs/research)."),
    ) -> None:
        """Render the research workbook (engagement vs outcomes, reliability, structure) to HTML."""
        from .paths import default_db, notebooks_dir, outputs_dir
        from .render import render_notebook

        t0 = time.perf_counter()
        folder = out or outputs_dir() / "research"
        params = {"db": str((db or default_db()).resolve()), "years": years, "level": level,
                  "indicators": indicators, "lang": lang, "n_boot": n_boot}
        title = "HME – forskningsunderlag" if lang == "sv" else "HME – research workbook"
        files = render_notebook(notebooks_dir() / "research_correlations.ipynb", params, folder,
                                title=title, header=title, lang=lang, formats=("html",),
                                engine="inprocess")
        typer.echo(f"Research workbook: {files['html']} ({time.perf_counter() - t0:.1f} s)",
                   err=True)
