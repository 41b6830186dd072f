"""The HR partner's form for one unit and year: load its narrative file, save it, preview it,
render its report. Plain Python: the page (`page.widgets`) only shows what this returns.

- **One file, both ways.** The form edits the same Markdown file the command line uses
  (`unit_files.narrative_path`): the summary and the three analysis questions as one text each,
  the action plan as rows (action, owner, due year, done) written as the list items
  `narratives.files.parse_action` reads. `narratives.writer.write_sections` replaces only those
  sections; the title, comments (questions, suggestions), other headings and their text stay.
- **Never overwrite someone else's words.** The form remembers the file as it was when loaded;
  saving first reads the file again and, if it changed on disk (edited in JupyterLab, or saved
  from another page), refuses with `SaveConflict`, which holds both whole versions. A new file is
  created only if its name is still free (`atomic.write_new_file`); an existing one is replaced in
  one step (`atomic.atomic_write`), so a reader never sees half a file.
- **Preview.** The summary and the analysis section built by the report's own code
  (`report.narrative_sections`) from what the form would save.
- **Render.** `hme reports --year Y --units UNIT,PARENT` in a child process (the batch a user
  runs), then the paths of the new HTML and PDF of both units.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from hme_core.atomic import atomic_write, write_new_file
from hme_core.errors import HMEError
from hme_core.i18n import t
from hme_core.narratives.files import Action, outside_lists, parse_actions, parse_narrative
from hme_core.narratives.writer import format_action, write_sections
from hme_core.paths import outputs_dir
from hme_core.unit_files import narrative_path, report_file

#: The text areas of the form, in the order the page shows them (summary first, as the report).
TEXT_SECTIONS: tuple[str, ...] = ("summary", "keep", "improve", "escalate")


class SaveConflict(HMEError):
    """The file changed on disk since the page loaded it: nothing was written."""

    def __init__(self, path: Path, on_disk: str | None, ours: str):
        super().__init__(f"{path} changed on disk since the page loaded it; nothing was saved")
        self.path, self.on_disk, self.ours = path, on_disk, ours


@dataclass
class Form:
    """What the page edits for one unit: texts by section, the action rows and any text of the
    actions section before its list (kept as written), plus the file as it was loaded."""

    year: int
    unit: str
    name: str
    path: Path
    lang: str = "sv"
    texts: dict[str, str] = field(default_factory=dict)
    actions: list[Action] = field(default_factory=list)
    actions_note: str = ""  # the action plan's text above its list
    actions_after: str = ""  # and below it (both kept where they were written)
    loaded: str | None = None  # the file's text when loaded; None: there was no file
    kept: list[str] = field(default_factory=list)  # titles of free sections saving leaves alone
    intro: bool = False  # text above the first section, which saving leaves alone too

    def answers(self) -> dict[str, str]:
        """{section key: Markdown} that saving writes (the actions as list items)."""
        rows = [format_action(a, self.lang) for a in self.actions if a.text.strip()]
        actions = "\n\n".join(p for p in (self.actions_note.strip("\n"), "\n".join(rows),
                                          self.actions_after.strip("\n")) if p)
        return {**{k: self.texts.get(k, "") for k in TEXT_SECTIONS}, "actions": actions}

    def file_text(self, base: str | None = None) -> str:
        """The whole file saving would write over `base` (default: the file as loaded)."""
        base = self.loaded if base is None else base
        return write_sections(base or "", self.answers(), self.lang,
                              t("narrative_title", self.lang, year=self.year, unit=self.name))


def read_text(path: Path) -> str | None:
    """The file's text, or None when there is none."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def load_form(year: int, unit: str, name: str, folders: dict[str, str],
              lang: str = "sv") -> Form:
    """The form of `unit` filled from its narrative file (empty when it has none)."""
    path = narrative_path(int(year), unit, folders)
    return form_from_text(int(year), unit, name, path, read_text(path), lang)


def form_from_text(year: int, unit: str, name: str, path: Path, text: str | None,
                   lang: str = "sv") -> Form:
    """The form of a narrative file's `text` (None: no file), parsed as the report parses it."""
    narrative = parse_narrative(text or "", path)
    actions_text = narrative.text("actions")
    above, below = outside_lists(actions_text)
    return Form(year, unit, name, path, lang,
                texts={k: narrative.text(k) for k in TEXT_SECTIONS},
                actions=parse_actions(actions_text), actions_note=above, actions_after=below,
                loaded=text, kept=[title for title, body in narrative.free if body.strip()],
                intro=bool(narrative.intro.strip()))


def save_form(form: Form, overwrite: bool = False) -> Form:
    """Write the form to its file and return the form as now on disk (its `loaded` updated).

    Raises `SaveConflict` when the file is not what the page loaded (changed, created or deleted
    since), unless `overwrite`: then the form's sections replace those of the file now on disk,
    whose other parts stay.
    """
    on_disk = read_text(form.path)
    if on_disk != form.loaded and not overwrite:
        raise SaveConflict(form.path, on_disk, form.file_text())
    text = form.file_text(on_disk)
    if on_disk is None:
        form.path.parent.mkdir(parents=True, exist_ok=True)
        if not write_new_file(form.path, text):  # created in the meantime: theirs stays
            raise SaveConflict(form.path, read_text(form.path), text)
    else:
        atomic_write(form.path, text)
    return form_from_text(form.year, form.unit, form.name, form.path, text, form.lang)


def preview_html(report, context, form: Form) -> str:
    """The written sections exactly as the report will show them after saving `form`: the
    summary (the report's first section) and the analysis section, built by the report's own
    code from the narrative parsed from the text saving would write."""
    from hme_core.report.narrative_sections import analysis_html, summary_html

    ctx = dataclasses.replace(context, narrative=parse_narrative(form.file_text(), form.path))
    return summary_html(report, ctx) + analysis_html(report, ctx, report.starting_points())


def report_css() -> str:
    """The report's screen style (so the preview looks as the report does); '' if none."""
    css = Path(__file__).resolve().parents[1] / "report" / "templates" / "report.css"
    return css.read_text(encoding="utf-8") if css.is_file() else ""


@dataclass(frozen=True)
class Rendered:
    """The outcome of "Render this unit's report": the report files per unit code."""

    ok: bool
    files: dict[str, list[Path]]  # unit code -> [html, pdf] that exist
    message: str
    seconds: float


def render_reports(year: int, units: list[str], folders: dict[str, str], db: Path,
                   lang: str = "sv", timeout: float = 600) -> Rendered:
    """Render `units` (the unit and its parent) with `hme reports --units` in a child process
    (which reads the same params and outputs folders as this one) and list their files."""
    import time

    cmd = [sys.executable, "-m", "hme_core.cli", "reports", "--year", str(int(year)),
           "--units", ",".join(units), "--db", str(db), "--lang", lang]
    t0 = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              env=os.environ.copy())
        ok, message = done.returncode == 0, (done.stderr or done.stdout).strip().splitlines()
        message = message[-1] if ok and message else "\n".join(message[-8:])
    except subprocess.TimeoutExpired:
        ok, message = False, f"hme reports took more than {timeout:.0f} s and was stopped"
    root = outputs_dir() / "reports" / str(int(year))
    files = {u: [p for ext in ("html", "pdf")
                 if (p := root / folders[u] / report_file(ext, lang)).is_file()] for u in units}
    return Rendered(ok, files, message, time.perf_counter() - t0)
