"""Research commands: `research`, `ingest-outcomes` and `export kolada`.

Thin layer over `hme_core.research`; errors are `HMEError`s, which `hme_core.cli.main` turns
into one line and exit code 2.
"""

from __future__ import annotations

import time
from pathlib import Path

import typer

from hme_core.cli.options import DB_OPTION, db_path, lang_option, language, say


def research_command(
    years: str = typer.Option("", "--years", help="Comma-separated years (empty = all)."),
    level: str = typer.Option("leaf", "--level", help="Org level (root = 1) or 'leaf'."),
    indicators: str = typer.Option("", "--indicators", help="Comma list (empty = all)."),
    n_boot: int = typer.Option(500, "--n-boot", min=50, help="Bootstrap resamples."),
    seed: int = typer.Option(20240101, "--seed", help="Seed of the bootstrap (same seed, same numbers)."),
    benchmark: str = typer.Option("", "--benchmark",
                                  help="A real Kolada file (csv/xlsx/json, e.g. from `hme "
                                       "benchmarks fetch`); empty or 'none' = no benchmark "
                                       "section (default); 'sample' = the shipped FICTITIOUS "
                                       "sample, labelled so on every row."),
    lang: str = lang_option("sv or en."),
    db: Path | None = DB_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Folder (default outputs/research)."),
) -> None:
    """Render the research workbook (engagement vs outcomes, reliability, structure) to HTML."""
    from hme_core.cli.params_check import check_params
    from hme_core.i18n import t
    from hme_core.paths import notebooks_dir, outputs_dir
    from hme_core.render.notebook import render_notebook
    from hme_core.research.workbook import require_current

    lang = language(lang)
    check_params()  # a bad params file: one message before anything renders
    t0 = time.perf_counter()
    require_current(db_path(db), years)  # stale results: one message naming `hme rescore`
    if benchmark not in ("sample", "none", "") and not Path(benchmark).is_file():
        from hme_core.errors import HMEError

        raise HMEError(f"--benchmark {benchmark}: no such file. Give a Kolada file (get one with "
                       "`hme benchmarks fetch --kpi U60200 --year YEAR`), or leave --benchmark out.")
    folder = out or outputs_dir() / "research"
    params = {"db": str(db_path(db).resolve()), "years": years, "level": level,
              "indicators": indicators, "lang": lang, "n_boot": n_boot, "seed": seed,
              "benchmark_file": benchmark if benchmark in ("sample", "none", "")
              else str(Path(benchmark).resolve()), "out_dir": str(Path(folder).resolve())}
    title = t("research_title", lang)
    files = render_notebook(notebooks_dir() / "research_correlations.ipynb", params, folder,
                            title=title, header=title, lang=lang, formats=("html",),
                            executor="inprocess")
    say(f"Research workbook: {files['html']}, tables in {folder / 'tables.xlsx'} "
        f"({time.perf_counter() - t0:.1f} s)")


def ingest_outcomes_command(
    file: Path = typer.Argument(..., help="Outcomes file: unit, year, indicator, value "
                                          "[, unit_of_measure] (csv, xlsx, ...)."),
    db: Path | None = DB_OPTION,
) -> None:
    """Validate and store unit-level outcome indicators (replaces the same year and indicator)."""
    from hme_core.inputs.outcomes import ingest_outcomes
    from hme_core.store.duckdb_store import Store

    t0 = time.perf_counter()
    with Store.open(db_path(db)) as store:
        outcomes = ingest_outcomes(store, file)
    years = ", ".join(map(str, sorted(outcomes["year"].unique())))
    say(f"Stored {len(outcomes)} outcome values ({outcomes['indicator'].nunique()} indicators, "
         f"years {years}) in {db_path(db)} in {time.perf_counter() - t0:.1f} s")


