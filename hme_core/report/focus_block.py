"""The "Förslag på fokusområden" block of a unit's report (the ranking: `narratives/focus.py`).

In the analysis section of a leaf unit's report, and beside the management-dialogue questions
in a report of a unit with units below it. Tables give, per statement or theme, the numbers
that put it there; one sentence under them says what the ranking does and does not mean.
Nothing for a unit whose values are hidden (no block is computed for it). Built as document
blocks (`report/document.py`), so the page and the PDF show the same.
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
from hme_core.report.document import Group, Heading, Paragraph, Table

NUMERIC = [False, True, True, True, True, True]
#: The PDF's column widths: statements wrap in a wide first column, the headers over the numbers
#: wrap in theirs (with "auto" the long headers would squeeze the statements to a word a line).
WIDTHS = ["26%", "10%", "15%", "15%", "20%", "14%"]


def focus_group(report, block: FocusBlock | None) -> Group | None:
    """The block as document blocks (None without a block)."""
    if block is None:
        return None
    lang, dec = report.lang, report.dec
    org = report.data.settings.organisation_name or ""
    outcome = outcome_label(block.outcome, report.instruments, lang, org)
    basis = weights_basis(block, report.instruments, lang)
    blocks: list = [Heading(report.t("focus_areas"), 3),
                    Paragraph(report.t("focus_intro", outcome=outcome, basis=basis))]
    if block.focus:
        header, rows = focus_table(block.focus, report.instruments, lang, dec, outcome, org)
        blocks.append(Table(header, rows, caption=report.t("focus_table_caption"),
                            numeric=NUMERIC, style="data focus", widths=WIDTHS))
    else:
        none = "focus_none_organisation" if block.is_organisation else "focus_none"
        blocks.append(Paragraph(report.t(none), "muted"))
    if block.strengths:
        header, rows = focus_table(block.strengths, report.instruments, lang, dec, outcome, org)
        blocks.append(Table(header, rows, caption=report.t("focus_strengths"), numeric=NUMERIC,
                            style="data focus", widths=WIDTHS))
    if block.is_organisation and block.drivers:
        rows = [[predictor_label(a, report.instruments, lang, org), fmt_number(a.value, dec, lang),
                 weight_text(a, lang)] for a in block.drivers]
        blocks.append(Table([report.t("focus_col_area"), report.t("focus_col_value"),
                             report.t("focus_col_weight", outcome=outcome)], rows,
                            caption=report.t("focus_drivers"), numeric=[False, True, True],
                            style="data focus", widths=["55%", "15%", "30%"]))
    blocks.append(Paragraph(focus_meaning(block, report.instruments, lang, org), "footnote"))
    # the heading, its introduction and the first table stay on one page (at most 5 rows)
    return Group([Group(blocks[:3], keep=True), *blocks[3:]], "focus-areas analysis-question")
