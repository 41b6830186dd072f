"""HR narratives: one Markdown file per unit and year, written by people, never by the code.

Layout: ``params/narratives/<year>/<folder>.md``, where ``<folder>`` is the unit's report folder
name (`unit_files.unit_folders` over that year's org tree, as `batch` uses), e.g.
``params/narratives/2025/avdelning-1_a1.md``. A renamed unit gets a new file name that year.

File convention (the analysis questions plus an action plan, docs/sources.md):

- Level-1 or level-2 headings start the sections. Recognised (case, ``?`` and ``:`` ignored):
  ``Vad är viktigt att bevara?`` / ``What is important to keep?`` (key ``keep``),
  ``Vad behöver förbättras och åtgärdas?`` / ``What needs to be improved and addressed?``
  (``improve``), ``Finns behov som behöver lyftas till övergripande nivå?`` / ``Are there needs
  that should be raised to a higher level?`` (``escalate``) and ``Åtgärder`` / ``Actions``
  (``actions``); the short words in `ALIASES` work too. Text before the first one is ignored;
  any other heading belongs to the section above it.
- HTML comments (``<!-- … -->``) are never shown in a report. ``hme narratives init`` puts the
  questions and the "Förslag från data" (data-driven suggestions) inside comments, so an
  untouched file counts as "no narrative" and the report shows prompts and fresh suggestions.
- Actions: one list item per action in the actions section; an optional trailing parenthesis
  of ``key: value`` pairs names the owner and the due year, and ``[x]`` marks it done::

      - Inför månatliga målavstämningar (ansvarig: Enhetschef, klart: 2026)
      - [x] Ny introduktion för nyanställda (owner: HR-partner, due: 2025)

  Owner keys: ansvarig, ansvar, owner, responsible. Due keys: klart, klar, senast, due,
  deadline (the first four-digit year in the value). ``status: klar|done`` also marks it done.
- "Raise to a higher level" items: the list items of that section, or its paragraphs when it
  has no list; each is shown, attributed, in the parent unit's report.

`init_narratives` creates missing files only (`atomic.write_new_file`): content goes to a
temporary file that gets the final name only if it is free, in one step (a hard link, or a
rename that refuses an existing name where there are no hard links), so an existing file,
edited or not, is never touched and no one reads half a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from hme_core.atomic import write_new_file
from hme_core.config import load_settings
from hme_core.i18n import t
from hme_core.instruments import load_instruments
from hme_core.narratives.suggestions import SECTION_SUGGESTIONS, data_suggestions
from hme_core.orgtree import tree_order
from hme_core.results.unit_data import load_report_data
from hme_core.store.duckdb_store import Store
from hme_core.unit_files import narrative_path, unit_folders

SECTIONS: tuple[str, ...] = ("keep", "improve", "escalate", "actions")
QUESTION_KEYS = {"keep": ("analysis_keep", 4), "improve": ("analysis_improve", 3),
                 "escalate": ("analysis_escalate", 3), "actions": ("narrative_actions", 0)}
ALIASES = {"bevara": "keep", "keep": "keep", "förbättra": "improve", "improve": "improve",
           "lyfta": "escalate", "escalate": "escalate", "raise": "escalate",
           "åtgärder": "actions", "actions": "actions", "handlingsplan": "actions",
           "action plan": "actions"}
OWNER_KEYS = {"ansvarig", "ansvar", "owner", "responsible"}
DUE_KEYS = {"klart", "klar", "senast", "due", "deadline"}
DONE_WORDS = {"klar", "klart", "done", "avslutad", "genomförd", "completed"}

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HEADING = re.compile(r"^ {0,3}(#{1,2})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^ ?(?:[-*+]|\d{1,9}[.)])\s+(.*)$")  # top level only
_CHECKBOX = re.compile(r"^\[( |x|X)\]\s+(.*)$")
_META = re.compile(r"\(([^()]*:[^()]*)\)\s*$")
_YEAR = re.compile(r"\b(\d{4})\b")


@dataclass(frozen=True)
class Action:
    """One action of an action plan (measure, owner, timetable)."""

    text: str
    owner: str | None = None
    due: int | None = None
    done: bool = False


@dataclass
class Narrative:
    """A parsed narrative file; `sections` hold Markdown with comments already removed."""

    path: Path
    sections: dict[str, str] = field(default_factory=dict)

    def text(self, key: str) -> str:
        return self.sections.get(key, "")

    @property
    def has_text(self) -> bool:
        """True when a person has written anything in any section (comments do not count)."""
        return any(v.strip() for v in self.sections.values())

    @property
    def actions(self) -> list[Action]:
        return parse_actions(self.text("actions"))

    @property
    def escalations(self) -> list[str]:
        return section_items(self.text("escalate"))


# ---- layout (names: `hme_core.unit_files`) ---------------------------------------------
def stored_narrative_path(year: int, unit: str, db: str | Path | None = None) -> Path:
    """One unit's narrative file (it may not exist yet), named over the stored org tree of
    `year`; for the workbook."""
    from hme_core.errors import HMEError
    from hme_core.paths import default_db

    with Store.open(Path(db) if db else default_db(), read_only=True) as store:
        org = store.load_org(int(year))
    folders = unit_folders(org)
    if unit not in folders:
        raise HMEError(f"unit {unit!r} is not in the {year} org tree")
    return narrative_path(int(year), unit, folders)


# ---- parsing ---------------------------------------------------------------------------
def strip_comments(text: str) -> str:
    """Remove HTML comments (prompts and suggestions); an unclosed ``<!--`` stays visible."""
    return _COMMENT.sub("", text)


def _section_key(title: str) -> str | None:
    norm = re.sub(r"\s+", " ", title).strip().rstrip("?:. ").casefold()
    for key, (text_key, _) in QUESTION_KEYS.items():
        if norm in {t(text_key, lang).rstrip("?:. ").casefold() for lang in ("sv", "en")}:
            return key
    return ALIASES.get(norm)


def parse_narrative(text: str, path: Path | None = None) -> Narrative:
    """Split a narrative into its sections (see the module docstring for the convention)."""
    lines = strip_comments(text.replace("\r\n", "\n")).split("\n")
    sections: dict[str, list[str]] = {}
    current: str | None = None
    fence: str | None = None
    for line in lines:
        m = _FENCE.match(line)
        if m:
            fence = None if fence and m.group(1)[0] == fence else (fence or m.group(1)[0])
        heading = _HEADING.match(line) if fence is None else None
        key = _section_key(heading.group(2)) if heading else None
        if key:
            current = key
            sections.setdefault(key, [])
        elif current is not None:
            sections[current].append(line)
    return Narrative(Path(path) if path else Path(), {
        k: "\n".join(v).strip("\n") for k, v in sections.items()})


def read_narrative(path: Path) -> Narrative | None:
    """The parsed file, or None when there is none."""
    try:
        return parse_narrative(Path(path).read_text(encoding="utf-8"), path)
    except FileNotFoundError:
        return None


def _items(text: str) -> list[list[str]]:
    """Top-level list items (with their continuation lines); [] when there is no list."""
    items: list[list[str]] = []
    for line in text.split("\n"):
        m = _LIST_ITEM.match(line)
        if m:
            items.append([m.group(1)])
        elif items and line.strip():
            items[-1].append(line.strip())
    return items


def section_items(text: str) -> list[str]:
    """The items of a section: its top-level list items, else its paragraphs (Markdown)."""
    items = _items(text)
    if items:
        return [" ".join(lines).strip() for lines in items if " ".join(lines).strip()]
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def parse_action(text: str) -> Action:
    """``[x] Do it (ansvarig: HR, klart: 2026)`` → Action('Do it', 'HR', 2026, done=True).

    >>> parse_action("Inför månatliga målavstämningar (ansvarig: Enhetschef, klart: 2026)")
    Action(text='Inför månatliga målavstämningar', owner='Enhetschef', due=2026, done=False)
    """
    text = text.strip()
    done = False
    box = _CHECKBOX.match(text)
    if box:
        done, text = box.group(1) in "xX", box.group(2).strip()
    owner: str | None = None
    due: int | None = None
    meta = _META.search(text)
    if meta:
        recognised = False
        for part in re.split(r"[,;]", meta.group(1)):
            key, _, value = part.partition(":")
            key, value = key.strip().casefold(), value.strip()
            if key in OWNER_KEYS and value:
                owner, recognised = value, True
            elif key in DUE_KEYS:
                year = _YEAR.search(value)
                due, recognised = (int(year.group(1)) if year else due), True
            elif key == "status":
                done, recognised = done or value.casefold() in DONE_WORDS, True
        if recognised:
            text = text[: meta.start()].rstrip()
    return Action(text=text, owner=owner, due=due, done=done)


def parse_actions(text: str) -> list[Action]:
    """Every list item of an actions section, parsed with `parse_action`."""
    return [parse_action(" ".join(lines)) for lines in _items(text) if " ".join(lines).strip()]


# ---- creating files --------------------------------------------------------------------
def _comment(text: str) -> str:
    """Text that can sit inside an HTML comment: no ``--`` that could close it early."""
    return text.replace("--", "–")


def narrative_template(unit: str, name: str, year: int, suggestions: dict[str, list[str]],
                       lang: str = "sv") -> str:
    """The pre-filled file: questions and suggestions in comments, empty answers."""
    out = [f"# {t('narrative_title', lang, year=year, unit=name)}", "",
           "<!--", _comment(t("narrative_help", lang, unit=unit, year=year)), "-->", ""]
    for key in SECTIONS:
        text_key, n = QUESTION_KEYS[key]
        out += [f"## {t(text_key, lang)}", ""]
        if n:
            qs = [f"- {t(f'{text_key}_q{i}', lang)}" for i in range(1, n + 1)]
            out += ["<!-- " + _comment(t("narrative_questions", lang)), *map(_comment, qs),
                    "-->", ""]
        lines = [line for kind in SECTION_SUGGESTIONS.get(key, ()) if suggestions.get(kind)
                 for line in (f"{_comment(t(kind, lang))}:",
                              *(f"- {_comment(s)}" for s in suggestions[kind]))]
        if lines:
            out += ["<!-- " + _comment(t("narrative_suggestions", lang)), *lines, "-->", ""]
        if key == "actions":
            out += ["<!-- " + _comment(t("narrative_actions_help", lang)) + " -->", ""]
    return "\n".join(out).rstrip("\n") + "\n"


@dataclass(frozen=True)
class InitResult:
    unit: str
    path: Path
    created: bool


def init_narratives(year: int, units: list[str] | None, store: Store,
                    lang: str = "sv", progress=None) -> list[InitResult]:
    """Create the missing narrative files of `year` (all units, or the given codes).

    Existing files are left exactly as they are: HR's text is never overwritten. Results
    computed under other params or code are refused: values now hidden must not reach the files.
    `progress(done, total, unit)` is called before the first unit (done 0) and after each.
    """
    from hme_core.errors import HMEError

    store.require_current_results(int(year))
    org = store.load_org(int(year))
    order = tree_order(org)
    if units:
        unknown = [u for u in units if u not in set(order)]
        if unknown:
            raise HMEError(f"--units: unknown unit code(s) {unknown} in the {year} org tree")
        order = [u for u in order if u in set(units)]
    folders = unit_folders(org)
    names = org.set_index("unit")["name"].astype(str)
    instruments, settings = load_instruments(), load_settings()
    results = []
    if progress:
        progress(0, len(order), "")
    for unit in order:
        path = narrative_path(year, unit, folders)
        if path.exists():
            results.append(InitResult(unit, path, False))
        else:
            data = load_report_data(store, int(year), unit, instruments, settings)
            text = narrative_template(unit, str(names[unit]), int(year),
                                      data_suggestions(data, instruments, lang), lang)
            results.append(InitResult(unit, path, write_new_file(path, text)))
        if progress:
            progress(len(results), len(order), unit)
    return results


def without_suggestions(text: str) -> str:
    """`text` without the data suggestions `narrative_template` put in comments (they quote
    values, e.g. "HME 67,6"); HR's own text and every other comment are kept as they are.

    >>> without_suggestions("## Åtgärder\\n\\n<!-- Förslag från data (visas inte i rapporten "
    ...                     "som enhetens text):\\n- HME 67,6\\n-->\\n\\nVårt eget.\\n")
    '## Åtgärder\\n\\nVårt eget.\\n'
    """
    from hme_core.i18n import LANGS

    heads = "|".join(re.escape(_comment(t("narrative_suggestions", lang))) for lang in LANGS)
    return re.sub(r"<!-- (?:" + heads + r")\n.*?-->\n(?:\n)?", "", text, flags=re.DOTALL)


def strip_suggestions(year: int) -> list[Path]:
    """Remove the data suggestions from every narrative file of `year` (called when the
    year's results change: the values they quote may now be hidden); returns the files
    changed. Each file is rewritten atomically with its published mode; nothing else in it
    changes."""
    from hme_core.atomic import atomic_write
    from hme_core.unit_files import narratives_dir

    folder = narratives_dir(year)
    changed = []
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        if path.is_symlink() or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        stripped = without_suggestions(text)
        if stripped != text:
            atomic_write(path, stripped)
            changed.append(path)
    return changed
