"""The one-page research summary at the top of the workbook: each sentence made from the numbers
of the sections below it (`sections.ResearchBook` after `compute`), never written by hand.

Every sentence carries its topic, the verdict it states and the numbers it prints, so a test can
check that no sentence says more than its numbers support. The rules:
- scope: how many units, unit-years and respondents entered, how many were left out (a fact);
- correlation (HME with each outcome, Pearson, across units): "positive"/"negative" only when the
  Holm-adjusted p < 0.05, else "none" (no reliable association, with r and its interval);
- change (HME's change with each outcome's change within units, year to year; Pearson): the
  same rule, topic "change";
- key drivers (eNPS): the statement with the largest LMG; "top_clear" only when its interval
  lies above the second's, else "top_uncertain";
- ICC(1) of HME (a fact);
- reliability: alpha of the scales whose alpha may be read ("acceptable" when all >= 0.70, else
  "some_low" naming them); scales whose alpha or omega may not be read, and why;
- structure: `structure.structure_verdict` (a conclusion only from usable solutions and a
  valid difference test);
- benchmark: the organisation against a real file, or that the comparison is with FICTITIOUS
  organisations and says nothing; none given;
- skipped sections: what they need.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd
from scipy import stats

from hme_core.i18n import t
from hme_core.research.present import fmt_ci
from hme_core.research.reliability import ACCEPTABLE
from hme_core.research.structure import ALPHA

TOPICS = ("scope", "correlation", "change", "drivers", "icc", "reliability", "structure", "benchmark",
          "skipped")


@dataclass(frozen=True)
class Sentence:
    """One sentence: `verdict` is what it concludes, `numbers` the values it prints."""

    topic: str
    verdict: str
    text: str
    numbers: dict = field(default_factory=dict)


@dataclass
class Summary:
    sentences: list[Sentence]
    lang: str = "sv"

    def lines(self) -> list[str]:
        return [s.text for s in self.sentences]

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(s.text)}</li>" for s in self.sentences)
        return (f'<section class="research-summary"><h2>{html.escape(t("research_sec_summary", self.lang))}'
                f"</h2><ul>{items}</ul></section>")


def research_summary(book) -> Summary:
    """The summary of a computed `ResearchBook` (its sections are computed first if need be)."""
    book.compute()
    out: list[Sentence] = [_scope(book)]
    for make in (_correlations, _changes, _drivers, _icc, _reliability, _structure,
                 _benchmark):
        out += make(book)
    prefix = t("research_skip_prefix", book.lang)
    for text in book.skipped:
        names = list(dict.fromkeys(book.section_title(n) for n in book.skipped_in.get(text, [])))
        out.append(Sentence("skipped", "skipped", t("research_sum_skipped", book.lang,
                                                    sections="; ".join(names) or "–",
                                                    text=text.removeprefix(prefix))))
    return Summary(out, book.lang)


def _scope(book) -> Sentence:
    d, f = book.data, book.f
    people = d.respondents
    raw = {"unit_years": len(d.table.frame), "units_latest": len(d.latest_units),
           "respondents": len(people), "respondent_units": int(people["unit"].nunique()),
           "left_out": int(len(d.table.excluded)), "years": len(d.years)}
    text = {k: f.integer(v) for k, v in raw.items()}
    text["year_list"] = ", ".join(map(str, d.years))
    text["latest"] = d.latest
    return Sentence("scope", "fact", t("research_sum_scope", book.lang, **text), raw)


def _correlations(book, key: str = "corr", topic: str = "correlation",
                  texts: str = "research_sum_corr") -> list[Sentence]:
    corr, f = book.results.get(key), book.f
    if corr is None:
        return []
    rows = corr[(corr["method"] == "pearson") & (corr["x"] == "hme")].dropna(subset=["r"])
    out = []
    for _, r in rows.iterrows():
        verdict = ("none" if not r["p_adj"] < ALPHA else "negative" if r["r"] < 0 else "positive")
        raw = {"outcome": r["y"], "r": r["r"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
               "n": int(r["n"]), "p_adj": r["p_adj"]}
        text = {"y": f.name(r["y"]), "r": f.num(2)(r["r"]),
                "ci": fmt_ci(r["ci_low"], r["ci_high"], 2, book.lang), "n": f.integer(r["n"]),
                "p": f.p(r["p_adj"])}
        out.append(Sentence(topic, verdict, t(f"{texts}_{verdict}", book.lang, **text), raw))
    return out


def _changes(book) -> list[Sentence]:
    """HME's change against each outcome's change within units (the "change" section)."""
    return _correlations(book, "change", "change", "research_sum_change")


def _drivers(book) -> list[Sentence]:
    drivers, f = book.results.get("drivers_enps"), book.f
    if drivers is None or len(drivers) < 2:
        return []
    top, second = drivers.iloc[0], drivers.iloc[1]
    clear = bool(top["ci_low"] > second["ci_high"])
    verdict = "top_clear" if clear else "top_uncertain"
    raw = {"predictor": top["predictor"], "share": top["share"], "r2": top["r2"],
           "ci_low": top["ci_low"], "second": second["predictor"],
           "second_ci_high": second["ci_high"], "n": int(top["n"])}
    text = {"item": f.name(top["predictor"]), "share": f.num(0)(top["share"]),
            "r2": f.num(2)(top["r2"]), "second": f.name(second["predictor"]),
            "n": f.integer(top["n"]), "method": t(f"research_ci_{top['ci_method']}", book.lang)}
    return [Sentence("drivers", verdict, t(f"research_sum_driver_{verdict}", book.lang, **text), raw)]


def _icc(book) -> list[Sentence]:
    icc, f = book.results.get("icc"), book.f
    if icc is None:
        return []
    mixed = icc[(icc["method"] == "mixedlm") & (icc["variable"] == "hme")].dropna(subset=["icc"])
    if mixed.empty:
        return []
    r = mixed.iloc[0]
    raw = {"icc": r["icc"], "n_groups": int(r["n_groups"]), "n_obs": int(r["n_obs"])}
    text = {"icc": f.num(3)(r["icc"]), "pct": f.num(0)(100 * r["icc"]),
            "units": f.integer(r["n_groups"]), "n": f.integer(r["n_obs"])}
    return [Sentence("icc", "fact", t("research_sum_icc", book.lang, **text), raw)]


def _reliability(book) -> list[Sentence]:
    rel, f = book.results.get("reliability"), book.f
    if rel is None or rel.empty:
        return []
    out = []
    ok = rel[rel["alpha_status"] == "ok"]
    if len(ok):
        low = ok[ok["alpha"] < ACCEPTABLE]
        verdict = "acceptable" if low.empty else "some_low"
        raw = {"alpha_min": ok["alpha"].min(), "alpha_max": ok["alpha"].max(),
               "scales": list(ok["scale"]), "low": list(low["scale"])}
        text = {"a_min": f.num(2)(raw["alpha_min"]), "a_max": f.num(2)(raw["alpha_max"]),
                "n": f.integer(len(ok)), "low": ", ".join(f.name(s) for s in low["scale"]),
                "limit": f.num(2)(ACCEPTABLE)}
        key = f"research_sum_rel_{verdict}" + ("_one" if len(ok) == 1 else "")
        text["scale"] = f.name(ok["scale"].iloc[0])
        out.append(Sentence("reliability", verdict, t(key, book.lang, **text), raw))
    for stat, column in (("α", "alpha_status"), ("ω", "omega_status")):
        for status, group in rel[rel[column] != "ok"].groupby(column, sort=False):
            raw = {"statistic": column.split("_")[0], "status": status, "scales": list(group["scale"])}
            text = {"stat": stat, "scales": ", ".join(f.name(s) for s in group["scale"]),
                    "why": t(f"research_rel_{status}", book.lang, stat=stat)}
            out.append(Sentence("reliability", "not_interpreted",
                                t("research_sum_rel_not_interpreted", book.lang, **text), raw))
    return out


def _structure(book) -> list[Sentence]:
    s, f = book.results.get("structure"), book.f
    if s is None:
        return []
    verdict, test = s.verdict(), s.difference_test()
    k_row, one_row = s.fit.iloc[0], s.fit.iloc[1]
    k = int(k_row["n_factors"])
    raw = {"k": k, "delta_chi2": test["delta_chi2"], "delta_dof": test["delta_dof"],
           "p": test["p"], "status": test["status"], "n": int(k_row["n"]),
           **{m: k_row[m] for m in ("cfi", "tli", "rmsea", "srmr", "chi2")},
           "chi2_one": one_row["chi2"], "chi2_base": k_row["chi2_base"],
           "dof_base": k_row["dof_base"]}
    bad = k_row if verdict == "k_unusable" else one_row
    issues = s.issues[0] if verdict == "k_unusable" else s.issues[1] if len(s.issues) > 1 else []
    text = {"k": k, "d_chi2": f.num(1)(test["delta_chi2"]), "d_df": test["delta_dof"],
            "p": f.p(test["p"]), "cfi": f.num(3)(k_row["cfi"]), "tli": f.num(3)(k_row["tli"]),
            "rmsea": f.num(3)(k_row["rmsea"]), "srmr": f.num(3)(k_row["srmr"]),
            "n": f.integer(k_row["n"]), "chi2_base": f.num(1)(k_row["chi2_base"]),
            "dof_base": f.integer(k_row["dof_base"]),
            "p_base": f.p(stats.chi2.sf(k_row["chi2_base"], k_row["dof_base"])),
            "issues": book.solution_text(bad, issues) if verdict in ("k_unusable", "one_unusable")
            else "", "why": t(f"research_diff_why_{test['status']}", book.lang)}
    return [Sentence("structure", verdict, t(f"research_sum_structure_{verdict}", book.lang, **text),
                     raw)]


def _benchmark(book) -> list[Sentence]:
    d, f = book.data, book.f
    comp = book.results.get("benchmark")
    if comp is None:
        return []
    row = comp[(comp["index"] == "hme") & (comp["gender"] == "T")]
    if row.empty:
        return []
    r = row.iloc[0]
    raw = {"own": r["own"], "median": r["median_all"], "percentile": r["percentile"],
           "n_others": int(r["n_others"]), "fictitious": d.fictitious}
    text = {"own": f.num(1)(r["own"]), "median": f.num(1)(r["median_all"]),
            "pct": f.num(0)(r["percentile"]), "n": f.integer(r["n_others"]),
            "source": d.benchmark_source, "year": d.latest}
    verdict = "fictitious" if d.fictitious else "real"
    if pd.isna(r["percentile"]):
        return []
    return [Sentence("benchmark", verdict, t(f"research_sum_benchmark_{verdict}", book.lang, **text),
                     raw)]