def export_kolada_command(
    year: int = typer.Option(..., "--year", help="Survey year."),
    db: Path | None = DB_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Write .csv, .xlsx or .parquet."),
    municipality_id: str | None = typer.Option(
        None, "--municipality-id", help="Kolada id of the organisation (e.g. 1480); default "
        "kolada_id in params/config.yaml (`hme init --kolada-id`)."),
    municipality: str | None = typer.Option(None, "--municipality",
                                            help="Name (default: organisation_name in config)."),
    kind: str | None = typer.Option(
        None, "--kind", help="region (U602xx) or municipality/kommun (U002xx); default "
        "organisation_kind in params/config.yaml (`hme init --kind`)."),
    with_own: bool = typer.Option(False, "--with-own",
                                  help="Also the other indices (HSE, eNPS, the organisation's "
                                       "own instruments), their index id as kpi."),
) -> None:
    """Write the organisation's HME totals (T/K/M) for a year in Kolada's shape."""
    from hme_core.config import load_settings
    from hme_core.research.kolada import export_kolada
    from hme_core.results.export import neutralise_formulas, write_table
    from hme_core.store.duckdb_store import Store

    settings = load_settings()
    kind = {"kommun": "municipality"}.get(kind or "", kind) or \
        {"kommun": "municipality", "region": "region"}.get(settings.organisation_kind or "")
    if kind is None:
        kind = "region"
        say("Note: organisation_kind is not set (params/config.yaml, `hme init --kind "
            "kommun|region`): writing the region KPIs (U602xx); give --kind municipality for "
            "a municipality.")
    municipality_id = municipality_id or settings.kolada_id
    if not municipality_id:
        municipality_id = ""
        say("Note: kolada_id is not set (params/config.yaml, `hme init --kolada-id NNNN`) and "
            "--municipality-id was not given: the id column is left blank.")
    with Store.open(db_path(db), read_only=True) as store:
        table = export_kolada(store, year, municipality_id, municipality, kind,
                              with_own=with_own)
    if out is None:
        typer.echo(neutralise_formulas(table).to_csv(index=False), nl=False)
    else:
        write_table(table, out)
        say(f"Wrote {len(table)} Kolada rows for {year} to {out}")


def benchmarks_fetch_command(
    kpi: str = typer.Option("U60200,U60201,U60202,U60203", "--kpi",
                            help="Comma list of HME KPIs (U602xx regions, U002xx municipalities)."),
    year: str = typer.Option(..., "--year", help="Year or comma list of years."),
    ids: str = typer.Option("", "--id", help="Comma list of Kolada ids (empty = all)."),
    out: Path | None = typer.Option(None, "--out", help="File (default params/benchmarks/"
                                                       "kolada_<kpis>_<years>.csv)."),
    base_url: str = typer.Option("https://api.kolada.se/v3", "--base-url",
                                 help="Kolada API address (v3)."),
    timeout: float = typer.Option(30.0, "--timeout", min=1, help="Seconds per page."),
) -> None:
    """Download HME benchmarks from Kolada's API (follows next_url) into params/benchmarks/."""
    from hme_core.atomic import atomic_write
    from hme_core.errors import HMEError
    from hme_core.paths import params_dir
    from hme_core.research.kolada import COLUMNS
    from hme_core.research.kolada_api import fetch_benchmark

    kpis = [k.strip() for k in kpi.split(",") if k.strip()]
    try:
        years = [int(y) for y in year.replace(" ", "").split(",") if y]
    except ValueError as exc:
        raise HMEError(f"--year {year!r}: expected a year such as 2024 or a list 2023,2024") from exc
    id_list = [i.strip() for i in ids.split(",") if i.strip()]
    t0 = time.perf_counter()
    table = fetch_benchmark(kpis, years, id_list, base_url, timeout)
    target = out or params_dir() / "benchmarks" / f"kolada_{'-'.join(kpis)}_{'-'.join(map(str, years))}.csv"
    atomic_write(Path(target), table[COLUMNS].to_csv(index=False, sep=";"))
    say(f"Wrote {len(table)} Kolada values ({table['municipality_id'].nunique()} organisations, "
        f"{table['value'].isna().sum()} without a value) to {target} in {time.perf_counter() - t0:.1f} s")


def register(app: typer.Typer) -> None:
    """Add `research`, `ingest-outcomes`, `export kolada` and `benchmarks fetch` to the app."""
    app.command("research")(research_command)
    app.command("ingest-outcomes")(ingest_outcomes_command)
    export_app = typer.Typer(help="Export results in other shapes.", no_args_is_help=True)
    export_app.command("kolada")(export_kolada_command)
    app.add_typer(export_app, name="export")
    bench_app = typer.Typer(help="National benchmarks (Kolada).", no_args_is_help=True)
    bench_app.command("fetch")(benchmarks_fetch_command)
    app.add_typer(bench_app, name="benchmarks")
