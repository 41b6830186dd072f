"""The report sections people write: analysis, escalations, follow-up and targets.

`load_context` reads what those sections need: the unit's narrative of the report year and of
the previous survey year, the narratives of its child units (their "raise to a higher level"
items, see docs/sources.md), and its targets followed up over the years. The HTML
builders take a `ReportText` for texts and number formatting. Narrative text only ever reaches
the page through `narratives.markdown` (Markdown without raw HTML, then an allow-list sanitiser);
numbers only through the formatters, which print '–' for a suppressed (NaN) value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hme_core.instruments import InstrumentSet, load_instruments
from hme_core.narratives.files import (
    QUESTION_KEYS,
    Action,
    Narrative,
    outside_lists,
    read_narrative,
)
from hme_core.narratives.markdown import render_inline, render_markdown
from hme_core.narratives.targets import TargetResult, evaluate_targets, load_targets
from hme_core.orgtree import children
from hme_core.report.html import bullet_list, esc, paragraph, section, table
from hme_core.report.text import ReportText
from hme_core.store.duckdb_store import Store
from hme_core.unit_files import folder_name, narrative_path, narratives_dir

ANALYSIS_QUESTIONS = tuple((key, *QUESTION_KEYS[key]) for key in ("keep", "improve", "escalate"))


@dataclass
class NarrativeContext:
    """What the written sections of one unit's report read from `params/` and the store."""

    year: int
    unit: str
    path: Path
    narrative: Narrative | None
    previous_year: int | None = None
    previous: Narrative | None = None
    children: list[tuple[str, Narrative | None]] = field(default_factory=list)  # (name, file)
    targets: list[TargetResult] = field(default_factory=list)  # the unit's own
    unit_targets: list[TargetResult] = field(default_factory=list)  # root: every other unit's
    year_has_narratives: bool = False  # params/narratives/<year>/ exists
    previous_year_has_narratives: bool = False

    @property
    def has_narrative(self) -> bool:
        return self.narrative is not None and self.narrative.has_text


def load_context(db: Path, year: int, unit: str, previous_year: int | None,
                 decimals: int = 1, instruments: InstrumentSet | None = None) -> NarrativeContext:
    """Read the narratives (this year, last survey year, child units) and evaluate targets
    (`instruments`: the report's, read from params/ when not given)."""
    with Store.open(db, read_only=True) as store:
        org = store.load_org(year)
        names = org.set_index("unit")["name"].astype(str)
        kids = children(org, unit)
        # only the folders read here: a unit's folder name depends on its own code and name
        folders = {u: folder_name(u, names[u]) for u in (unit, *kids)}
        path = narrative_path(year, unit, folders)
        ctx = NarrativeContext(year, unit, path, read_narrative(path), previous_year)
        ctx.year_has_narratives = narratives_dir(year).is_dir()
        if previous_year is not None:
            ctx.previous_year_has_narratives = narratives_dir(previous_year).is_dir()
            before = store.load_org(previous_year)
            if unit in set(before["unit"]):
                name_before = str(before.loc[before["unit"] == unit, "name"].iloc[0])
                ctx.previous = read_narrative(narrative_path(
                    previous_year, unit, {unit: folder_name(unit, name_before)}))
        for child in sorted(kids):  # tree order: siblings by unit code (`orgtree.tree_order`)
            ctx.children.append((names[child],
                                 read_narrative(narrative_path(year, child, folders))))
        targets = load_targets(instruments=instruments or load_instruments())
        is_root = org.loc[org["unit"] == unit, "parent"].isna().all()
        results = evaluate_targets(store, targets, year, decimals,
                                   units=None if is_root else [unit])
        ctx.targets = [r for r in results if r.unit == unit]
        ctx.unit_targets = [r for r in results if r.unit != unit]
    return ctx


# ---- analysis (the unit's own narrative, or prompts and suggestions) --------------------
def _prompts(report: ReportText, key: str, n: int) -> str:
    return bullet_list([report.t(f"{key}_q{i}") for i in range(1, n + 1)], "prompts")


def suggestions_html(report: ReportText, suggestions: dict[str, list[str]]) -> str:
    boxes = "".join(
        f'<div class="starting-point"><h4>{esc(report.t(kind))}</h4>{bullet_list(lines)}</div>'
        for kind, lines in suggestions.items() if lines)
    if not boxes:
        return ""
    return (f'<div class="suggestions"><h3>{esc(report.t("suggestions_heading"))}</h3>'
            f'<div class="starting-points">{boxes}</div></div>')


