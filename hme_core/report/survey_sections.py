"""Report sections for the rest of the survey, drawn from the instrument files' shape alone:
an instrument of simple indices (HSE, manager questions) gets its intro, the number of
respondents in its audience, an index chart and stoplights; an instrument with dimensions of
themes (psychosocial work environment) a dimension chart and each dimension's themes compared
upward and with last year; a categorical instrument (exposure, development needs) the share
answering each option per year with n and definitions.

Every value shown comes from the stored, already disclosure-controlled results: a hidden value
is NaN and printed as '–', a hidden share is absent and the question says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hme_core.i18n import fmt_int, fmt_percent, fmt_signed, trend_arrow
from hme_core.instruments import Instrument
from hme_core.report import charts as plots
from hme_core.report.document import (
    Chart,
    DefinitionList,
    Group,
    Heading,
    Notice,
    Paragraph,
    Section,
    Table,
)
from hme_core.report.hidden import HiddenMarks, reason_for
from hme_core.report.part import Part
from hme_core.report.text import ReportText, hidden_note

#: Shipped instruments with a section of their own in the unit report, in report order.
SURVEY_INSTRUMENTS = ("hse", "psychosocial", "exposure", "manager", "development")


def instrument_section(report: ReportText, instrument_id: str) -> Part:
    """The section of one instrument, or nothing when the unit has no results for it."""
    d = report.data
    if d.suppressed or not _asked_here(report, instrument_id):
        return Part(lang=report.lang)
    ins = report.instruments[instrument_id]
    if ins.scale.kind == "categorical":
        body = shares_html(report, ins)
    elif any(ix.themes for ix in ins.indices):
        body = dimensions_html(report, ins)
    else:
        body = indices_html(report, ins)
    return Part(Section(ins.name(report.lang), body, f"instrument instrument-{ins.id}"),
                lang=report.lang)


def _asked_here(report: ReportText, instrument_id: str) -> bool:
    """Whether the unit's report has the section: its questionnaire asked an item of it (an
    audience's: someone of the audience answered here); without one, results are stored."""
    if report.questionnaire is not None:
        return report.questionnaire.section(instrument_id) is not None
    return instrument_id in report.data.instruments_present


def _indices(report: ReportText, ins: Instrument) -> list[str]:
    """The instrument's indices whose items were all asked (one manager question: none)."""
    section = report.questionnaire.section(ins.id) if report.questionnaire else None
    return list(section.indices) if section else [ix.id for ix in ins.indices]


def _intro(report: ReportText, ins: Instrument) -> list:
    out = [Paragraph(ins.intro(report.lang))] if ins.intro else []
    column = next(iter(ins.audience)) if ins.audience else ""
    suffix = f"_{column}" if column in ("patient_contact", "role") else ""
    if ins.audience and ins.id in report.data.audiences:
        out.append(Paragraph(report.t(f"audience_count{suffix}",
                                      n=fmt_int(report.data.audiences[ins.id], report.lang)),
                             "audience-count"))
    gaps = getattr(report, "audience_gaps", {}).get(ins.id)
    if gaps:  # the top report says once which units have no such section
        from hme_core.report.questionnaire_view import audience_gap_text

        out.append(Paragraph(audience_gap_text([name for _u, name in gaps], report.t,
                                               f"audience_none_units{suffix}"),
                             "audience-count"))
    return out


def _comparison(report: ReportText, index_ids: list[str]) -> pd.DataFrame:
    return report.comparison_rows(tuple(index_ids))


def _index_chart(report: ReportText, index_ids: list[str], title: str) -> Chart | None:
    comp = _comparison(report, index_ids)
    if comp.empty or comp["value"].isna().all():
        return None
    fig_data = comp.assign(index=comp["index"].map(report.index_label))[
        ["series", "series_kind", "index", "value"]]
    alt = report.t("index_chart_alt", unit=report.data.name, values=", ".join(
        f"{report.index_label(r['index'])} {report.num(r['value'])}"
        for _, r in comp[comp["series_kind"] == "unit"].iterrows()))
    return plots.index_chart(fig_data, report.lang, f"{title}. {alt}")


def _series_table(report: ReportText, index_ids: list[str], caption: str) -> list:
    """Indices (rows) × the unit, the level above, the top and last year, plus the change
    (the chart above shows every level and year)."""
    comp = _comparison(report, index_ids)
    kinds = comp.drop_duplicates("series")[["series", "series_kind"]]
    anc = kinds.loc[kinds["series_kind"] == "ancestor", "series"].tolist()
    prev = kinds.loc[kinds["series_kind"] == "previous", "series"].tolist()
    series = [*kinds.loc[kinds["series_kind"] == "unit", "series"], *anc[:1], *anc[1:][-1:],
              *prev[:1]]
    cells = report.cells(comp, ("series", "index"))
    changes = report.data.changes
    diffs = dict(zip(changes["index"], changes["diff"], strict=True)) if len(changes) else {}
    marks = HiddenMarks(report.lang)
    rows = []
    for ix in index_ids:
        diff = diffs.get(ix, np.nan)
        rows.append([report.index_label(ix), *(report.value_cell(cells, (s, ix), marks)
                                               for s in series),
                     fmt_signed(diff, report.dec, report.lang), trend_arrow(diff, report.dec)])
    prev_year = report.data.previous_year
    header = ["", *(str(x).rsplit(" ", 1)[0] if k < len(series) - bool(prev) else str(prev_year)
                   for k, x in enumerate(series)), report.t("diff"), report.t("trend")]
    return [Table(header, rows, caption=caption,
                  numeric=[False, *([True] * len(series)), True, False]), hidden_note(marks)]


