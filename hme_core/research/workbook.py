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
from hme_core.instruments import load_instruments
from hme_core.paths import default_db, params_dir
from hme_core.research.dataset import AnalysisTable, analysis_table, respondent_table
from hme_core.research.kolada import export_kolada, read_kolada
from hme_core.store.duckdb_store import Store
from hme_core.vocabulary import HME_INDICES


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

    @property
    def latest_units(self) -> pd.DataFrame:
        f = self.table.frame
        return f[f["year"] == self.latest].reset_index(drop=True)

    def exclusion_note(self) -> str:
        """One sentence on who entered and who was left out (and why)."""
        t = self.table
        ex = t.excluded.groupby("reason").size()
        parts = [f"{int(c)} {r}" for r, c in ex.items()] or ["none"]
        return (f"{len(t.frame)} unit-years at this level entered the unit-level analyses "
                f"({len(self.latest_units)} in {self.latest}); left out: {', '.join(parts)}. "
                f"Units need at least {t.min_n} answers on every statement (min_n_index); "
                f"person-level analyses left out {len(self.respondents_left_out)} units of "
                f"{self.latest} with fewer than {t.min_n} respondents.")


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
    """Everything the workbook shows, from the store at `db` (default outputs/hme.duckdb)."""
    settings, instruments = load_settings(), load_instruments()
    level = int(level) if str(level).isdigit() else level
    hme = instruments["hme"]
    with Store.open(db or default_db(), read_only=True) as store:
        year_list = [int(y) for y in parse_list(years)] if parse_list(years) else store.years()
        table = analysis_table(store, year_list, level, HME_INDICES, parse_list(indicators),
                               settings, instruments)
        people, left_out = respondent_table(store, [max(year_list)], level, "hme", settings,
                                            instruments)
        own = pd.concat([export_kolada(store, y, municipality_id, None, kind, settings,
                                       instruments) for y in year_list], ignore_index=True)
    bench_path = Path(benchmark_file) if benchmark_file else params_dir() / "benchmarks" / "kolada_sample.csv"
    bench = read_kolada(bench_path)
    own = own.merge(bench[["kpi", "kind", "index"]].drop_duplicates(), on="kpi", how="left")
    return WorkbookData(
        table=table, respondents=people, respondents_left_out=left_out, years=year_list,
        latest=max(year_list),
        scales={ix.id: list(ix.items) for ix in hme.indices},
        factors={ix.id: list(ix.items) for ix in hme.indices if ix.id != "hme"},
        labels={ix.id: ix.name(lang) for ix in hme.indices},
        own_kolada=own, benchmark=bench[bench["kind"] == kind],
    )


def headlines(corr: pd.DataFrame, icc: pd.DataFrame, reliability: pd.DataFrame,
              fit: pd.DataFrame, top: int = 3) -> list[str]:
    """A few plain sentences: the strongest correlations, ICC, alpha range, factor-model fit."""
    lines = []
    pearson = corr[(corr["method"] == "pearson") & (corr["x"] == "hme")].dropna(subset=["r"])
    for _, r in pearson.reindex(pearson["r"].abs().sort_values(ascending=False).index).head(top).iterrows():
        lines.append(f"HME vs {r['y']}: r = {r['r']:.2f} (95 % CI {r['ci_low']:.2f} to "
                     f"{r['ci_high']:.2f}, n = {int(r['n'])}, {r['padjust']} p = {r['p_adj']:.3g})")
    mixed = icc[(icc["method"] == "mixedlm") & (icc["variable"] == "hme")]
    if len(mixed):
        lines.append(f"ICC(1) of HME between units: {mixed['icc'].iloc[0]:.3f}")
    if len(reliability):
        lines.append(f"Cronbach's alpha {reliability['alpha'].min():.2f}-{reliability['alpha'].max():.2f}, "
                     f"omega {reliability['omega'].min():.2f}-{reliability['omega'].max():.2f}")
    if len(fit) == 2:
        k, one = fit.iloc[0], fit.iloc[1]
        lines.append(f"{k['model']} ({k['method']}): CFI {k['cfi']:.3f}, TLI {k['tli']:.3f}, "
                     f"RMSEA {k['rmsea']:.3f}, SRMR {k['srmr']:.3f}; 1 factor: CFI "
                     f"{one['cfi']:.3f}, RMSEA {one['rmsea']:.3f}")
    return lines
