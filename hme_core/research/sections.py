"""The sections of the research workbook: each computes its statistic, formats it
(`present`) and says in one sentence what it needs when that is missing, so the others still run.

Needs: correlations, key drivers per outcome -> ingested outcomes and >= 3 units; change on
change -> outcomes in >= 2 years; ICC, reliability, structure, eNPS key drivers -> respondents
(enough of them); benchmark -> a Kolada file. A section that cannot run returns a `Skipped` note.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd

from hme_core.i18n import t
from hme_core.research.correlations import (
    change_on_change,
    correlations,
    partial_correlations,
    weighted_correlations,
)
from hme_core.research.keydrivers import min_n, relative_importance
from hme_core.research.kolada import benchmark_comparison
from hme_core.research.present import Formatter, Table, fmt_ci, write_tables
from hme_core.research.provenance import provenance
from hme_core.research.reliability import item_rest_correlations, reliability_table
from hme_core.research.structure import StructureResult, factor_structure
from hme_core.research.variance import icc_table
from hme_core.research.workbook import WorkbookData

MIN_UNITS = 3  # correlations across units need at least 3 pairs (df = n - 2 >= 1)
MIN_RESPONDENTS = 30


@dataclass
class Skipped:
    """A section that could not run, and what to ingest or change so that it does."""

    text: str

    def _repr_html_(self) -> str:
        return f'<p class="skipped"><em>{html.escape(self.text)}</em></p>'


@dataclass
class ResearchBook:
    """All sections over one `WorkbookData`; `tables` collects every table shown."""

    data: WorkbookData
    lang: str = "sv"
    n_boot: int = 200
    seed: int = 20240101
    tables: list[Table] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    results: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.f = Formatter(self.lang, self.data.labels)

    def t(self, key: str, **kw: object) -> str:
        return t(key, self.lang, **kw)

    def _keep(self, table: Table) -> Table:
        self.tables.append(table)
        return table

    def _skip(self, key: str, **kw: object) -> Skipped:
        self.skipped.append(self.t(key, **kw))
        return Skipped(self.skipped[-1])

    @property
    def outcomes(self) -> list[str]:
        return list(self.data.table.indicators)

    def _corr_columns(self) -> dict:
        f = self.f
        return {"x": ("research_col_index", f.name), "y": ("research_col_outcome", f.name),
                "method": ("research_col_method", lambda m: self.t(f"research_method_{m}")),
                "n": ("research_col_n", f.integer), "r": ("research_col_r", f.num(2)),
                "p": ("research_col_p", f.p), "p_adj": ("research_col_p_holm", f.p)}

    def _corr_table(self, key: str, frame: pd.DataFrame, note: str) -> Table:
        return self._keep(self.f.table(key, frame, self._corr_columns(),
                                       {"r:research_col_ci95": ("ci_low", "ci_high", 2)}, note))

    # -- sections -------------------------------------------------------------------------
    def correlations(self) -> Table | Skipped:
        units = self.data.latest_units
        if not self.outcomes:
            return self._skip("research_skip_outcomes")
        if len(units) < MIN_UNITS:
            return self._skip("research_skip_units", n=len(units), need=MIN_UNITS)
        idx = list(self.data.table.indices)
        corr = pd.concat([correlations(units, idx, self.outcomes, method=m)
                          for m in ("pearson", "spearman")], ignore_index=True)
        self.results["corr"] = corr
        return self._corr_table("correlations", corr, self.t("research_note_correlations"))

    def adjusted(self) -> Table | Skipped:
        units = self.data.latest_units
        if not self.outcomes or len(units) < MIN_UNITS + 1:
            return self._skip("research_skip_outcomes")
        size = "employees" if units["employees"].notna().all() else "n"
        frame = pd.concat([partial_correlations(units, ["hme"], self.outcomes, covar=size),
                           weighted_correlations(units, ["hme"], self.outcomes, weight="n")],
                          ignore_index=True)
        return self._corr_table("adjusted", frame, self.t("research_note_adjusted"))

    def change(self) -> Table | Skipped:
        if len(self.data.years) < 2:
            return self._skip("research_skip_years", n=len(self.data.years))
        if not self.outcomes:
            return self._skip("research_skip_outcomes")
        frame = change_on_change(self.data.table.frame, list(self.data.table.indices), self.outcomes)
        if frame.dropna(subset=["r"]).empty:
            return self._skip("research_skip_years", n=len(self.data.years))
        frame = frame.assign(method=frame["method"].str.replace("change_", "", regex=False))
        return self._corr_table("change", frame, self.t("research_note_change"))

    def icc(self) -> Table | Skipped:
        people = self.data.respondents
        if people["unit"].nunique() < 2 or len(people) < MIN_RESPONDENTS:
            return self._skip("research_skip_respondents", n=len(people), need=MIN_RESPONDENTS)
        frame = icc_table(people, list(self.data.table.indices), group="unit")
        self.results["icc"] = frame
        f = self.f
        return self._keep(f.table("icc", frame, {
            "variable": ("research_col_index", f.name),
            "method": ("research_col_method", lambda m: self.t(f"research_method_{m}")),
            "n_groups": ("research_col_units", f.integer), "n_obs": ("research_col_n", f.integer),
            "icc": ("research_col_icc", f.num(3))}, note=self.t("research_note_icc")))

    def key_drivers_enps(self) -> Table | Skipped:
        people, items = self.data.respondents, self.data.scales["hme"]
        if "enps" not in people or people["enps"].notna().sum() < min_n(len(items)):
            n = int(people["enps"].notna().sum()) if "enps" in people else 0
            return self._skip("research_skip_enps", n=n, need=min_n(len(items)))
        frame = relative_importance(people, "enps", items, self.n_boot, self.seed)
        self.results["drivers_enps"] = frame
        return self._drivers_table("drivers_enps", frame)

    def key_drivers_outcomes(self) -> Table | Skipped:
        units, idx = self.data.latest_units, [i for i in self.data.table.indices if i != "hme"]
        if not self.outcomes:
            return self._skip("research_skip_outcomes")
        frames = [relative_importance(units, o, idx, self.n_boot, self.seed) for o in self.outcomes]
        frame = pd.concat([f for f in frames if len(f)] or [pd.DataFrame()], ignore_index=True)
        if frame.empty:
            return self._skip("research_skip_units", n=len(units), need=min_n(len(idx)))
        self.results["drivers_outcomes"] = frame
        return self._drivers_table("drivers_outcomes", frame)

    def _drivers_table(self, key: str, frame: pd.DataFrame) -> Table:
        f = self.f
        return self._keep(f.table(key, frame, {
            "outcome": ("research_col_outcome", f.name), "predictor": ("research_col_predictor", f.name),
            "n": ("research_col_n", f.integer), "r2": ("research_col_r2", f.num(2)),
            "lmg": ("research_col_lmg", f.num(3)), "share": ("research_col_share", f.num(1)),
            "rank": ("research_col_rank", f.integer)},
            {"lmg:research_col_ci95": ("ci_low", "ci_high", 3)},
            self.t("research_note_drivers", n_boot=self.n_boot, seed=self.seed)))

    def reliability(self) -> list[Table] | Skipped:
        people = self.data.respondents
        if len(people) < MIN_RESPONDENTS:
            return self._skip("research_skip_respondents", n=len(people), need=MIN_RESPONDENTS)
        rel = reliability_table(people, self.data.scales, n_boot=self.n_boot, seed=self.seed)
        self.results["reliability"] = rel
        f = self.f
        first = self._keep(f.table("reliability", rel, {
            "scale": ("research_col_index", f.name), "n_items": ("research_col_items", f.integer),
            "n": ("research_col_n", f.integer), "alpha": ("research_col_alpha", f.num(2)),
            "omega": ("research_col_omega", f.num(2))},
            {"alpha:research_col_ci95": ("alpha_ci_low", "alpha_ci_high", 2),
             "omega:research_col_ci95_omega": ("omega_ci_low", "omega_ci_high", 2)},
            self.t("research_note_reliability", n_boot=self.n_boot, seed=self.seed)))
        items = item_rest_correlations(people, self.data.scales["hme"])
        second = self._keep(f.table("item_rest", items, {
            "item": ("research_col_item", f.name), "n": ("research_col_n", f.integer),
            "r_item_rest": ("research_col_item_rest", f.num(2)),
            "alpha_if_deleted": ("research_col_alpha_deleted", f.num(2))},
            note=self.t("research_note_item_rest")))
        return [first, second]

    def structure(self) -> list[Table] | Skipped:
        people = self.data.respondents
        if len(people) < MIN_RESPONDENTS:
            return self._skip("research_skip_respondents", n=len(people), need=MIN_RESPONDENTS)
        s: StructureResult = factor_structure(people, self.data.factors)
        self.results["structure"] = s
        f = self.f
        fit = s.fit.assign(model=s.fit["n_factors"].map(self.model_name))
        test = s.difference_test()
        note = self.t(f"research_note_fit_{'cfa' if s.method == 'cfa_semopy' else 'efa'}",
                      d_chi2=f.num(1)(test["delta_chi2"]), d_df=test["delta_dof"],
                      p=f.p(test["p"])) + (f" {s.note}" if s.note else "")
        tables = [self._keep(f.table("fit", fit, {
            "model": ("research_col_model", str), "n": ("research_col_n", f.integer),
            "chi2": ("research_col_chi2", f.num(1)), "dof": ("research_col_df", f.integer),
            "p": ("research_col_p", f.p), "cfi": ("research_col_cfi", f.num(3)),
            "tli": ("research_col_tli", f.num(3)), "rmsea": ("research_col_rmsea", f.num(3)),
            "srmr": ("research_col_srmr", f.num(3))},
            {"rmsea:research_col_ci90": ("rmsea_low", "rmsea_high", 3)}, note))]
        first = s.loadings[s.loadings["model"] == s.fit["model"].iloc[0]]
        wide = first.pivot(index="item", columns="factor", values="loading").reindex(
            index=list(dict.fromkeys(first["item"])), columns=list(dict.fromkeys(first["factor"])))
        one = s.loadings[s.loadings["model"] == s.fit["model"].iloc[1]].set_index("item")["loading"]
        shown = pd.DataFrame({self.t("research_col_item"): [f.name(i) for i in wide.index]})
        for col in wide.columns:
            shown[f.name(col)] = [f.num(2)(v) if pd.notna(v) else "" for v in wide[col]]
        shown[self.model_name(1)] = [f.num(2)(one.get(i)) for i in wide.index]
        tables.append(self._keep(Table("loadings", self.t("research_table_loadings"),
                                       s.loadings.reset_index(drop=True), shown,
                                       self.t("research_note_loadings"))))
        if s.factor_correlations is not None and len(s.factor_correlations):
            pairs = s.factor_correlations.assign(pair=[
                f"{f.name(a)} – {f.name(b)}" for a, b in zip(s.factor_correlations["factor_a"],
                                                             s.factor_correlations["factor_b"], strict=True)])
            tables.append(self._keep(f.table("factor_correlations", pairs, {
                "pair": ("research_col_factor", str), "r": ("research_col_r", f.num(2))},
                note=self.t("research_note_factor_corr"))))
        return tables

    def benchmark(self) -> Table | Skipped:
        d = self.data
        if d.benchmark is None or d.benchmark.empty:
            return self._skip("research_skip_benchmark")
        comp = benchmark_comparison(d.benchmark, d.own_kolada)
        comp = comp[comp["year"] == d.latest]
        if comp.empty:
            return self._skip("research_skip_benchmark_year", year=d.latest)
        f = self.f
        return self._keep(f.table("benchmark", comp, {
            "index": ("research_col_index", f.name), "gender": ("research_col_gender", str),
            "own": ("research_col_own", f.num(1)), "n_others": ("research_col_others", f.integer),
            "mean_all": ("research_col_mean", f.num(1)), "median_all": ("research_col_median", f.num(1)),
            "percentile": ("research_col_percentile", f.num(0)),
            "diff_mean_all": ("research_col_diff", f.num(1))},
            note=self.t("research_note_benchmark", source=d.benchmark_source)))

    def write(self, folder) -> list:
        """Every table shown so far to `folder/tables.xlsx` and `folder/tables/*.csv`."""
        return write_tables(self.tables, folder)

    def provenance(self) -> Table:
        """The closing block: date, versions, seed, parameters, data fingerprint."""
        d = self.data
        frame = provenance(d.parameters or {}, self.seed, self.n_boot,
                           [d.table.frame, d.respondents, d.benchmark])
        shown = frame.rename(columns={"item": self.t("research_col_item_plain"),
                                      "value": self.t("research_col_value")})
        return self._keep(Table("provenance", self.t("research_table_provenance"), frame, shown,
                                self.t("research_note_provenance")))

    def headlines(self) -> list[str]:
        """Plain sentences: strongest correlations with HME, top key drivers, ICC, reliability,
        structure (only for the sections that ran)."""
        f, lines = self.f, []
        corr = self.results.get("corr")
        if corr is not None:
            pear = corr[(corr["method"] == "pearson") & (corr["x"] == "hme")].dropna(subset=["r"])
            for _, r in pear.reindex(pear["r"].abs().sort_values(ascending=False).index).head(3).iterrows():
                lines.append(self.t("research_head_corr", y=f.name(r["y"]), r=f.num(2)(r["r"]),
                                    ci=fmt_ci(r["ci_low"], r["ci_high"], 2, self.lang),
                                    n=f.integer(r["n"]), p=f.p(r["p_adj"])))
        drivers = self.results.get("drivers_enps")
        if drivers is not None and len(drivers):
            top = drivers.iloc[0]
            lines.append(self.t("research_head_driver", item=f.name(top["predictor"]),
                                share=f.num(0)(top["share"]), r2=f.num(2)(top["r2"])))
        icc = self.results.get("icc")
        if icc is not None:
            mixed = icc[(icc["method"] == "mixedlm") & (icc["variable"] == "hme")]
            if len(mixed):
                lines.append(self.t("research_head_icc", icc=f.num(3)(mixed["icc"].iloc[0])))
        rel = self.results.get("reliability")
        if rel is not None and len(rel):
            lines.append(self.t("research_head_rel", a_min=f.num(2)(rel["alpha"].min()),
                                a_max=f.num(2)(rel["alpha"].max())))
        s = self.results.get("structure")
        if s is not None:
            k, test = s.fit.iloc[0], s.difference_test()
            lines.append(self.t("research_head_fit", cfi=f.num(3)(k["cfi"]), rmsea=f.num(3)(k["rmsea"]),
                                ci=fmt_ci(k["rmsea_low"], k["rmsea_high"], 3, self.lang),
                                srmr=f.num(3)(k["srmr"]), d_chi2=f.num(1)(test["delta_chi2"]),
                                d_df=test["delta_dof"], p=f.p(test["p"])))
        return lines + [self.t("research_head_skipped", text=s_) for s_ in self.skipped]

    def model_name(self, k: int) -> str:
        return self.t("research_model_one") if k == 1 else self.t("research_model_k", k=k)

    @staticmethod
    def as_list(result: object) -> list:
        """A section's result as a list (several tables, one table or a skip note)."""
        return list(result) if isinstance(result, list) else [result]
