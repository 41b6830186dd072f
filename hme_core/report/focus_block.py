"""The "Förslag på fokusområden" block of a unit's report (the ranking: `narratives/focus.py`).

In the analysis section of a leaf unit's report, and beside the management-dialogue questions
in a report of a unit with units below it. Tables give, per statement or theme, the numbers
that put it there; one sentence under them says what the ranking does and does not mean.
Nothing for a unit whose values are hidden (no block is computed for it).
"""

from __future__ import annotations

from hme_core.i18n import fmt_number
from hme_core.narratives.focus import (
    FocusBlock,
    focus_meaning,
    focus_table,
    outcome_label,
    predictor_label,
    weight_text,
    weights_basis,
)
from hme_core.report.html import esc, paragraph, table

NUMERIC = [False, True, True, True, True, True]


def focus_html(report, block: FocusBlock | None) -> str:
    """The block as HTML ('' without a block)."""
    if block is None:
        return ""
    lang, dec = report.lang, report.dec
    org = report.data.settings.organisation_name or ""
    outcome = outcome_label(block.outcome, report.instruments, lang, org)
    basis = weights_basis(block, report.instruments, lang)
    parts = [paragraph(report.t("focus_intro", outcome=outcome, basis=basis))]
    if block.focus:
        header, rows = focus_table(block.focus, report.instruments, lang, dec, outcome, org)
        parts.append(table(header, rows, caption=report.t("focus_table_caption"), numeric=NUMERIC,
                           css_class="data focus"))
    else:
        none = "focus_none_organisation" if block.is_organisation else "focus_none"
        parts.append(paragraph(report.t(none), "muted"))
    if block.strengths:
        header, rows = focus_table(block.strengths, report.instruments, lang, dec, outcome, org)
        parts.append(table(header, rows, caption=report.t("focus_strengths"), numeric=NUMERIC,
                           css_class="data focus"))
    if block.is_organisation and block.drivers:
        rows = [[predictor_label(a, report.instruments, lang, org), fmt_number(a.value, dec, lang),
                 weight_text(a, lang)] for a in block.drivers]
        parts.append(table([report.t("focus_col_area"), report.t("focus_col_value"),
                            report.t("focus_col_weight", outcome=outcome)], rows,
                           caption=report.t("focus_drivers"), numeric=[False, True, True],
                           css_class="data focus"))
    parts.append(paragraph(focus_meaning(block, report.instruments, lang, org), "footnote"))
    return (f'<div class="focus-areas analysis-question"><h3>{esc(report.t("focus_areas"))}'
            f'</h3>{"".join(parts)}</div>')
