"""One unit's report as a sequence of HTML sections; the notebook shows them one per cell.

Model: the vendor report in docs/sources.md (cover, HME index diagram with comparisons upward and
with last year, stoplights per statement, eNPS, HSE, analysis questions), in Swedish or English.
Suppressed values are NaN in the data and are printed as '–'; a suppressed unit shows the reason
and no result at all.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hme_core.config import Settings, load_settings
from hme_core.i18n import fmt_date, fmt_int, fmt_percent, fmt_signed, trend_arrow
from hme_core.instruments import InstrumentSet, load_instruments
from hme_core.paths import default_db, params_dir
from hme_core.report import charts as plots
from hme_core.report.hidden import HiddenMarks, reason_for
from hme_core.report.html import HTML, esc, notice, paragraph, section, table
from hme_core.report.narrative_sections import (
    analysis_html,
    escalations_html,
    followup_html,
    load_context,
    suggestions_html,
    targets_html,
)
from hme_core.report.survey_sections import SURVEY_INSTRUMENTS, instrument_section
from hme_core.report.text import ReportText
from hme_core.results.unit_data import load_report_data
from hme_core.store.duckdb_store import Store
from hme_core.vocabulary import HME_INDICES

_PARAMS: dict[tuple, tuple[Settings, InstrumentSet]] = {}


def report_params() -> tuple[Settings, InstrumentSet]:
    """The settings and instruments of `params/`, read once per process while their files are
    unchanged (name, size and modification time of config.yaml and instruments/): a batch's
    parent reads them before forking, so no report parses the YAML again."""
    root = params_dir()
    files = [root / "config.yaml", *sorted((root / "instruments").rglob("*.yaml"))]
    key = (str(root), *((str(p), p.stat().st_size, p.stat().st_mtime_ns) if p.is_file()
                        else (str(p),) for p in files))
    if key not in _PARAMS:
        _PARAMS.clear()
        _PARAMS[key] = (load_settings(), load_instruments())
    return _PARAMS[key]


class UnitReport(ReportText):
    """The sections of one unit's report. Every method returns displayable HTML."""

    @classmethod
    def load(cls, db: str | Path | None, year: int, unit: str, lang: str = "sv") -> UnitReport:
        settings, instruments = report_params()
        with Store.open(Path(db) if db else default_db(), read_only=True) as store:
            store.require_current_results(int(year))
            data = load_report_data(store, int(year), str(unit), instruments, settings)
        return cls(data, instruments, lang)

    @property
    def shows_results(self) -> bool:
        return not self.data.suppressed

    # ---- sections --------------------------------------------------------------------
    def cover(self) -> HTML:
        d = self.data
        figures = [
            (self.t("responses"), fmt_int(d.respondents, self.lang)),
            (self.t("employees"), fmt_int(d.employees, self.lang)),
            (self.t("response_rate"), fmt_percent(d.response_rate, self.dec, self.lang)),
        ]
        keyfigs = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in figures)
        path = " › ".join(d.path[:-1])
        body = (
            f'<p class="kicker">{esc(self.t("report_title", year=d.year))}</p>'
            f"<h1>{esc(d.name)}</h1>"
            + (f'<p class="org-path">{esc(path)}</p>' if path else "")
            + f'<dl class="keyfigures">{keyfigs}</dl>'
            + self._participation_table()
            + f'<p class="report-date">{esc(self.t("report_date"))}: '
            f"{esc(fmt_date(self.today, self.lang))}</p>"
        )
        if d.reporting_group:  # the organisation's reporting group: one result for all
            body += notice(self.t("reporting_group", units=", ".join(d.reporting_group)),
                           "privacy")
        if d.suppressed:  # nothing of the unit is published anywhere: the true reason
            key = {"secondary": "suppressed_secondary", "no_data": "suppressed_no_data"}.get(
                d.empty_reason, "suppressed")
            body += notice(self.t(key, n=d.settings.min_n_index), "privacy")
            body += paragraph(self.t("suppressed_detail"))
        return HTML(f'<section class="cover">{body}</section>')

    def _participation_table(self) -> str:
        """Respondents, employees and response rate for every stored year (vendor report's cover)."""
        p = self.data.participation
        if p is None or len(p) < 2:
            return ""
        rows = [[str(int(r["year"])), fmt_int(r["respondents"], self.lang),
                 fmt_int(r["employees"], self.lang),
                 fmt_percent(r["response_rate"], self.dec, self.lang)] for _, r in p.iterrows()]
        return table([self.t("year"), self.t("responses"), self.t("employees"),
                      self.t("response_rate")], rows, caption=self.t("participation_caption"),
                     numeric=[False, True, True, True], css_class="data participation")

    def index_section(self) -> HTML:
        if not self.shows_results:
            return HTML("")
        d = self.data
        comp = d.comparison[d.comparison["index"].isin(HME_INDICES)]
        fig_data = comp.assign(index=comp["index"].map(self.index_label))[
            ["series", "series_kind", "index", "value"]]
        alt = self.t("index_chart_alt", unit=d.name, values=", ".join(
            f"{self.index_label(r['index'])} {self.num(r['value'])}"
            for _, r in comp[comp["series_kind"] == "unit"].iterrows()))
        fig = plots.index_chart_html(fig_data, self.lang, alt)
        series = comp["series"].drop_duplicates().tolist()
        cells = self.cells(comp, ("series", "index"))
        marks = HiddenMarks(self.lang)
        rows = [[s, *(self.value_cell(cells, (s, ix), marks) for ix in HME_INDICES)]
                for s in series]
        header = ["", *(self.index_label(ix) for ix in HME_INDICES)]
        tbl = table(header, rows, caption=self.t("comparison_heading"),
                    numeric=[False, True, True, True, True],
                    row_classes=["current" if i == 0 else "" for i in range(len(rows))])
        body = (paragraph(self.t("index_explanation")) + fig + tbl + marks.footnote()
                + self._changes_table())
        return HTML(section(self.t("hme_name"), body, "hme-index"))

    def _changes_table(self) -> str:
        d = self.data
        if d.previous_year is None or d.changes["previous"].isna().all():
            return paragraph(self.t("no_previous_year"), "muted")
        ch = d.changes[d.changes["index"].isin(HME_INDICES)]
        own = self.cells(d.comparison[d.comparison["series_kind"] != "ancestor"], ("year", "index"))
        marks = HiddenMarks(self.lang)
        rows = []
        for _, r in ch.iterrows():
            note = self.t("within_margin") if (r["within_noise"] and np.isfinite(r["diff"])) else ""
            rows.append([self.index_label(r["index"]),
                         self.value_cell(own, (d.year, r["index"]), marks),
                         self.value_cell(own, (d.previous_year, r["index"]), marks),
                         fmt_signed(r["diff"], self.dec, self.lang),
                         trend_arrow(r["diff"], self.dec), note])
        header = ["", str(d.year), str(d.previous_year), self.t("diff"), self.t("trend"),
                  self.t("note")]
        return (table(header, rows, caption=self.t("change_from_last_year"),
                      numeric=[False, True, True, True, False, False])
                + marks.footnote() + paragraph(self.t("noise_rule"), "footnote"))

    def _stoplight(self, items: list[str], title: str) -> str:
        d = self.data
        st = d.statements.set_index("item")
        shown = [i for i in items if i in st.index and bool(st.loc[i, "distribution_shown"])]
        hidden = [i for i in items if i in st.index and i not in shown]
        out = ""
        if shown:
            dist = d.distributions[d.distributions["item"].isin(shown)]
            data = dist.assign(statement=dist["item"].map(self.statement_text))
            data["order"] = data["item"].map({i: k for k, i in enumerate(shown)})
            data = data.sort_values(["order", "code"])[["statement", "code", "share", "n"]]
            scale = self.instruments.instrument_of_item(shown[0]).scale_of(shown[0])
            labels = [scale.label(c, self.lang) for c in scale.codes]
            shares = dist.set_index(["item", "code"])["share"]
            alt = self.t("stoplight_alt", title=title) + " " + "; ".join(
                f"{self.statement_text(i)} " + ", ".join(
                    f"{lab}: {fmt_percent(shares.get((i, code)), 0, self.lang)}"
                    for code, lab in zip(scale.codes, labels, strict=True))
                for i in shown)
            out += plots.stoplight_html(data, labels, self.lang, alt, codes=scale.codes)
        if hidden:
            out += notice(self.t("distribution_hidden", n=d.settings.min_n_distribution,
                                  count=len(hidden)))
        return out

    def _statement_table(self, items: list[str], caption: str) -> str:
        st = self.data.statements.set_index("item")
        marks = HiddenMarks(self.lang)
        rows = []
        for i in items:
            if i not in st.index:
                continue
            r = st.loc[i]
            change = ([fmt_signed(r["diff"], self.dec, self.lang), trend_arrow(r["diff"], self.dec)]
                      if self.has_previous_year else [])
            rows.append([self.statement_text(i), fmt_int(r["n"], self.lang),
                         *self.statement_cells(i, marks), *change])
        header = [self.t("statement"), "n", self.t("index")]
        numeric = [False, True, True]
        if self.has_previous_year:
            header += [str(self.data.previous_year), self.t("diff"), self.t("trend")]
            numeric += [True, True, False]
        return table(header, rows, caption=caption, numeric=numeric) + marks.footnote()

    def statement_section(self) -> HTML:
        if not self.shows_results:
            return HTML("")
        ins = self.instruments["hme"]
        parts = [paragraph(self.t("stoplight_explanation", n=self.data.settings.min_n_distribution))]
        for ix in ins.indices[1:]:
            title = f"HME – {ix.name(self.lang)}"
            parts.append(f'<div class="subindex"><h3>{esc(title)}</h3>'
                         + self._stoplight(ix.items, title)
                         + self._statement_table(ix.items, self.t("statement_indices"))
                         + "</div>")
        return HTML(section(self.t("statements_heading"), "".join(parts), "statements"))

    def enps_section(self) -> HTML:
        e = self.data.enps
        if not self.shows_results or e.empty:
            return HTML("")
        org = self.data.settings.organisation_name
        parts = [paragraph(self.t("enps_question", organisation=org), "question"),
                 paragraph(self.t("enps_explanation"))]
        chart = e[e["series_kind"] != "previous"].dropna(subset=["promoters_pct"])
        if len(chart):
            alt = "; ".join(f"{r['series']}: eNPS {self.num(r['enps'])}" for _, r in chart.iterrows())
            parts.append(plots.enps_html(
                chart[["series", "detractors_pct", "passive_pct", "promoters_pct", "enps"]],
                self.lang, self.t("enps_alt") + " " + alt))
        rows = []
        marks = HiddenMarks(self.lang)
        s = self.data.settings
        for _, r in e[e["series_kind"] != "previous"].iterrows():
            before = r["previous_enps"]
            diff = r["enps"] - before
            share = reason_for(r["n"], s.min_n_distribution)
            rows.append([r["series"], fmt_int(r["n"], self.lang),
                         *(marks.cell(fmt_percent(r[f"{k}_pct"] / 100, 1, self.lang), share,
                                      s.min_n_distribution)
                           for k in ("promoters", "passive", "detractors")),
                         marks.cell(self.num(r["enps"]), reason_for(r["n"], s.min_n_index),
                                    s.min_n_index),
                         *([marks.cell(self.num(before), "earlier"),
                            fmt_signed(diff, self.dec, self.lang), trend_arrow(diff, self.dec)]
                           if self.has_previous_year else [])])
        header = ["", "n", self.t("enps_promoters"), self.t("enps_passives"),
                  self.t("enps_detractors"), "eNPS"]
        numeric = [False] + [True] * 5
        if self.has_previous_year:
            header += [str(self.data.previous_year), self.t("diff"), self.t("trend")]
            numeric += [True, True, False]
        parts.append(table(header, rows, caption=self.t("comparison_heading"),
                           numeric=numeric) + marks.footnote())
        return HTML(section(self.t("enps_heading"), "".join(parts), "enps"))

    def instrument_sections(self) -> HTML:
        """HSE and any organisation-defined instrument the unit answered."""
        if not self.shows_results:
            return HTML("")
        out = []
        for ins_id in self.data.instruments_present:
            if ins_id in SURVEY_INSTRUMENTS:  # their own sections (survey_sections)
                continue
            ins = self.instruments[ins_id]
            comp = self.data.comparison[self.data.comparison["index"].isin(
                [ix.id for ix in ins.indices])]
            marks = HiddenMarks(self.lang)
            limit = self.data.settings.min_n_index
            rows = [[r["series"], self.index_label(r["index"]), fmt_int(r["n"], self.lang),
                     marks.cell(self.num(r["value"]), reason_for(r["n"], limit), limit)]
                    for _, r in comp.iterrows()]
            body = table(["", self.t("index"), "n", self.t("value")], rows,
                         caption=self.t("comparison_heading"),
                         numeric=[False, False, True, True]) + marks.footnote()
            body += self.statement_blocks(ins)
            out.append(section(ins.name(self.lang), body, f"instrument instrument-{ins.id}"))
        return HTML("".join(out))

    def statement_blocks(self, ins) -> str:
        """An instrument's statements: stoplights and indices of its indexed statements, then
        of its outcome statements under their own heading."""
        indexed = [i.id for i in ins.items if i.role == "indexed"]
        outcome = [i.id for i in ins.items if i.role == "outcome"]
        body = self._stoplight(indexed, ins.name(self.lang))
        body += self._statement_table(indexed, self.t("statement_indices"))
        if outcome:
            body += f"<h3>{esc(self.t('outcome_statements'))}</h3>"
            body += self._stoplight(outcome, self.t("outcome_statements"))
            body += self._statement_table(outcome, self.t("statement_indices"))
        return body

    def hse_section(self) -> HTML:
        return instrument_section(self, "hse")

    def psychosocial_section(self) -> HTML:
        return instrument_section(self, "psychosocial")

    def exposure_section(self) -> HTML:
        return instrument_section(self, "exposure")

    def manager_section(self) -> HTML:
        return instrument_section(self, "manager")

    def development_section(self) -> HTML:
        return instrument_section(self, "development")

    def breakdown_section(self) -> HTML:
        bd = self.data.breakdowns
        if not self.shows_results:
            return HTML("")
        if bd.empty:
            body = paragraph(self.t("breakdown_hidden", n=self.data.settings.min_n_index), "muted")
            return HTML(section(self.t("breakdown_heading"), body, "breakdowns"))
        parts = []
        for var, part in bd.groupby("variable", sort=False):
            wide = part.pivot_table(index="group", columns="index", values="value",
                                    aggfunc="first", dropna=False)
            n = part[part["index"] == "hme"].set_index("group")["n"]  # n of the HME total
            rows = [[self.group_label(var, g),
                     fmt_int(n.get(g, 0), self.lang),
                     *(self.num(wide.loc[g].get(ix, np.nan)) for ix in HME_INDICES)]
                    for g in wide.index]
            header = [self.t(var), "n", *(self.index_label(ix) for ix in HME_INDICES)]
            parts.append(table(header, rows, caption=self.t(var),
                               numeric=[False, True, True, True, True, True]))
        parts.append(paragraph(self.t("breakdown_rule", n=self.data.settings.min_n_index),
                               "footnote"))
        body = f'<div class="keep-together">{"".join(parts)}</div>'
        return HTML(section(self.t("breakdown_heading"), body, "breakdowns"))

    def children_section(self, db: str | Path | None = None) -> HTML:
        """Heat map of the direct child units (published values only); leaf units: nothing."""
        from hme_core.report.children import children_html

        if self.data.is_leaf:
            return HTML("")
        return HTML(children_html(self, Path(db) if db else default_db()))

    def dialogue_section(self) -> HTML:
        """The five questions for the management dialogue (units with child units only)."""
        from hme_core.report.children import dialogue_html

        return HTML(dialogue_html(self))

    def starting_points(self) -> dict[str, list[str]]:
        """Data-driven starting points for the analysis (`suggestions` has the rules):
        strongest and weakest statements, against the parent and last year, high disagreement,
        low response rate. A suppressed unit gets one line without numbers."""
        from hme_core.narratives.suggestions import data_suggestions

        return data_suggestions(self.data, self.instruments, self.lang)

    # ---- written sections: narratives, escalations, follow-up, targets -----------
    def load_narratives(self, db: str | Path | None = None) -> None:
        """Read the narratives and targets of this report from `params/` (and `db`).

        The notebook calls this right after `load` with its `db` parameter; the written
        sections call it with the default store if it was not called.
        """
        self._narrative_context = load_context(
            Path(db) if db else default_db(), self.data.year, self.data.unit,
            self.data.previous_year, self.dec, self.instruments)

    def _narratives(self):
        if getattr(self, "_narrative_context", None) is None:
            self.load_narratives()
        return self._narrative_context

    def analysis_section(self) -> HTML:
        """The analysis questions (docs/sources.md) with the unit's narrative (Markdown, sanitised)
        and action plan; without a narrative, the prompts and data-driven suggestions."""
        return HTML(analysis_html(self, self._narratives(), self.starting_points()))

    def suggestions_section(self) -> HTML:
        """The data-driven suggestions alone (for the narrative workbook)."""
        return HTML(suggestions_html(self, self.starting_points()))

    def escalations_section(self) -> HTML:
        """What the child units raised to this level, attributed; leaf units: none."""
        return HTML(escalations_html(self, self._narratives()))

    def followup_section(self) -> HTML:
        """Open actions from the previous survey year's narrative (follow-up)."""
        return HTML(followup_html(self, self._narratives()))

    def targets_section(self) -> HTML:
        """Targets, baseline, current value, status and series (docs/sources.md); the top unit also
        lists every unit's targets. Suppressed values say "not measurable" and show none."""
        return HTML(targets_html(self, self._narratives()))
