"""One unit's report as a sequence of sections (`report.document` blocks); the notebook shows
them one per cell, each as HTML and as Typst for the PDF.

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
from hme_core.narratives.focus import FocusBlock, load_focus
from hme_core.paths import default_db, params_dir
from hme_core.report import charts as plots
from hme_core.report.document import (
    Group,
    Heading,
    KeyFigures,
    Notice,
    Paragraph,
    Section,
    Table,
)
from hme_core.report.focus_block import focus_group
from hme_core.report.hidden import HiddenMarks, reason_for
from hme_core.report.part import Part
from hme_core.report.survey_sections import SURVEY_INSTRUMENTS, instrument_section
from hme_core.report.text import ReportText, hidden_note
from hme_core.report.written_parts import WrittenParts
from hme_core.results.questionnaire import load_audience_gaps, load_unit_questionnaire
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


class UnitReport(WrittenParts, ReportText):
    """The sections of one unit's report. Every section method returns a `Part` (blocks the
    notebook shows as HTML and carries as Typst for the PDF; empty when the section does not
    apply)."""

    #: top report only: {instrument: [(unit, name), ...]} without its audience section
    audience_gaps: dict = {}
    #: The unit's focus areas (`narratives.focus`), read by `load`; None: no block.
    focus: FocusBlock | None = None

    @classmethod
    def load(cls, db: str | Path | None, year: int, unit: str, lang: str = "sv") -> UnitReport:
        settings, instruments = report_params()
        with Store.open(Path(db) if db else default_db(), read_only=True) as store:
            store.require_current_results(int(year))
            data = load_report_data(store, int(year), str(unit), instruments, settings)
            questionnaire = load_unit_questionnaire(store, int(year), str(unit), instruments,
                                                    lang, data.settings.organisation_name or "")
            gaps = load_audience_gaps(store, int(year), instruments) if data.level == 1 else {}
            report = cls(data, instruments, lang, questionnaire=questionnaire)
            report.audience_gaps = gaps
            report.focus = load_focus(store, data, instruments)
        return report

    @property
    def shows_results(self) -> bool:
        return not self.data.suppressed

    def part(self, *blocks, meta: dict | None = None) -> Part:
        """Blocks as this report's displayable part (in its language)."""
        return Part(*blocks, lang=self.lang, meta=meta)

    def document_meta(self) -> dict:
        """What the PDF needs of the whole report: title, language, running header (the same
        words as the HTML page's, `batch.jobs.render_unit`)."""
        title = self.t("report_title", year=self.data.year)
        return {"title": f"{self.data.name} – {title}", "lang": self.lang,
                "header": f"{self.data.name} · {title}"}

    # ---- sections --------------------------------------------------------------------
    def cover(self) -> Part:
        d = self.data
        path = " › ".join(d.path[:-1])
        blocks = [
            Paragraph(self.t("report_title", year=d.year), "kicker"),
            Heading(d.name, 1),
            Paragraph(path, "org-path") if path else None,
            KeyFigures([
                (self.t("responses"), fmt_int(d.respondents, self.lang)),
                (self.t("employees"), fmt_int(d.employees, self.lang)),
                (self.t("response_rate"), fmt_percent(d.response_rate, self.dec, self.lang)),
            ]),
            self._participation_table(),
            Paragraph(f'{self.t("report_date")}: {fmt_date(self.today, self.lang)}',
                      "report-date"),
        ]
        if d.reporting_group:  # the organisation's reporting group: one result for all
            blocks.append(Notice(self.t("reporting_group", units=", ".join(d.reporting_group)),
                                 "privacy"))
        if d.suppressed:  # nothing of the unit is published anywhere: the true reason
            key = {"secondary": "suppressed_secondary", "no_data": "suppressed_no_data"}.get(
                d.empty_reason, "suppressed")
            blocks += [Notice(self.t(key, n=d.settings.min_n_index), "privacy"),
                       Paragraph(self.t("suppressed_detail"))]
        return self.part(Group(blocks, "cover"), meta=self.document_meta())

    def _participation_table(self) -> Table | None:
        """Respondents, employees and response rate for every stored year (vendor report's cover)."""
        p = self.data.participation
        if p is None or len(p) < 2:
            return None
        rows = [[str(int(r["year"])), fmt_int(r["respondents"], self.lang),
                 fmt_int(r["employees"], self.lang),
                 fmt_percent(r["response_rate"], self.dec, self.lang)] for _, r in p.iterrows()]
        return Table([self.t("year"), self.t("responses"), self.t("employees"),
                      self.t("response_rate")], rows, caption=self.t("participation_caption"),
                     numeric=[False, True, True, True], style="data participation",
                     widths=["auto"] * 4)

    def index_section(self) -> Part:
        if not self.shows_results:
            return self.part()
        d = self.data
        comp = d.comparison[d.comparison["index"].isin(HME_INDICES)]
        fig_data = comp.assign(index=comp["index"].map(self.index_label))[
            ["series", "series_kind", "index", "value"]]
        alt = self.t("index_chart_alt", unit=d.name, values=", ".join(
            f"{self.index_label(r['index'])} {self.num(r['value'])}"
            for _, r in comp[comp["series_kind"] == "unit"].iterrows()))
        series = comp["series"].drop_duplicates().tolist()
        cells = self.cells(comp, ("series", "index"))
        marks = HiddenMarks(self.lang)
        rows = [[s, *(self.value_cell(cells, (s, ix), marks) for ix in HME_INDICES)]
                for s in series]
        header = ["", *(self.index_label(ix) for ix in HME_INDICES)]
        tbl = Table(header, rows, caption=self.t("comparison_heading"),
                    numeric=[False, True, True, True, True],
                    row_styles=["current" if i == 0 else "" for i in range(len(rows))])
        return self.part(Section(self.t("hme_name"), [
            Paragraph(self.t("index_explanation")), plots.index_chart(fig_data, self.lang, alt),
            tbl, hidden_note(marks), *self._changes_table()], "hme-index"))

    def _changes_table(self) -> list:
        d = self.data
        if d.previous_year is None or d.changes["previous"].isna().all():
            return [Paragraph(self.t("no_previous_year"), "muted")]
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
        return [Table(header, rows, caption=self.t("change_from_last_year"),
                      numeric=[False, True, True, True, False, False],
                      widths=["auto", "auto", "auto", "auto", "auto", "1fr"]),
                hidden_note(marks), Paragraph(self.t("noise_rule"), "footnote")]

    def _questions(self, items: list[str]) -> list:
        """The items as questions (the organisation's words, labels favourable first)."""
        from hme_core.results.questionnaire import make_question

        out = []
        for i in items:
            q = self.questionnaire.question(i) if self.questionnaire else None
            out.append(q or make_question(self.instruments.instrument_of_item(i), i, self.lang,
                                          self.statement_text(i)))
        return out

    def _stoplight(self, items: list[str], title: str) -> list:
        """Stoplights by meaning (`questionnaire_view.stoplight_runs`) of `items` whose answer
        shares are published: one chart per run of questions on the same labels in the same
        favourable order (a reversed item's 'Aldrig' is green, a plain one's red: one legend
        could not say both), the favourable answer first and green whatever its code, legends
        in the items' own labels; a notice for those whose shares are hidden."""
        from hme_core.report.questionnaire_view import stoplight_runs

        d = self.data
        st = self.statement_rows
        shown = [i for i in items if i in st and bool(st[i]["distribution_shown"])]
        hidden = [i for i in items if i in st and i not in shown]
        out: list = []
        shares, answers = self.answer_shares
        questions = self._questions(shown)
        for run in stoplight_runs(questions):
            display = list(reversed(run.codes))  # best first, as the categories
            rows = [(self.statement_text(i), [shares.get((i, c), np.nan) for c in display],
                     answers.get(i, np.nan)) for i in run.items]
            alt = self.t("stoplight_alt", title=title) + " " + "; ".join(
                f"{self.statement_text(i)} " + ", ".join(
                    f"{lab}: {fmt_percent(shares.get((i, code)), 0, self.lang)}"
                    for code, lab in zip(display, reversed(run.labels), strict=True))
                for i in run.items)
            out.append(plots.stoplight_chart(rows, plots.scale_categories(list(run.labels)),
                                             self.lang, alt))
        if any(q.reversed for q in questions):  # green is favourable, also where low is
            out.append(Paragraph(self.t("stoplight_by_meaning"), "footnote"))
        if hidden:
            key = "distribution_hidden" if shown else "distribution_all_hidden"
            out.append(Notice(self.t(key, n=d.settings.min_n_distribution, count=len(hidden))))
        return out

    def _statement_table(self, items: list[str], caption: str) -> list:
        st = self.statement_rows
        marks = HiddenMarks(self.lang)
        rows = []
        for i in items:
            if i not in st:
                continue
            r = st[i]
            change = ([fmt_signed(r["diff"], self.dec, self.lang), trend_arrow(r["diff"], self.dec)]
                      if self.has_previous_year else [])
            rows.append([self.statement_text(i), fmt_int(r["n"], self.lang),
                         *self.statement_cells(i, marks), *change])
        header = [self.t("statement"), "n", self.t("index")]
        numeric = [False, True, True]
        if self.has_previous_year:
            header += [str(self.data.previous_year), self.t("diff"), self.t("trend")]
            numeric += [True, True, False]
        return [Table(header, rows, caption=caption, numeric=numeric), hidden_note(marks)]

    def statement_section(self) -> Part:
        if not self.shows_results:
            return self.part()
        ins = self.instruments["hme"]
        blocks: list = [Paragraph(self.t("stoplight_explanation",
                                         n=self.data.settings.min_n_distribution))]
        asked = set(self.asked(ins))
        for ix in ins.indices[1:]:
            title = f"HME – {ix.name(self.lang)}"
            items = [i for i in ix.items if i in asked]
            if not items:
                continue
            blocks.append(Group([Heading(title, 3), *self._stoplight(items, title),
                                 *self._statement_table(items, self.t("statement_indices"))],
                                "subindex"))
        return self.part(Section(self.t("statements_heading"), blocks, "statements"))

    def enps_section(self) -> Part:
        e = self.data.enps
        if not self.shows_results or e.empty:
            return self.part()
        org = self.data.settings.organisation_name
        asked = self.questionnaire.question("enps") if self.questionnaire else None
        question = asked.text if asked else self.t("enps_question", organisation=org)
        blocks: list = [Paragraph(question, "question"),
                        Paragraph(self.t("enps_explanation"))]
        chart = e[e["series_kind"] != "previous"].dropna(subset=["promoters_pct"])
        if len(chart):
            alt = "; ".join(f"{r['series']}: eNPS {self.num(r['enps'])}" for _, r in chart.iterrows())
            blocks.append(plots.enps_chart(
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
        blocks += [Table(header, rows, caption=self.t("comparison_heading"), numeric=numeric),
                   hidden_note(marks)]
        return self.part(Section(self.t("enps_heading"), blocks, "enps"))

    def instrument_sections(self) -> Part:
        """The organisation's own instruments the unit was asked, each as HSE's: index chart,
        comparison upward and with last year, stoplights by meaning, statement indices (or,
        yes/no questions, shares per year with their chart)."""
        if not self.shows_results:
            return self.part()
        ids = (self.questionnaire.instruments if self.questionnaire is not None
               else self.data.instruments_present)
        return self.part(*(block for ins_id in ids
                           if ins_id not in (*SURVEY_INSTRUMENTS, "hme", "enps")
                           for block in instrument_section(self, ins_id).blocks))

    def asked(self, ins) -> list[str]:
        """The instrument's items this unit's questionnaire asked, in instrument order."""
        from hme_core.report.questionnaire_view import asked_items

        return asked_items(self.questionnaire, ins.id, ins.item_ids)

    def statement_blocks(self, ins) -> list:
        """An instrument's statements asked this year: stoplights and indices of its indexed
        statements, then of its outcome statements under their own heading."""
        asked = set(self.asked(ins))
        indexed = [i.id for i in ins.items if i.role == "indexed" and i.id in asked]
        outcome = [i.id for i in ins.items if i.role == "outcome" and i.id in asked]
        blocks = [*self._stoplight(indexed, ins.name(self.lang)),
                  *self._statement_table(indexed, self.t("statement_indices"))]
        if outcome:
            blocks += [Heading(self.t("outcome_statements"), 3),
                       *self._stoplight(outcome, self.t("outcome_statements")),
                       *self._statement_table(outcome, self.t("statement_indices"))]
        return blocks

    def hse_section(self) -> Part:
        return instrument_section(self, "hse")

    def psychosocial_section(self) -> Part:
        return instrument_section(self, "psychosocial")

    def exposure_section(self) -> Part:
        return instrument_section(self, "exposure")

    def manager_section(self) -> Part:
        return instrument_section(self, "manager")

    def development_section(self) -> Part:
        return instrument_section(self, "development")

    def breakdown_section(self) -> Part:
        bd = self.data.breakdowns
        if not self.shows_results:
            return self.part()
        if bd.empty:
            body = [Paragraph(self.t("breakdown_hidden", n=self.data.settings.min_n_index),
                              "muted")]
            return self.part(Section(self.t("breakdown_heading"), body, "breakdowns"))
        blocks: list = []
        for var, part in bd.groupby("variable", sort=False):
            wide = part.pivot_table(index="group", columns="index", values="value",
                                    aggfunc="first", dropna=False)
            n = part[part["index"] == "hme"].set_index("group")["n"]  # n of the HME total
            rows = [[self.group_label(var, g),
                     fmt_int(n.get(g, 0), self.lang),
                     *(self.num(wide.loc[g].get(ix, np.nan)) for ix in HME_INDICES)]
                    for g in wide.index]
            header = [self.t(var), "n", *(self.index_label(ix) for ix in HME_INDICES)]
            blocks.append(Table(header, rows, caption=self.t(var),
                                numeric=[False, True, True, True, True, True]))
        blocks.append(Paragraph(self.t("breakdown_rule", n=self.data.settings.min_n_index),
                                "footnote"))
        return self.part(Section(self.t("breakdown_heading"), blocks, "breakdowns"))

    def children_section(self, db: str | Path | None = None) -> Part:
        """Heat map of the direct child units (published values only); leaf units: nothing."""
        from hme_core.report.children import children_section

        if self.data.is_leaf:
            return self.part()
        return self.part(children_section(self, Path(db) if db else default_db()))

    def dialogue_section(self) -> Part:
        """The five questions for the management dialogue (units with child units only)."""
        from hme_core.report.children import dialogue_section

        if self.data.is_leaf:
            return self.part()
        return self.part(dialogue_section(self), focus_group(self, self.focus))

    def focus_section(self) -> Part:
        """The unit's suggested focus areas and strengths to keep, alone (the HR workbook)."""
        return self.part(focus_group(self, self.focus))
