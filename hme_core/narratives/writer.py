"""Writing a narrative file from answers: what the HR page saves (`hme narratives serve`) is
the file the command line and the reports read, so both ways stay equal.

`write_sections` replaces the text of the given sections and leaves every other line as it was
written: the title and the text before the first section, free sections (headings that name no
question), sections not answered, and the comments of a replaced section (the questions and
suggestions `hme narratives init` puts there). It splits the file with the parser's own rules
(`files.heading_key`, the title rule, fences, comments), so `files.parse_narrative` of the
result gives exactly the answers. `format_action` writes an action as the list item
`files.parse_action` reads back.
"""

from __future__ import annotations

import re

from hme_core.i18n import t
from hme_core.narratives.files import (
    _COMMENT,
    _FENCE,
    _HEADING,
    QUESTION_KEYS,
    SECTIONS,
    Action,
    _is_title,
    heading_key,
)

ACTION_KEYS = {"sv": ("ansvarig", "klart"), "en": ("owner", "due")}


def format_action(action: Action, lang: str = "sv") -> str:
    """The list item `parse_action` reads back as `action` (one line).

    >>> format_action(Action("Inför månatliga målavstämningar", "Enhetschef", 2026, True))
    '- [x] Inför månatliga målavstämningar (ansvarig: Enhetschef, klart: 2026)'
    """
    owner_key, due_key = ACTION_KEYS.get(lang, ACTION_KEYS["en"])
    meta = [f"{owner_key}: {' '.join(action.owner.split())}" if action.owner else "",
            f"{due_key}: {action.due}" if action.due else ""]
    # the parser reads one parenthesis of "key: value" pairs split at ',' or ';'
    meta = [re.sub(r"\s*[,;]\s*", " / ", m).replace("(", "[").replace(")", "]") for m in meta if m]
    text = " ".join(action.text.split())
    return f"- {'[x] ' if action.done else ''}{text}" + (f" ({', '.join(meta)})" if meta else "")


def section_heading(key: str, lang: str = "sv") -> str:
    """The heading line that starts section `key` (the question as `hme narratives init` writes
    it; ``summary``: ``Sammanfattning``/``Summary``)."""
    if key == "summary":
        return "## " + ("Sammanfattning" if lang == "sv" else "Summary")
    return f"## {t(QUESTION_KEYS[key][0], lang)}"


def _raw_sections(text: str) -> list[tuple[str | None, list[str]]]:
    """The file's lines as runs (section key, lines), split where `parse_narrative` splits: the
    first run (key None) is the title and the text before the first section; each other run
    starts with its heading line, key None for a free section. Comments never hold a heading."""
    raw = text.replace("\r\n", "\n").split("\n")
    clean = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), "\n".join(raw)).split("\n")
    runs: list[tuple[str | None, list[str]]] = [(None, [])]
    fence: str | None = None
    intro: list[str] = []
    headings = 0
    for line, seen in zip(raw, clean, strict=True):
        m = _FENCE.match(seen)
        if m:
            fence = None if fence and m.group(1)[0] == fence else (fence or m.group(1)[0])
        heading = _HEADING.match(seen) if fence is None and not m else None
        if heading is None:
            runs[-1][1].append(line)
            intro += [seen] if len(runs) == 1 else []
            continue
        title = heading.group(2)
        key, how = heading_key(title)
        headings += 1
        if (key is None or how == "near" and _is_title(title)) and headings == 1 and \
                len(heading.group(1)) == 1 and not any(x.strip() for x in intro):
            runs[-1][1].append(line)  # the title
            continue
        runs.append((key, [line]))
    return runs


def write_sections(text: str, answers: dict[str, str], lang: str = "sv", title: str = "") -> str:
    """`text` (a narrative file; '' for none: a file with `title`) with the sections of `answers`
    replaced by the given Markdown. Everything else stays as written: the title, the text and
    comments before the first section, the sections not in `answers`, and the comments (questions,
    suggestions) of a replaced section. A section the file lacks is added (a summary first, the
    others at the end). `parse_narrative` of the result gives exactly `answers` for their keys."""
    runs = _raw_sections(text) if text.strip() else [(None, [f"# {title}"])]
    out: list[str] = []
    written: set[str] = set()

    def block(heading: str, comments: list[str], answer: str) -> list[str]:
        return [heading, "", *comments, *([""] if comments else []), answer.strip("\n"), ""]

    def add(new: list[str]) -> None:
        while out and not out[-1].strip():
            out.pop()
        out.extend(["", *new] if out else new)

    present = {key for key, _ in runs}
    for key, lines in runs:
        if key == "actions" and "actions" not in written:  # missing questions go before it
            for k in [k for k in SECTIONS[:-1] if k in answers and k not in present]:
                add(block(section_heading(k, lang), [], answers[k]))
                written.add(k)
        if key not in answers:
            out += lines
        elif key not in written:  # a repeated heading's text is already part of the answer
            add(block(lines[0], _COMMENT.findall("\n".join(lines[1:])), answers[key]))
        written.add(key)
    for key in sorted((k for k in answers if k not in written), key=lambda k: k != "summary"):
        new = block(section_heading(key, lang), [], answers[key])
        if key == "summary" and runs[0][0] is None:  # first, after the title and its notes
            at = len(runs[0][1])
            while at > 0 and not out[at - 1].strip():
                at -= 1
            out[at:at] = ["", *new[:-1]]
        else:
            add(new)
    return "\n".join(out).rstrip("\n") + "\n"
