"""The HR partner's page as ipywidgets (shown by Voilà from notebooks/narrative_page.ipynb).

Layout, top to bottom: search and org tree; the unit's key numbers and the data's suggestions
(`page.numbers`); one text area per question (summary, keep, improve, raise to a higher level)
and the action plan as rows (action, owner, due year, done); Save, Preview and "Render this
unit's report"; then the conflict box, the preview and the report links. All logic is in
`page.units`, `page.numbers` and `page.form`; this module only wires widgets to it.

Accessibility (WCAG 2.1 AA): every field has a visible label tied to it (ipywidgets' description),
headings in order, buttons with text, colours with at least 4.5:1 contrast, messages in a
status region.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import ipywidgets as w

from hme_core.errors import HMEError
from hme_core.i18n import fmt_number, t
from hme_core.narratives.files import Action
from hme_core.page.form import (
    TEXT_SECTIONS,
    Form,
    SaveConflict,
    load_form,
    preview_html,
    render_reports,
    report_css,
    save_form,
)
from hme_core.page.numbers import key_numbers_html, suggestions_html
from hme_core.page.units import search_units, unit_choices
from hme_core.paths import default_db, outputs_dir
from hme_core.store.duckdb_store import Store
from hme_core.unit_files import unit_folders

QUESTION_TEXT = {"summary": "page_summary", "keep": "analysis_keep", "improve": "analysis_improve",
                 "escalate": "analysis_escalate"}
BUTTON = {"button_color": "#1d4f91", "text_color": "#ffffff"}  # 8.6:1
FULL = w.Layout(width="100%")
STYLE = """<style>
.hme-page { max-width: 1400px; font-size: 15px; color: #1a1a1a; }
.hme-page h1 { font-size: 1.6em; margin: .4em 0; }
.hme-page table.hme-page-table { border-collapse: collapse; margin: .3em 0 1em; }
.hme-page table.hme-page-table caption { text-align: left; font-style: italic; color: #333; }
.hme-page table.hme-page-table th, .hme-page table.hme-page-table td {
  border-bottom: 1px solid #bbb; padding: 2px 8px; text-align: left; }
.hme-page table.hme-page-table td.num { text-align: right; }
.hme-page .hme-page-notice, .hme-page .hme-page-error { background: #fff4e5; padding: .5em;
  border-left: 4px solid #8a4b00; }
.hme-page .hme-page-ok { background: #e8f5e9; padding: .5em; border-left: 4px solid #1b5e20; }
.hme-page .widget-label, .hme-page label { color: #1a1a1a; }
.hme-page .hme-column label.widget-label { width: 100% !important; max-width: none;
  text-align: left; font-weight: 600; }
.hme-page .hme-numbers { flex: 1 1 480px; min-width: 0; padding-right: 1.5em; }
.hme-page .hme-page-scroll { overflow-x: auto; max-width: 100%; }
.hme-page table.hme-page-table { font-size: .93em; }
.hme-page .hme-editor { flex: 1 1 560px; min-width: 0; }
.hme-page textarea { font-size: 15px; box-sizing: border-box; }
.hme-page .hme-conflict textarea { font-size: 13px; width: 100%; }
.hme-page .hme-tree select { width: 100%; min-width: 0; box-sizing: border-box; }
.hme-page .widget-html, .hme-page .widget-html-content { max-width: 100%; }
.hme-page .widget-html-content { white-space: normal; line-height: 1.45; overflow-wrap: break-word; }
.hme-page table.hme-page-table td.num { white-space: nowrap; }
.hme-page .hme-column { box-sizing: border-box; max-width: 100%; }
.hme-page button { margin: 0 .5em .3em 0; }
.hme-page a { color: #0b4f9c; }
</style>"""


def _status(kind: str, text: str) -> str:
    return (f'<div role="status" aria-live="polite" class="hme-page-{kind}">'
            f"{html.escape(text)}</div>")


class NarrativePage:
    """The whole page for one year; `show()` returns the widget to display."""

    def __init__(self, year: int | None = None, db: Path | None = None, lang: str = "sv",
                 token: str = ""):
        self.db = Path(db) if db else default_db()
        self.lang, self.token = lang, token
        with Store.open(self.db, read_only=True) as store:
            years = store.years()
            if not years:
                raise HMEError(f"{self.db}: no survey year stored; run hme ingest first")
            self.year = int(year) if year else max(years)
            if self.year not in years:
                raise HMEError(f"{self.db}: year {self.year} is not in the store (years: {years})")
            store.require_current_results(self.year)
            self.org = store.load_org(self.year)
        self.folders = unit_folders(self.org)
        self.choices = unit_choices(self.org)
        self.by_code = {c.code: c for c in self.choices}
        self.form: Form | None = None
        self.report = self.context = None
        self._build()

    @classmethod
    def from_environment(cls) -> NarrativePage:
        """The page `hme narratives serve` asked for (year, store, language and token in the
        environment of the Voilà kernel)."""
        env = os.environ
        return cls(int(env["HME_PAGE_YEAR"]) if env.get("HME_PAGE_YEAR") else None,
                   Path(env["HME_PAGE_DB"]) if env.get("HME_PAGE_DB") else None,
                   env.get("HME_PAGE_LANG", "sv"), env.get("HME_PAGE_TOKEN", ""))

    def tx(self, key: str, **fmt) -> str:
        return t(key, self.lang, **fmt)

    # ---- widgets ------------------------------------------------------------------------
    def _build(self) -> None:
        tx = self.tx
        self.search = w.Text(description=tx("page_search"), placeholder=tx("page_search_hint"),
                             continuous_update=True, style={"description_width": "initial"},
                             layout=w.Layout(width="100%", max_width="460px"))
        self.tree = w.Select(options=[(c.label, c.code) for c in self.choices], value=None,
                             rows=10, description=tx("page_tree"),
                             style={"description_width": "initial"},
                             layout=w.Layout(width="100%", flex_flow="column"))
        self.tree.add_class("hme-column")
        self.search.add_class("hme-search")
        self.tree.add_class("hme-tree")
        self.numbers = w.HTML()
        self.suggestions = w.HTML()
        self.texts = {k: w.Textarea(description=tx(QUESTION_TEXT[k]), rows=5,
                                    style={"description_width": "initial"},
                                    layout=w.Layout(width="98%", flex_flow="column"))
                      for k in TEXT_SECTIONS}
        for k, area in self.texts.items():
            area.add_class("hme-column")
            area.add_class(f"hme-text-{k}")
        self.actions_note = w.Textarea(description=tx("page_actions_note"), rows=2,
                                       style={"description_width": "initial"},
                                       layout=w.Layout(width="98%", flex_flow="column"))
        self.actions_note.add_class("hme-column")
        self.actions_after = w.Textarea(description=tx("page_actions_after"), rows=2,
                                        style={"description_width": "initial"},
                                        layout=w.Layout(width="98%", flex_flow="column"))
        self.actions_after.add_class("hme-column")
        self.rows_box = w.VBox()
        self.rows: list[tuple[w.Text, w.Text, w.Text, w.Checkbox]] = []
        self.add_row = self._button(tx("page_add_action"), "hme-add-action", self._on_add_row)
        self.save = self._button(tx("page_save"), "hme-save", lambda _: self.on_save())
        self.preview_button = self._button(tx("page_preview"), "hme-preview",
                                           lambda _: self.on_preview())
        self.render = self._button(tx("page_render"), "hme-render", lambda _: self.on_render())
        self.revert = self._button(tx("page_revert"), "hme-revert", lambda _: self.on_revert())
        self.status = w.HTML(_status("note", tx("page_choose_unit")))
        self.status.add_class("hme-status")
        self.conflict = w.VBox()
        self.conflict.add_class("hme-conflict")
        self.preview = w.HTML()
        self.preview.add_class("hme-preview-frame")
        self.links = w.HTML()
        self.links.add_class("hme-links")
        self.kept = w.HTML()
        self.editor = w.VBox([
            w.HTML(f"<h2>{html.escape(tx('page_write_heading'))}</h2>"), self.kept,
            *self.texts.values(),
            w.HTML(f"<h3>{html.escape(tx('narrative_actions'))}</h3>"),
            self.actions_note, self.rows_box, w.HBox([self.add_row]), self.actions_after,
            w.HBox([self.save, self.preview_button, self.render, self.revert],
                   layout=w.Layout(flex_flow="row wrap", margin="1em 0")),
            self.conflict, self.preview, self.links,
        ], layout=w.Layout(display="none"))
        self.editor.add_class("hme-editor")
        numbers = w.VBox([self.numbers, self.suggestions], layout=w.Layout(overflow="visible"))
        numbers.add_class("hme-numbers")
        self.body = w.HBox([numbers, self.editor], layout=w.Layout(flex_flow="row wrap"))
        self.search.observe(self._on_search, "value")
        self.tree.observe(self._on_pick, "value")
        title = tx("page_title", year=self.year)
        self.root = w.VBox([
            w.HTML(STYLE + f"<h1>{html.escape(title)}</h1>"
                   f"<p>{html.escape(tx('page_intro'))}</p>"),
            self.search, self.tree, self.status, self.body,
        ], layout=w.Layout(padding="0 1em"))
        self.root.add_class("hme-page")

    def _button(self, text: str, css: str, handler) -> w.Button:
        button = w.Button(description=text, style=BUTTON, layout=w.Layout(width="auto"))
        button.add_class(css)
        button.on_click(handler)
        return button

    def show(self) -> w.Widget:
        return self.root

    # ---- choosing a unit --------------------------------------------------------------------
    def _on_search(self, change) -> None:
        found = search_units(self.choices, change["new"])
        current = self.form.unit if self.form else None
        options = [(c.label, c.code) for c in found]
        if current and current not in {c.code for c in found}:  # the open unit stays listed
            options.insert(0, (self.by_code[current].label, current))
        self.tree.unobserve(self._on_pick, "value")
        self.tree.options = options
        self.tree.value = current
        self.tree.observe(self._on_pick, "value")
        self.status.value = _status("note", self.tx("page_found", n=len(found)))

    def _on_pick(self, change) -> None:
        code = change["new"]
        if code is None or (self.form and code == self.form.unit):
            return
        if self.form and self.dirty():
            self.tree.unobserve(self._on_pick, "value")
            self.tree.value = self.form.unit
            self.tree.observe(self._on_pick, "value")
            self.status.value = _status("error", self.tx("page_unsaved", unit=self.form.name))
            return
        try:
            self.open_unit(code)
        except HMEError as exc:  # e.g. the store is being written: say so, keep the page
            self.status.value = _status("error", str(exc))

    def open_unit(self, code: str) -> None:
        """Show `code`'s numbers and suggestions and fill the form from its file."""
        from hme_core.report.narrative_sections import load_context
        from hme_core.report.unit_report import UnitReport

        choice = self.by_code[code]
        self.report = UnitReport.load(self.db, self.year, code, self.lang)
        self.context = load_context(self.db, self.year, code, self.report.data.previous_year,
                                    self.report.dec, self.report.instruments)
        data, ins = self.report.data, self.report.instruments
        self.numbers.value = key_numbers_html(data, ins, self.lang)
        self.suggestions.value = suggestions_html(data, ins, self.lang)
        self.fill(load_form(self.year, code, choice.name, self.folders, self.lang))
        self.editor.layout.display = "flex"
        self.conflict.children, self.preview.value, self.links.value = (), "", ""
        self.status.value = _status("note", self.tx("page_opened", unit=choice.name,
                                                    file=self.form.path.name))

    # ---- the form ---------------------------------------------------------------------------
    def fill(self, form: Form) -> None:
        """Put `form` into the widgets."""
        self.form = form
        for k, area in self.texts.items():
            area.value = form.texts.get(k, "")
        self.actions_note.value = form.actions_note
        self.actions_after.value = form.actions_after  # shown only when the file has such text
        self.actions_after.layout.display = "flex" if form.actions_after.strip() else "none"
        kept = ([self.tx("page_intro_part")] if form.intro else []) + [f"“{k}”" for k in form.kept]
        self.kept.value = (f'<p class="hme-page-note">{html.escape(self.tx("page_kept", parts=", ".join(kept)))}</p>'
                           if kept else "")
        self.rows = []
        for action in form.actions or [Action("")]:
            self._add_row(action)

    def _add_row(self, action: Action) -> None:
        i = len(self.rows) + 1
        tx = self.tx
        text = w.Text(value=action.text, description=tx("page_action_n", n=i),
                      style={"description_width": "initial"},
                      layout=w.Layout(flex="1 1 340px", min_width="260px"))
        owner = w.Text(value=action.owner or "", description=tx("action_owner"),
                       style={"description_width": "initial"}, layout=w.Layout(width="230px"))
        due = w.Text(value=str(action.due or ""), description=tx("page_due_year"),
                     placeholder=str(self.year + 1), style={"description_width": "initial"},
                     layout=w.Layout(width="140px"))
        done = w.Checkbox(value=action.done, description=tx("action_done"), indent=False,
                          layout=w.Layout(width="auto"))
        for widget, css in ((text, "hme-action-text"), (owner, "hme-action-owner"),
                            (due, "hme-action-due"), (done, "hme-action-done")):
            widget.add_class(css)
        self.rows.append((text, owner, due, done))
        self.rows_box.children = [
            w.HBox(list(r), layout=w.Layout(flex_flow="row wrap", margin="0 0 .4em 0",
                                            border_bottom="1px solid #ccc"))
            for r in self.rows]

    def _on_add_row(self, _) -> None:
        self._add_row(Action(""))

    def collected(self) -> Form:
        """The form as the widgets hold it now (a due year must be a four-digit year)."""
        assert self.form is not None
        actions = []
        for text, owner, due, done in self.rows:
            value = due.value.strip()
            if value and not (value.isdigit() and len(value) == 4):
                raise HMEError(self.tx("page_bad_year", value=value, action=text.value))
            if text.value.strip():
                actions.append(Action(text.value.strip(), owner.value.strip() or None,
                                      int(value) if value else None, bool(done.value)))
        form = Form(self.form.year, self.form.unit, self.form.name, self.form.path, self.lang,
                    {k: area.value for k, area in self.texts.items()}, actions,
                    self.actions_note.value, self.actions_after.value, self.form.loaded)
        return form

    def dirty(self) -> bool:
        """True when the widgets hold something other than the file as loaded."""
        try:
            return self.collected().answers() != self.form.answers()
        except HMEError:
            return True

    # ---- buttons ------------------------------------------------------------------------------
    def on_save(self, overwrite: bool = False) -> None:
        """Save; on a conflict show both versions and what can be done."""
        try:
            form = self.collected()
            saved = save_form(form, overwrite=overwrite)
        except SaveConflict as exc:
            self.show_conflict(exc)
            return
        except HMEError as exc:
            self.status.value = _status("error", str(exc))
            return
        self.fill(saved)
        self.conflict.children = ()
        self.status.value = _status("ok", self.tx("page_saved", file=str(saved.path)))
        self.on_preview()

    def show_conflict(self, exc: SaveConflict) -> None:
        tx = self.tx
        disk = w.Textarea(value=exc.on_disk if exc.on_disk is not None else tx("page_no_file"),
                          description=tx("page_disk_version"), disabled=False, rows=12,
                          style={"description_width": "initial"},
                          layout=w.Layout(flex="1 1 300px", flex_flow="column"))
        ours = w.Textarea(value=exc.ours, description=tx("page_your_version"), rows=12,
                          style={"description_width": "initial"},
                          layout=w.Layout(flex="1 1 300px", flex_flow="column"))
        for area, css in ((disk, "hme-conflict-disk"), (ours, "hme-conflict-ours")):
            area.add_class("hme-column")
            area.add_class(css)
        take_disk = self._button(tx("page_take_disk"), "hme-take-disk",
                                 lambda _: self.on_revert())
        overwrite = self._button(tx("page_overwrite"), "hme-overwrite",
                                 lambda _: self.on_save(overwrite=True))
        self.conflict.children = [
            w.HTML(f"<h3>{html.escape(tx('page_conflict_heading'))}</h3>"),
            w.HBox([disk, ours], layout=w.Layout(width="100%", flex_flow="row wrap")),
            w.HBox([take_disk, overwrite])]
        self.status.value = _status("error", tx("page_conflict", file=str(exc.path)))

    def on_revert(self) -> None:
        """Load the file as it is on disk now (the page's changes are dropped)."""
        if self.form is None:
            return
        self.fill(load_form(self.year, self.form.unit, self.form.name, self.folders, self.lang))
        self.conflict.children = ()
        if self.preview.value:
            self.on_preview()
        self.status.value = _status("note", self.tx("page_reloaded", file=self.form.path.name))

    def on_preview(self) -> None:
        """The analysis section as the report will show it, in a frame with the report's style."""
        try:
            section = preview_html(self.report, self.context, self.collected())
        except HMEError as exc:
            self.status.value = _status("error", str(exc))
            return
        title = self.tx("page_preview_title", unit=self.form.name)
        doc = (f'<!DOCTYPE html><html lang="{self.lang}"><head><meta charset="utf-8">'
               f"<title>{html.escape(title)}</title><style>{report_css()}</style></head>"
               f"<body><main>{section}</main></body></html>")
        self.preview.value = (
            f"<h3>{html.escape(title)}</h3><iframe title=\"{html.escape(title)}\" "
            f'srcdoc="{html.escape(doc, quote=True)}" style="width:100%;height:520px;'
            f'border:1px solid #888"></iframe>')

    def on_render(self) -> None:
        """Render the unit's and its parent's report and link the new HTML and PDF."""
        if self.form is None:
            return
        if self.dirty():
            self.status.value = _status("error", self.tx("page_unsaved", unit=self.form.name))
            return
        unit = self.form.unit
        parent = self.by_code[unit].parent
        units = [unit, parent] if parent else [unit]
        self.render.disabled = True
        self.status.value = _status("note", self.tx("page_rendering"))
        try:
            done = render_reports(self.year, units, self.folders, self.db, self.lang)
        finally:
            self.render.disabled = False
        items = []
        root = outputs_dir() / "reports" / str(self.year)
        query = f"?token={self.token}" if self.token else ""
        for u in units:
            for path in done.files.get(u, []):
                rel = path.relative_to(root).as_posix()
                items.append(f'<li><a href="reports/{self.year}/{html.escape(rel)}{query}" '
                             f'target="_blank" rel="noopener">{html.escape(self.by_code[u].name)} '
                             f"({path.suffix[1:].upper()})</a></li>")
        self.links.value = (f"<h3>{html.escape(self.tx('page_reports'))}</h3><ul>"
                            + "".join(items) + "</ul>") if items else ""
        kind = "ok" if done.ok else "error"
        self.status.value = _status(kind, self.tx("page_rendered",
                                                  seconds=fmt_number(done.seconds, 1, self.lang))
                                    if done.ok else done.message)
