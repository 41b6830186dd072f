"""The sections people write, as parts of a unit's report: the data's starting points, the
unit's narrative (summary, analysis questions, free sections), escalations from the units below,
follow-up of last year's actions and targets (`narrative_sections` renders them as sanitised
HTML; here they become parts, shown as is in the page and converted for the PDF).

A mixin of `unit_report.UnitReport`, which provides `data`, `instruments`, `lang`, `dec`,
`focus`, `part` and `question_texts`.
"""

from __future__ import annotations

from pathlib import Path

from hme_core.paths import default_db
from hme_core.report.document import Markup
from hme_core.report.focus_block import focus_group
from hme_core.report.narrative_sections import (
    analysis_html,
    escalations_html,
    followup_html,
    load_context,
    suggestions_html,
    summary_html,
    targets_html,
)
from hme_core.report.part import Part


class WrittenParts:
    """The written sections of a unit's report (see the module docstring)."""

    def starting_points(self) -> dict[str, list[str]]:
        """Data-driven starting points for the analysis (`suggestions` has the rules):
        strongest and weakest statements, against the parent and last year, high disagreement,
        low response rate. A suppressed unit gets one line without numbers."""
        from hme_core.narratives.suggestions import data_suggestions

        return data_suggestions(self.data, self.instruments, self.lang,
                                texts=self.question_texts)

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

    def summary_section(self) -> Part:
        """The unit's own summary ('## Sammanfattning' in its narrative), shown first."""
        return self.written(summary_html(self, self._narratives()))

    def analysis_section(self) -> Part:
        """The analysis questions (docs/sources.md) with the unit's narrative (Markdown, sanitised)
        and action plan; without a narrative, the prompts and data-driven suggestions. A leaf
        unit's suggested focus areas follow (other units have them beside the dialogue)."""
        written = self.written(analysis_html(self, self._narratives(), self.starting_points()))
        if not self.data.is_leaf:
            return written
        return self.part(*written.blocks, focus_group(self, self.focus))

    def suggestions_section(self) -> Part:
        """The data-driven suggestions alone (for the narrative workbook)."""
        return self.written(suggestions_html(self, self.starting_points()), level=2)

    def escalations_section(self) -> Part:
        """What the child units raised to this level, attributed; leaf units: none."""
        return self.written(escalations_html(self, self._narratives()))

    def followup_section(self) -> Part:
        """Open actions from the previous survey year's narrative (follow-up)."""
        return self.written(followup_html(self, self._narratives()))

    def targets_section(self) -> Part:
        """Targets, baseline, current value, status and series (docs/sources.md); the top unit also
        lists every unit's targets. Suppressed values say "not measurable" and show none."""
        return self.written(targets_html(self, self._narratives()))

    def written(self, html: str, level: int = 1) -> Part:
        """A written section's sanitised HTML (`narrative_sections`) as a part: shown as is in
        the page, converted for the PDF (`report.markup_typst`, headings kept in sequence
        below `level`)."""
        return self.part(Markup(html, level)) if html else self.part()
