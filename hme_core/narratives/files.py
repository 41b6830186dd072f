"""HR narratives: one Markdown file per unit and year, written by people, never by the code.

Layout: ``params/narratives/<year>/<folder>.md``, where ``<folder>`` is the unit's report folder
name (`unit_files.unit_folders` over that year's org tree, as `batch` uses), e.g.
``params/narratives/2025/avdelning-1_a1.md``. A renamed unit gets a new file name that year.

File convention (the analysis questions plus an action plan, docs/sources.md):

- Level-1 or level-2 headings start the sections; nothing HR writes is dropped. Recognised
  (case, ``?`` and ``:`` ignored): ``Sammanfattning`` / ``Summary`` (key ``summary``, shown
  first in the report), ``Vad är viktigt att bevara?`` / ``What is important to keep?``
  (``keep``), ``Vad behöver förbättras och åtgärdas?`` / ``What needs to be improved and
  addressed?`` (``improve``), ``Finns behov som behöver lyftas till övergripande nivå?`` /
  ``Are there needs that should be raised to a higher level?`` (``escalate``) and
  ``Åtgärder`` / ``Actions`` (``actions``); the short words in `ALIASES` work too. Near
  misses are taken as the section they name (`heading_key`): other wording with the
  section's word ("Vad är viktigt att behålla?", "Vad behöver förbättras?", "Behov att
  lyfta") and typos ("Sammanfatning"). Any other heading is a free section of its own, shown
  under its own title. The file's first heading, a level-1 heading that names no section, is
  its title; text between it and the first section is `intro`, shown above the questions.
  Deeper headings (``###``) belong to the section above.
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
SUMMARY = "summary"
QUESTION_KEYS = {"keep": ("analysis_keep", 4), "improve": ("analysis_improve", 3),
                 "escalate": ("analysis_escalate", 3), "actions": ("narrative_actions", 0)}
ALIASES = {"bevara": "keep", "keep": "keep", "förbättra": "improve", "improve": "improve",
           "lyfta": "escalate", "escalate": "escalate", "raise": "escalate",
           "åtgärder": "actions", "actions": "actions", "handlingsplan": "actions",
           "action plan": "actions", "sammanfattning": SUMMARY, "summary": SUMMARY,
           "sammanfattande analys": SUMMARY, "sammanfattning av analysen": SUMMARY}
#: Words that make a heading a near miss of a section ('behålla' for 'bevara'), checked in
#: this order (improve before actions: "förbättras och åtgärdas" is improve).
NEAR_WORDS = ((SUMMARY, ("sammanfatt", "summar")),
              ("keep", ("bevar", "behåll", "bibehåll", "keep", "preserve")),
              ("improve", ("förbättr", "improve")),
              ("escalate", ("lyft", "övergripande nivå", "eskaler", "escalat", "raise")),
              ("actions", ("åtgärd", "handlingsplan", "action")))
TYPO_RATIO = 0.88
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


@dataclass(frozen=True)
class Heading:
    """A level-1/2 heading as read: its `key` (a section, None for a free section or the
    title) and `how`: exact, near (other wording), typo, free or title."""

    title: str
    key: str | None
    how: str


@dataclass
class Narrative:
    """A parsed narrative file; `sections` hold Markdown with comments already removed
    (recognised sections by key, `summary` among them), `free` the other headings' sections
    as (title, Markdown) in file order, `intro` the text above the first section."""

    path: Path
    sections: dict[str, str] = field(default_factory=dict)
    free: list[tuple[str, str]] = field(default_factory=list)
    intro: str = ""
    headings: list[Heading] = field(default_factory=list)

    def text(self, key: str) -> str:
        return self.sections.get(key, "")

    @property
    def has_text(self) -> bool:
        """True when a person has written anything anywhere (comments do not count)."""
        return any(v.strip() for v in self.sections.values()) or bool(self.intro.strip()) or \
            any(text.strip() for _t, text in self.free)

    @property
    def summary(self) -> str:
        return self.text(SUMMARY)

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


def _norm(title: str) -> str:
    return re.sub(r"\s+", " ", title).strip().rstrip("?:. ").casefold()


def _exact_forms() -> dict[str, str]:
    """{normalised heading: section key}: the questions in every language, and `ALIASES`."""
    forms = dict(ALIASES)
    for key, (text_key, _) in QUESTION_KEYS.items():
        for lang in ("sv", "en"):
            forms[_norm(t(text_key, lang))] = key
    return forms


def heading_key(title: str) -> tuple[str | None, str]:
    """(section key or None, how): 'exact' for a question or alias as written; 'typo' for one
    a few letters off (difflib ratio ≥ `TYPO_RATIO`); 'near' for other wording holding a
    section's word (`NEAR_WORDS`); (None, 'free') for any other heading.

    >>> heading_key("Vad är viktigt att behålla?"), heading_key("Sammanfatning")
    (('keep', 'near'), ('summary', 'typo'))
    >>> heading_key("Behov att lyfta"), heading_key("Övrigt från APT")
    (('escalate', 'near'), (None, 'free'))
    """
    import difflib

    norm, forms = _norm(title), _exact_forms()
    if norm in forms:
        return forms[norm], "exact"
    close = difflib.get_close_matches(norm, list(forms), n=1, cutoff=TYPO_RATIO)
    words = next((key for key, stems in NEAR_WORDS if any(s in norm for s in stems)), None)
    if close and (words is None or forms[close[0]] == words):
        return forms[close[0]], "typo"
    if words is not None and len(norm) <= 80:
        return words, "near"
    return None, "free"


def _is_title(title: str) -> bool:
    """A heading that starts like `narrative_title` ("Analys och dialog 2025 – Lyftteamet"):
    the unit's name in it may hold a section's word without making it a section."""
    prefixes = {_norm(t("narrative_title", lang, year=0, unit="")).split("0")[0].strip()
                for lang in ("sv", "en")}
    return any(p and _norm(title).startswith(p) for p in prefixes)


def parse_narrative(text: str, path: Path | None = None) -> Narrative:
    """Split a narrative into its sections (see the module docstring for the convention)."""
    lines = strip_comments(text.replace("\r\n", "\n")).split("\n")
    sections: dict[str, list[str]] = {}
    free: list[tuple[str, list[str]]] = []
    intro: list[str] = []
    headings: list[Heading] = []
    current: list[str] = intro
    fence: str | None = None
    for line in lines:
        m = _FENCE.match(line)
        if m:
            fence = None if fence and m.group(1)[0] == fence else (fence or m.group(1)[0])
        heading = _HEADING.match(line) if fence is None and not m else None
        if heading is None:
            current.append(line)
            continue
        title = heading.group(2)
        key, how = heading_key(title)
        if (key is None or how == "near" and _is_title(title)) and not headings and \
                len(heading.group(1)) == 1 and not any(x.strip() for x in intro):
            headings.append(Heading(title, None, "title"))
            continue
        headings.append(Heading(title, key, how))
        if key is None:
            free.append((title, []))
            current = free[-1][1]
        else:
            current = sections.setdefault(key, [])
            while current and not current[-1].strip():
                current.pop()
            if current:  # a second heading of the same section: one blank line between
                current.append("")
    return Narrative(Path(path) if path else Path(), {
        k: "\n".join(v).strip("\n") for k, v in sections.items()},
        [(title, "\n".join(body).strip("\n")) for title, body in free],
        "\n".join(intro).strip("\n"), headings)


def read_narrative(path: Path) -> Narrative | None:
    """The parsed file, or None when there is none."""
    try:
        return parse_narrative(Path(path).read_text(encoding="utf-8"), path)
    except FileNotFoundError:
        return None


def _split_lists(text: str) -> tuple[list[list[str]], list[str]]:
    """(top-level list items with their continuation lines, the other lines). As in
    Markdown, a line continues an item when it is indented or follows it without a blank line;
    an unindented paragraph after a blank line ends the list."""
    items: list[list[str]] = []
    rest: list[str] = []
    in_item = prev_blank = False
    for line in text.split("\n"):
        m = _LIST_ITEM.match(line)
        if m:
            items.append([m.group(1)])
            in_item = True
        elif not line.strip():
            if not in_item:
                rest.append(line)
        elif in_item and (line[:1] in " \t" or not prev_blank):
            items[-1].append(line.strip())
        else:
            in_item = False
            rest.append(line)
        prev_blank = not line.strip()
    return items, rest


def _items(text: str) -> list[list[str]]:
    """Top-level list items (with their continuation lines); [] when there is no list."""
    return _split_lists(text)[0]


def outside_lists(text: str) -> tuple[str, str]:
    """A section's text besides its top-level list items, (above the first item, the rest):
    what an action plan holds besides its actions, so that nothing written is dropped."""
    items, rest = _split_lists(text)
    if not items:
        return text.strip("\n"), ""
    first = text.split("\n").index(next(line for line in text.split("\n")
                                          if _LIST_ITEM.match(line)))
    above = "\n".join(text.split("\n")[:first])
    below = rest[len(text.split("\n")[:first]):]
    return above.strip("\n"), "\n".join(below).strip("\n")


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

    store.require_current_results(int(year))
    org = store.load_org(int(year))
    order = tree_order(org)
    if units:
        from hme_core.inputs.units import units_named

        wanted = set(units_named(org, units, tree=f"the {year} org tree"))
        order = [u for u in order if u in wanted]
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
                                      data_suggestions(data, instruments, lang, store=store), lang)
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
