"""The key numbers beside the HR partner's text: one unit's published values, as HTML.

Everything comes from `results.unit_data.ReportData` (the stored, published results the report
reads: a suppressed cell is NaN there and prints as '–'; a suppressed unit shows the reason and
no number) and `narratives.suggestions` (the data's suggestions, as in the narrative files):

- HME and its subindices for the unit, each level above it and the unit's earlier years
  (the report's comparison, docs/sources.md, Reference vendor report);
- the statements that stand out: the unit's strongest and weakest HME statements, with the
  level above and last year;
- eNPS for the unit, the levels above and last year;
- the data's suggestions, grouped as in the report.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from hme_core.i18n import fmt_int, fmt_number, fmt_percent, fmt_signed, t
from hme_core.instruments import InstrumentSet
from hme_core.narratives.suggestions import SuggestionRules, data_suggestions, load_rules
from hme_core.results.unit_data import ReportData
from hme_core.vocabulary import HME_INDICES


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table(caption: str, header: list[str], rows: list[list[str]], row_head: bool = True) -> str:
    """A small accessible table: a caption, column headers, the first cell of a row its header."""
    head = "".join(f'<th scope="col">{_esc(h)}</th>' for h in header)
    body = "".join(
        "<tr>" + "".join(
            (f'<th scope="row">{_esc(c)}</th>' if i == 0 and row_head
             else f'<td class="{"num" if i else ""}">{_esc(c)}</td>')
            for i, c in enumerate(row)) + "</tr>"
        for row in rows)
    # a wide table scrolls in a region a keyboard can reach (WCAG 2.1.1)
    return (f'<div class="hme-page-scroll" tabindex="0" role="region" aria-label="{_esc(caption)}">'
            f'<table class="hme-page-table"><caption>{_esc(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def index_rows(data: ReportData, instruments: InstrumentSet, lang: str) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of HME and its subindices: the unit, each level above, earlier years."""
    comp = data.comparison[data.comparison["index"].isin(HME_INDICES)]
    header = ["", *(instruments.index_name(ix, lang) for ix in HME_INDICES)]
    rows = []
    for series, part in comp.groupby("series", sort=False):
        values = part.set_index("index")["value"]
        rows.append([str(series), *(fmt_number(values.get(ix, np.nan), data.settings.decimals,
                                                lang) for ix in HME_INDICES)])
    return header, rows


def standout_rows(data: ReportData, instruments: InstrumentSet, lang: str,
                  n: int = 3) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """(header, highest, lowest): the `n` strongest and the `n` weakest published HME statements
    of the unit (each highest first), with the level above, last year and the change."""
    st = data.statements
    hme = (st[(st["instrument"] == "hme") & st["value"].notna()].sort_values("value", ascending=False)
           if len(st) else st)
    if hme.empty:
        return [], [], []
    dec, org = data.settings.decimals, data.settings.organisation_name
    parent = data.path[-2] if len(data.path) > 1 else ""
    header = [t("page_statement", lang), t("page_unit_value", lang),
              parent or t("page_parent", lang),
              str(data.previous_year) if data.previous_year else t("page_last_year", lang),
              t("diff", lang)]

    def rows(part: pd.DataFrame) -> list[list[str]]:
        return [[instruments.instrument_of_item(str(r.item)).item(str(r.item)).text(lang, org),
                 fmt_number(r.value, dec, lang), fmt_number(r.parent_value, dec, lang),
                 fmt_number(r.previous, dec, lang), fmt_signed(r.diff, dec, lang)]
                for r in part.itertuples()]

    top = hme.head(n)
    return header, rows(top), rows(hme.iloc[len(top):].tail(n))


def enps_rows(data: ReportData, lang: str) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of eNPS: the unit, each level above, earlier years (n is public)."""
    e = data.enps
    if e.empty:
        return [], []
    header = ["", "n", "eNPS"]
    rows = [[str(r.series), fmt_int(r.n, lang), fmt_number(r.enps, data.settings.decimals, lang)]
            for r in e.itertuples()]
    return header, rows


def key_numbers_html(data: ReportData, instruments: InstrumentSet, lang: str = "sv") -> str:
    """The unit's heading, participation, HME, standout statements and eNPS, as HTML. A suppressed
    unit gets the reason instead of any value (its counts are public, as on the report's cover)."""
    d = data
    parts = [f'<h2 id="unit-heading">{_esc(d.name)} {d.year}</h2>']
    if len(d.path) > 1:
        parts.append(f'<p class="hme-page-path">{_esc(" › ".join(d.path[:-1]))}</p>')
    parts.append(
        f'<p>{_esc(t("responses", lang))}: {_esc(fmt_int(d.respondents, lang))} · '
        f'{_esc(t("employees", lang))}: {_esc(fmt_int(d.employees, lang))} · '
        f'{_esc(t("response_rate", lang))}: '
        f'{_esc(fmt_percent(d.response_rate, d.settings.decimals, lang))}</p>')
    if d.suppressed:
        parts.append(f'<p class="hme-page-notice">{_esc(t("suppressed", lang, n=d.settings.min_n_index))}</p>')
        return "".join(parts)
    header, rows = index_rows(d, instruments, lang)
    if rows:
        parts.append(f'<h3>{_esc(t("hme_name", lang))}</h3>'
                     + _table(t("comparison_heading", lang), header, rows))
    header, high, low = standout_rows(d, instruments, lang)
    if high:
        parts.append(f'<h3>{_esc(t("page_standout", lang))}</h3>'
                     + _table(t("page_standout_high", lang), header, high)
                     + (_table(t("page_standout_low", lang), header, low) if low else ""))
    header, rows = enps_rows(d, lang)
    if rows:
        parts.append(f'<h3>{_esc(t("enps_heading", lang))}</h3>'
                     + _table(t("comparison_heading", lang), header, rows))
    parts.append(f'<p class="hme-page-note">{_esc(t("page_dash_note", lang))}</p>')
    return "".join(parts)


def suggestions_html(data: ReportData, instruments: InstrumentSet, lang: str = "sv",
                     rules: SuggestionRules | None = None) -> str:
    """The data's suggestions by kind (the lines `hme narratives init` writes as comments)."""
    found = data_suggestions(data, instruments, lang, rules or load_rules())
    if not found:
        return ""
    blocks = "".join(
        f"<h4>{_esc(t(kind, lang))}</h4><ul>" + "".join(f"<li>{_esc(s)}</li>" for s in lines)
        + "</ul>" for kind, lines in found.items())
    return f'<h3>{_esc(t("suggestions_heading", lang))}</h3>{blocks}'