def indices_html(report: ReportText, ins: Instrument) -> list:
    """Intro, audience count, index chart and table, stoplights and statement indices."""
    ids = _indices(report, ins)
    body = _intro(report, ins)
    if ids:  # a subset of an instrument's items has no index: its statements only
        comp = _comparison(report, ids)
        unit_values = comp.loc[comp["series_kind"] == "unit", "value"]
        if unit_values.isna().all():
            body.append(Notice(report.t("audience_too_few",
                                        n=report.data.settings.min_n_index), "privacy"))
        else:
            body.append(_index_chart(report, ids, ins.name(report.lang)))
        body += _series_table(report, ids, report.t("comparison_heading"))
    return body + report.statement_blocks(ins)


def dimensions_html(report: ReportText, ins: Instrument) -> list:
    """Dimension chart and table, then each dimension's themes compared upward and with
    last year (0 lowest, 100 highest whatever the wording)."""
    asked = set(_indices(report, ins))
    dims = [ix for ix in ins.indices if ix.themes and ix.id in asked]
    body = _intro(report, ins)
    body.append(_index_chart(report, [ix.id for ix in dims], report.t("dimensions_heading")))
    body += _series_table(report, [ix.id for ix in dims], report.t("dimensions_heading"))
    for dim in dims:
        title = dim.name(report.lang)
        themes = [th for th in dim.themes if th in asked]
        body.append(Group([Heading(title, 3), _index_chart(report, themes, title),
                           *_series_table(report, themes,
                                          report.t("themes_of", name=title))], "dimension"))
    return [*body, Paragraph(report.t("reversed_rule"), "footnote")]


def shares_html(report: ReportText, ins: Instrument) -> list:
    """Per question: the share answering each option (first option, e.g. "Ja", as the
    headline) for every stored year with n, and the change from last year; definitions below.
    A share is a distribution: it is shown only where the disclosure rules publish it."""
    d = report.data
    hist = d.distribution_history
    years = sorted({*(hist["year"].unique().tolist() if len(hist) else []), d.year})
    code = ins.scale.codes[0]
    label = ins.scale.label(code, report.lang)
    rows = []
    marks = HiddenMarks(report.lang)
    limit = d.settings.min_n_distribution
    st = report.statement_rows
    asked = report.asked(ins)
    headline: dict[tuple[str, int], tuple[float, float]] = {}  # (item, year): (share, n)
    if len(hist):
        part = hist[hist["code"] == code]
        keys = zip(part["item"].astype(str), part["year"].astype(int), strict=True)
        for key, share, n in zip(keys, part["share"], part["n"], strict=True):
            headline.setdefault(key, (share, n))
    for item in (ins.item(i) for i in asked):
        cells = []
        for y in years:
            if (item.id, y) in headline:
                share, n = headline[(item.id, y)]
                cells.append(f"{fmt_percent(share, 1, report.lang)} "
                             f"(n {fmt_int(n, report.lang)})")
            elif y == d.year:
                n = st[item.id]["n"] if item.id in st else 0
                stored = st[item.id]["suppression"] if item.id in st else ""
                why = reason_for(n, limit, stored if isinstance(stored, str) else None)
                cells.append(marks.dash(why, d.settings.min_n_category if why == "category"
                                        else limit))
            else:
                cells.append(marks.dash("earlier"))
        now = headline.get((item.id, d.year), (np.nan,))[0]
        before = (headline.get((item.id, d.previous_year), (np.nan,))[0] if d.previous_year
                  else np.nan)
        diff = 100 * (now - before)
        rows.append([report.statement_text(item.id), *cells,
                     fmt_signed(diff, report.dec, report.lang), trend_arrow(diff, report.dec)])
    header = [report.t("question"), *(str(y) for y in years), report.t("diff_points"),
              report.t("trend")]
    body = _intro(report, ins)
    body += report._stoplight(asked, ins.name(report.lang))  # this year's shares, by meaning
    # the question wide, each year's "7,1 % (n 384)" free to wrap after the share
    body += [Table(header, rows, caption=report.t("share_answering", label=label),
                   numeric=[False, *([True] * len(years)), True, False],
                   widths=["2.4fr", *(["1fr"] * len(years)), "auto", "auto"]),
             hidden_note(marks)]
    definitions = [i for i in ins.items if i.definition and i.id in set(asked)]
    if definitions:
        body += [Heading(report.t("definitions"), 3), DefinitionList(
            [(report.statement_text(i.id), i.definition(report.lang)) for i in definitions])]
    return body