def actions_table(report: ReportText, actions: list[Action], year: int,
                  done_now: set[str] | None = None, caption: str | None = None) -> str:
    """Action, owner, due year and status; overdue when the due year is before `year`."""
    rows = []
    for a in actions:
        done = a.done or a.text.casefold() in (done_now or set())
        status = ("action_done" if done else "action_overdue"
                  if a.due is not None and a.due < year else "action_open")
        rows.append([a.text, a.owner or "–", str(a.due) if a.due else "–", report.t(status)])
    return table([report.t("action"), report.t("action_owner"), report.t("action_due"),
                  report.t("action_status")], rows, caption=caption,
                 numeric=[False, False, True, False])


@dataclass(frozen=True)
class WrittenSection:
    """A section of the unit's own narrative as the report shows it: `kind` is 'summary'
    (shown first), 'recognised' (an analysis question or the action plan) or 'free' (a
    heading of HR's own, shown under its title); `html` is sanitised."""

    title: str
    html: str
    kind: str


def written_sections(report: ReportText, ctx: NarrativeContext) -> list[WrittenSection]:
    """Everything HR wrote in the unit's file, in report order: the summary, the text above
    the first section, the recognised sections, then the free ones in file order."""
    n = ctx.narrative
    if n is None:
        return []
    out = []
    if n.summary.strip():
        out.append(WrittenSection(report.t("summary_heading"), render_markdown(n.summary),
                                  "summary"))
    if n.intro.strip():
        out.append(WrittenSection("", render_markdown(n.intro), "recognised"))
    for key, text_key, _n in (*ANALYSIS_QUESTIONS, ("actions", "narrative_actions", 0)):
        if n.text(key).strip():
            out.append(WrittenSection(report.t(text_key), render_markdown(n.text(key)),
                                      "recognised"))
    out += [WrittenSection(title, render_markdown(text), "free")
            for title, text in n.free if text.strip()]
    return out


def summary_html(report: ReportText, ctx: NarrativeContext) -> str:
    """The unit's own summary ('## Sammanfattning'), the report's first written section."""
    summary = ctx.narrative.summary.strip() if ctx.narrative else ""
    if not summary:
        return ""
    return section(report.t("summary_heading"),
                   f'<div class="narrative">{render_markdown(summary)}</div>', "summary")


def free_sections_html(ctx: NarrativeContext) -> str:
    """Each heading of HR's own as a section of its own, under its title as written."""
    if ctx.narrative is None:
        return ""
    return "".join(section(title, f'<div class="narrative">{render_markdown(text)}</div>',
                           "narrative-free")
                   for title, text in ctx.narrative.free if text.strip())


def analysis_html(report: ReportText, ctx: NarrativeContext,
                  starting_points: dict[str, list[str]]) -> str:
    """The three analysis questions (docs/sources.md) with the unit's answers, or prompts;
    then every free section of the unit's file as a section of its own."""
    parts: list[str] = []
    if ctx.has_narrative:
        parts.append(paragraph(report.t("analysis_narrative_intro")))
        if ctx.narrative.intro.strip():
            parts.append(f'<div class="narrative">{render_markdown(ctx.narrative.intro)}</div>')
    else:
        parts.append(paragraph(report.t("analysis_no_narrative")))
        parts.append(suggestions_html(report, starting_points))
    for key, text_key, n in ANALYSIS_QUESTIONS:
        own = ctx.narrative.text(key).strip() if ctx.narrative else ""
        if own:
            body = f'<div class="narrative">{render_markdown(own)}</div>'
        elif ctx.has_narrative:
            body = paragraph(report.t("analysis_not_written"), "muted") + _prompts(
                report, text_key, n)
        else:
            body = _prompts(report, text_key, n)
        parts.append(f'<div class="analysis-question"><h3>{esc(report.t(text_key))}</h3>'
                     f"{body}</div>")
    if ctx.narrative is not None:
        actions = ctx.narrative.actions
        above, below = outside_lists(ctx.narrative.text("actions"))
        if actions or above.strip() or below.strip():
            parts.append(f'<h3>{esc(report.t("narrative_actions"))}</h3>')
        if above.strip():
            parts.append(f'<div class="narrative">{render_markdown(above)}</div>')
        if actions:
            parts.append(actions_table(report, actions, ctx.year))
        if below.strip():
            parts.append(f'<div class="narrative">{render_markdown(below)}</div>')
    return section(report.t("analysis_heading"), "".join(parts), "analysis") + \
        free_sections_html(ctx)


