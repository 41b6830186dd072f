"""The data the research workbook (`notebooks/research_correlations.ipynb`) shows, in one call.

Turns the notebook's plain parameters (`db`, `years`, `level`, `indicators`, ...) into tables so
that each notebook cell only calls one statistic and shows its result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hme_core.config import load_settings
from hme_core.inputs.outcomes import load_outcomes_frame
from hme_core.instruments import load_instruments
from hme_core.paths import default_db, params_dir
from hme_core.research.dataset import (
    NO_OUTCOMES,
    SUPPRESSED,
    AnalysisTable,
    analysis_table,
    respondent_table,
)
from hme_core.research.kolada import COLUMNS, INDEX_OF_KPI, KIND_OF_KPI, export_kolada
from hme_core.research.kolada_api import read_benchmark
from hme_core.store.duckdb_store import Store
from hme_core.vocabulary import HME_INDICES

SAMPLE = "sample"  # benchmark_file value meaning the shipped, fictitious sample
SAMPLE_FILE = "kolada_sample.csv"
#: columns of the outcomes table that may hold an indicator's label as the organisation wrote it
LABEL_COLUMNS = ("label", "indicator_label", "indicator_name")


def parse_list(value: Sequence | str | None) -> list[str] | None:
    """"a, b" or ["a", "b"] -> ["a", "b"]; "" or None -> None (meaning: all)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    items = value.replace(";", ",").split(",") if isinstance(value, str) else list(value)
    return [str(v).strip() for v in items if str(v).strip()] or None


@dataclass
class WorkbookData:
    table: AnalysisTable  # unit-level: indices + outcomes, suppressed units left out
    respondents: pd.DataFrame  # latest year, person level, units >= min_n_index
    respondents_left_out: pd.DataFrame
    years: list[int]
    latest: int
    scales: dict[str, list[str]]
    factors: dict[str, list[str]]
    labels: dict[str, str]
    own_kolada: pd.DataFrame
    benchmark: pd.DataFrame
    benchmark_source: str = ""
    fictitious: bool = False  # the benchmark is the shipped sample of invented organisations
    index_years: list[int] | None = None  # years with published indices at this level
    outcome_years: list[int] | None = None  # years with outcome values (chosen indicators)
    parameters: dict | None = None

    @property
    def latest_units(self) -> pd.DataFrame:
        f = self.table.frame
        return f[f["year"] == self.latest].reset_index(drop=True)

    def exclusion_note(self, lang: str = "en") -> str:
        """One sentence on who entered and who was left out (and why), in `lang`."""
        from hme_core.i18n import fmt_int
        from hme_core.i18n import t as text

        t = self.table
        ex = t.excluded.groupby("reason").size()
        reason = {SUPPRESSED: "research_reason_suppressed", NO_OUTCOMES: "research_reason_no_outcomes"}
        parts = [f"{fmt_int(int(c), lang)} {text(reason[r], lang) if r in reason else r}"
                 for r, c in ex.items()] or [text("research_reason_none", lang)]
        return text("research_exclusion", lang, entered=fmt_int(len(t.frame), lang),
                    latest_n=fmt_int(len(self.latest_units), lang), latest=self.latest,
                    parts=", ".join(parts), min_n=t.min_n,
                    people_out=fmt_int(len(self.respondents_left_out), lang))


