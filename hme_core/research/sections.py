"""The sections of the research workbook: each computes its statistic, formats it
(`present`) and says in one sentence what it needs when that is missing, so the others still run.

Needs: correlations, key drivers per outcome -> ingested outcomes and >= 3 units; change on
change -> indices and outcomes of the same units in >= 2 years; ICC, reliability, structure, eNPS
key drivers -> respondents (enough of them); benchmark -> a real Kolada file (or the fictitious
sample, asked for by name). A section that cannot run returns a `Skipped` note. `compute` runs
every section once, so the summary (`summary.py`) can stand above them; `section` returns what
a section showed.
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
from hme_core.research.present import Formatter, Table, write_tables
from hme_core.research.provenance import provenance
from hme_core.research.reliability import item_rest_correlations, reliability_table
from hme_core.research.structure import StructureResult, factor_structure, issue_text
from hme_core.research.variance import icc_table
from hme_core.research.workbook import WorkbookData

MIN_UNITS = 3  # correlations across units need at least 3 pairs (df = n - 2 >= 1)
MIN_RESPONDENTS = 30
SECTIONS = ("correlations", "adjusted", "change", "icc", "key_drivers_enps",
            "key_drivers_outcomes", "reliability", "structure", "benchmark")
CI_METHOD = "bc"  # key-driver intervals: bias-corrected bootstrap (keydrivers.bootstrap_interval)


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
    shown: dict = field(default_factory=dict)
    skipped_in: dict = field(default_factory=dict)  # skip text -> sections that showed it
    _current: str = ""

    def __post_init__(self) -> None:
        self.f = Formatter(self.lang, self.data.labels)

    def compute(self) -> ResearchBook:
        """Run every section once (in `SECTIONS` order); `section` then returns its output."""
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, user_api="blas"):  # small matrices, many of them: one thread
            for name in SECTIONS:
                self.section(name)
        return self

    def section(self, name: str) -> list:
        """What section `name` shows (tables or a skip note), computed once."""
        if name not in self.shown:
            self._current = name
            self.shown[name] = getattr(self, name)()
            self._current = ""
        return self.as_list(self.shown[name])

    def t(self, key: str, **kw: object) -> str:
        return t(key, self.lang, **kw)

    def _keep(self, table: Table) -> Table:
        self.tables.append(table)
        return table

    def _skip(self, key: str, **kw: object) -> Skipped:
        text = self.t(key, **kw)
        if text not in self.skipped:
            self.skipped.append(text)
        self.skipped_in.setdefault(text, [])
        if self._current and self._current not in self.skipped_in[text]:
            self.skipped_in[text].append(self._current)
        return Skipped(text)

    def section_title(self, name: str) -> str:
        """A section's heading (both key-driver sections share one)."""
        return self.t("research_sec_drivers" if name.startswith("key_drivers") else f"research_sec_{name}")

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
        if not self.outcomes:
            return self._skip("research_skip_outcomes")
        if len(units) < MIN_UNITS + 1:  # one covariate: df = n - 3 >= 1
            return self._skip("research_skip_units", n=len(units), need=MIN_UNITS + 1)
        size = "employees" if units["employees"].notna().all() else "n"
        frame = pd.concat([partial_correlations(units, ["hme"], self.outcomes, covar=size),
                           weighted_correlations(units, ["hme"], self.outcomes, weight="n")],
                          ignore_index=True)
        return self._corr_table("adjusted", frame, self.t("research_note_adjusted"))

    def _skip_years(self) -> Skipped:
        d = self.data
        idx, out = d.index_years or [], d.outcome_years or []
        return self._skip("research_skip_years", n_idx=len(idx), n_out=len(out),
                          idx_years=", ".join(map(str, idx)) or "–",
                          out_years=", ".join(map(str, out)) or "–",
                          both=len(set(idx) & set(out)))

    def change(self) -> Table | Skipped:
        if not self.outcomes:
            return self._skip("research_skip_outcomes")
        if len(set(self.data.index_years or []) & set(self.data.outcome_years or [])) < 2:
            return self._skip_years()
        frame = change_on_change(self.data.table.frame, list(self.data.table.indices), self.outcomes)
        if frame.dropna(subset=["r"]).empty:
            return self._skip_years()
        frame = frame.assign(method=frame["method"].str.replace("change_", "", regex=False))
        self.results["change"] = frame
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
        frame = relative_importance(people, "enps", items, self.n_boot, self.seed,
                                    ci_method=CI_METHOD)
        self.results["drivers_enps"] = frame
        return self._drivers_table("drivers_enps", frame)

    def key_drivers_outcomes(self) -> Table | Skipped:
        units, idx = self.data.latest_units, [i for i in self.data.table.indices if i != "hme"]
        if not self.outcomes:
            return self._skip("research_skip_outcomes")
        frames = [relative_importance(units, o, idx, self.n_boot, self.seed, ci_method=CI_METHOD)
                  for o in self.outcomes]
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
            self.t("research_note_drivers", n_boot=self.n_boot, seed=self.seed,
                   method=self.t(f"research_ci_{CI_METHOD}"),
                   outside=self.f.integer(int((~frame["ci_contains"].astype(bool)).sum())))))

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
        checks = rel.apply(self.reliability_checks, axis=1)
        first.shown[self.t("research_col_rel_check")] = checks.to_numpy()
        items = item_rest_correlations(people, self.data.scales["hme"])
        second = self._keep(f.table("item_rest", items, {
            "item": ("research_col_item", f.name), "n": ("research_col_n", f.integer),
            "r_item_rest": ("research_col_item_rest", f.num(2)),
            "alpha_if_deleted": ("research_col_alpha_deleted", f.num(2))},
            note=self.t("research_note_item_rest")))
        return [first, second]

    def reliability_checks(self, row: pd.Series) -> str:
        """What keeps alpha or omega of a scale from being read as a reliability ('ok' if
        nothing), and how many item pairs covary negatively."""
        parts = [self.t(f"research_rel_{row['alpha_status']}", stat="α")]
        if row["omega_status"] != row["alpha_status"] or row["alpha_status"] == "ok":
            parts.append(self.t(f"research_rel_{row['omega_status']}", stat="ω"))
        if row["negative_covariances"]:
            parts.append(self.t("research_rel_negative_pairs", n=int(row["negative_covariances"])))
        ok = [p for p in parts if p != self.t("research_rel_ok", stat="α")
              and p != self.t("research_rel_ok", stat="ω")]
        return "; ".join(ok) or self.t("research_rel_all_ok")

    def solution_text(self, row: pd.Series, issues: list) -> str:
        """A fitted model's check in words: usable, or why not."""
        if not row["converged"]:
            return self.t("research_solution_not_converged")
        if not issues:
            return self.t("research_solution_ok")
        return "; ".join(issue_text(*i, lang=self.lang, name=self.f.name) for i in issues)

    def structure(self) -> list[Table] | Skipped:
        people = self.data.respondents
        if len(people) < MIN_RESPONDENTS:
            return self._skip("research_skip_respondents", n=len(people), need=MIN_RESPONDENTS)
        s: StructureResult = factor_structure(people, self.data.factors)
        self.results["structure"] = s
        f = self.f
        fit = s.fit.assign(model=s.fit["n_factors"].map(self.model_name),
                           solution=[self.solution_text(r, i) for (_, r), i in
                                     zip(s.fit.iterrows(), s.issues, strict=True)])
        tables = [self._keep(f.table("fit", fit, {
            "model": ("research_col_model", str), "n": ("research_col_n", f.integer),
            "chi2": ("research_col_chi2", f.num(1)), "dof": ("research_col_df", f.integer),
            "p": ("research_col_p", f.p), "cfi": ("research_col_cfi", f.num(3)),
            "tli": ("research_col_tli", f.num(3)), "rmsea": ("research_col_rmsea", f.num(3)),
            "srmr": ("research_col_srmr", f.num(3)), "solution": ("research_col_solution", str)},
            {"rmsea:research_col_ci90": ("rmsea_low", "rmsea_high", 3)},
            self.t("research_note_fit_cfa") + " " + self.difference_text(s)))]
        first = s.loadings[s.loadings["model"] == s.fit["model"].iloc[0]]
        wide = first.pivot(index="item", columns="factor", values="loading").reindex(
            index=list(dict.fromkeys(first["item"])), columns=list(dict.fromkeys(first["factor"])))
        one = s.loadings[s.loadings["model"] == s.fit["model"].iloc[1]].set_index("item")["loading"]
        shown = pd.DataFrame({self.t("research_col_item"): [f.name(i) for i in wide.index]})
        for col in wide.columns:
            shown[f.name(col)] = [f.num(2)(v) if pd.notna(v) else "" for v in wide[col]]
        shown[self.model_name(1)] = [f.num(2)(one.get(i)) for i in wide.index]
        usable = [bool(r["converged"] and r["identified"] and r["proper"]) for _, r in s.fit.iterrows()]
        note = self.t("research_note_loadings") + ("" if all(usable) else " " + self.t(
            "research_note_loadings_unusable"))
        tables.append(self._keep(Table("loadings", self.t("research_table_loadings"),
                                       s.loadings.reset_index(drop=True), shown, note)))
        if s.factor_correlations is not None and len(s.factor_correlations):
            pairs = s.factor_correlations.assign(pair=[
                f"{f.name(a)} – {f.name(b)}" for a, b in zip(s.factor_correlations["factor_a"],
                                                             s.factor_correlations["factor_b"], strict=True)])
            above = any(kind in ("correlation_above_1", "factor_cov_not_pd")
                        for kind, _, _ in (s.issues[0] if s.issues else []))
            tables.append(self._keep(f.table("factor_correlations", pairs, {
                "pair": ("research_col_factor", str), "r": ("research_col_r", f.num(2))},
                note=self.t("research_note_factor_corr") + (
                    " " + self.t("research_note_factor_corr_above_1") if above else ""))))
        return tables

    def difference_text(self, s: StructureResult) -> str:
        """The chi2 difference test as a sentence: with p only when the test is valid."""
        test, f = s.difference_test(), self.f
        k = int(s.fit["n_factors"].iloc[0])
        unusable = [self.model_name(int(r["n_factors"])) for _, r in s.fit.iterrows()
                    if not (r["converged"] and r["identified"] and r["proper"])]
        return self.t(f"research_diff_{test['status']}", k=k, d_chi2=f.num(1)(test["delta_chi2"]),
                      d_df=test["delta_dof"], p=f.p(test["p"]), models=", ".join(unusable))

    def benchmark(self) -> Table | Skipped:
        """The organisation against the benchmark file, latest year; every row names its source
        and, for the shipped sample, that the others are FICTITIOUS."""
        d = self.data
        if d.benchmark is None or d.benchmark.empty:
            return self._skip("research_skip_benchmark")
        comp = benchmark_comparison(d.benchmark, d.own_kolada)
        comp = comp[comp["year"] == d.latest] if len(comp) else comp
        if comp.empty:
            return self._skip("research_skip_benchmark_year", year=d.latest)
        source = self.t("research_fictitious_row") if d.fictitious else d.benchmark_source
        comp = comp.assign(source=source)
        self.results["benchmark"] = comp
        f = self.f
        return self._keep(f.table("benchmark", comp, {
            "source": ("research_col_source", str),
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

    def model_name(self, k: int) -> str:
        return self.t("research_model_one") if k == 1 else self.t("research_model_k", k=k)

    @staticmethod
    def as_list(result: object) -> list:
        """A section's result as a list (several tables, one table or a skip note)."""
        return list(result) if isinstance(result, list) else [result]