# ---- escalations from child units --------------------------------------------------------
def escalations_html(report: ReportText, ctx: NarrativeContext) -> str:
    """Every child unit's "raise to a higher level" items, attributed by the child's name."""
    if not any(narrative is not None for _name, narrative in ctx.children):
        return ""  # shown once a child unit has a file: no other unit's file changes it
    blocks = []
    for name, narrative in ctx.children:
        items = narrative.escalations if narrative else []
        if items:
            lis = "".join(f"<li>{render_inline(i)}</li>" for i in items)
            blocks.append(f'<div class="escalation"><h3>{esc(name)}</h3>'
                          f'<ul class="escalated">{lis}</ul></div>')
    body = paragraph(report.t("escalations_intro", year=ctx.year)) + (
        "".join(blocks) or paragraph(report.t("escalations_none"), "muted"))
    return section(report.t("escalations_heading"), body, "escalations")


# ---- follow-up of last year's actions ----------------------------------------------------
def followup_html(report: ReportText, ctx: NarrativeContext) -> str:
    """Open actions of the previous survey year's narrative; done if ticked in this year's."""
    if ctx.previous_year is None or ctx.previous is None:
        return ""  # the unit's own file of that year only: no other unit's file changes it
    title = report.t("followup_heading", year=ctx.previous_year)
    still_open = [a for a in ctx.previous.actions if not a.done]
    if not still_open:
        body = paragraph(report.t("followup_none", year=ctx.previous_year), "muted")
        return section(title, body, "followup")
    done_now = {a.text.casefold() for a in (ctx.narrative.actions if ctx.narrative else [])
                if a.done}
    body = (paragraph(report.t("followup_intro", year=ctx.previous_year))
            + actions_table(report, still_open, ctx.year, done_now))
    return section(title, body, "followup")


# ---- targets -------------------------------------------------------------------------------
def indicator_label(report: ReportText, result: TargetResult) -> str:
    tg = result.target
    if tg.label:
        return tg.label
    ids = {ix.id for ins in report.instruments for ix in ins.indices}
    label = report.index_label(tg.indicator) if tg.indicator in ids else (
        f"{tg.indicator}: {report.statement_text(tg.indicator)}")
    if tg.group is not None:
        label += f" – {report.group_label(tg.group.variable, tg.group.group)}"
    return label


def _target_row(report: ReportText, r: TargetResult, with_unit: bool) -> list[str]:
    tg = r.target
    if tg.target is not None:
        goal = report.num(tg.target)
        if tg.target_year:
            goal = report.t("target_by", value=goal, year=tg.target_year)
    else:
        goal = report.t(f"target_{tg.direction}")
    baseline = report.t("target_by", value=report.num(r.baseline), year=tg.baseline.year)
    series = " · ".join(f"{int(y)}: {report.num(v)}"
                        for y, v in zip(r.series["year"], r.series["value"], strict=True))
    row = [indicator_label(report, r), goal, baseline, report.num(r.current),
           report.t(f"status_{r.status}"), series]
    return [r.unit_name, *row] if with_unit else row


def _targets_table(report: ReportText, results: list[TargetResult], caption: str,
                   with_unit: bool) -> str:
    header = [report.t("target_indicator"), report.t("target_value"),
              report.t("target_baseline_col"), report.t("target_current", year=report.data.year),
              report.t("target_status"), report.t("target_series")]
    numeric = [False, True, True, True, False, False]
    if with_unit:
        header, numeric = [report.t("target_unit"), *header], [False, *numeric]
    return table(header, [_target_row(report, r, with_unit) for r in results], caption=caption,
                 numeric=numeric)


def targets_html(report: ReportText, ctx: NarrativeContext) -> str:
    """The unit's own targets; the top unit also gets every unit's targets in one table."""
    if not ctx.targets and not ctx.unit_targets:
        return ""
    root = report.data.level == 1
    parts = []
    if ctx.targets:
        caption = report.t("targets_org_caption" if root else "targets_unit_caption")
        parts.append(_targets_table(report, ctx.targets, caption, with_unit=False))
    if ctx.unit_targets:
        parts.append(_targets_table(report, ctx.unit_targets,
                                    report.t("targets_units_caption"), with_unit=True))
    parts.append(paragraph(report.t("targets_rule"), "footnote"))
    return section(report.t("targets_heading"), "".join(parts), "targets")