def load_workbook(
    db: str | Path | None = None,
    years: Sequence[int] | str | None = None,
    level: int | str = "leaf",
    indicators: Sequence[str] | str | None = None,
    lang: str = "sv",
    benchmark_file: str | Path | None = None,
    municipality_id: str = "0000",
    kind: str = "region",
) -> WorkbookData:
    """Everything the workbook shows, from the store at `db` (default outputs/private/hme.duckdb)."""
    settings, instruments = load_settings(), load_instruments()
    level = int(level) if str(level).isdigit() else level
    hme = instruments["hme"]
    with Store.open(db or default_db(), read_only=True) as store:
        year_list = [int(y) for y in parse_list(years)] if parse_list(years) else store.years()
        table = analysis_table(store, year_list, level, HME_INDICES, parse_list(indicators),
                               settings, instruments)
        people, left_out = respondent_table(store, [max(year_list)], level, "hme", settings,
                                            instruments)
        bench_path = benchmark_path(benchmark_file)
        own = (pd.concat([export_kolada(store, y, municipality_id, None, kind, settings,
                                        instruments) for y in year_list], ignore_index=True)
               if bench_path else pd.DataFrame(columns=COLUMNS))
        outcome_years = sorted(int(y) for y in load_outcomes_frame(
            store.con, year_list, parse_list(indicators))["year"].unique())
        outcome_names = outcome_labels(store.con)
    bench = read_benchmark(bench_path) if bench_path else pd.DataFrame(columns=[*COLUMNS, "kind", "index"])
    own["kind"], own["index"] = own["kpi"].map(KIND_OF_KPI), own["kpi"].map(INDEX_OF_KPI)
    labels = {ix.id: ix.name(lang) for ix in hme.indices}
    labels.update({it.id: f"{it.id.upper()} {it.text(lang)}" for it in hme.items})
    labels.update(outcome_names)
    index_years = sorted({int(y) for y in table.frame["year"]}
                         | {int(y) for y in table.excluded.loc[
                             table.excluded["reason"] == NO_OUTCOMES, "year"]})
    return WorkbookData(
        table=table, respondents=people, respondents_left_out=left_out, years=year_list,
        latest=max(year_list),
        scales={ix.id: list(ix.items) for ix in hme.indices},
        factors={ix.id: list(ix.items) for ix in hme.indices if ix.id != "hme"},
        labels=labels, own_kolada=own, benchmark=bench[bench["kind"] == kind],
        benchmark_source=_source_text(bench_path),
        fictitious=bench_path is not None and bench_path.name == SAMPLE_FILE,
        index_years=index_years, outcome_years=outcome_years,
        parameters={"db": str(Path(db or default_db()).resolve()), "years": year_list,
                    "level": level, "indicators": parse_list(indicators) or "all", "lang": lang,
                    "benchmark_file": str(bench_path or ""), "municipality_id": municipality_id,
                    "kind": kind},
    )


def outcome_labels(con) -> dict[str, str]:
    """{indicator id: label as the organisation wrote it} from a label column of the stored
    outcomes (`LABEL_COLUMNS`), if there is one; empty otherwise (ids are shown through the
    text catalogue, `present.label`)."""
    try:
        columns = {r[0] for r in con.execute("DESCRIBE outcomes").fetchall()}
    except Exception:  # noqa: BLE001 - no outcomes table: no labels
        return {}
    column = next((c for c in LABEL_COLUMNS if c in columns), None)
    if column is None:
        return {}
    # a label that is only the id (a file that gave ids) is no label: the catalogue's text then
    rows = con.execute(f"SELECT indicator, min({column}) FROM outcomes WHERE {column} IS NOT NULL "
                       f"AND trim({column}) <> '' AND {column} <> indicator "
                       f"GROUP BY indicator").fetchall()
    return {str(i): str(label).strip() for i, label in rows}


def require_current(db: str | Path | None = None,
                    years: Sequence[int] | str | None = None) -> None:
    """Refuse, before anything renders, a store whose results of `years` (default: every stored
    year) were computed under other params or code, or that lacks one of those years; the
    message names `hme rescore`. Reads only."""
    with Store.open(db or default_db(), read_only=True) as store:
        for year in [int(y) for y in parse_list(years)] if parse_list(years) else store.years():
            store.require_current_results(year)


def benchmark_path(benchmark_file: str | Path | None) -> Path | None:
    """"sample" -> the shipped FICTITIOUS sample (only when asked for by name); "", None or
    "none" -> no benchmark (the default: only real data are compared with); else the file."""
    text = str(benchmark_file or "").strip()
    if not text or text.lower() == "none":
        return None
    if text == SAMPLE:
        return params_dir() / "benchmarks" / SAMPLE_FILE
    return Path(text)


def _source_text(path: Path | None) -> str:
    if path is None:
        return ""
    if path.name == SAMPLE_FILE:
        return "params/benchmarks/kolada_sample.csv (FICTITIOUS / FIKTIVA regioner)"
    return path.name

