"""`hme narratives check`: what each narrative file gives the report, one line per file.

For each file of `params/narratives/<year>/`: the unit it belongs to (by the code in its name,
`unit_files.code_part`, whatever name the unit has now), the sections recognised, the near
misses and typos taken as a section (with the heading as written), the headings kept as free
sections, and what no report shows: a file of no unit of the year's tree, a second file for
the same unit. Nothing is changed; `hme reports` prints the lines that need a look.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hme_core.narratives.files import read_narrative
from hme_core.paths import params_dir
from hme_core.unit_files import code_part, narrative_path, narratives_dir, unit_folders


@dataclass(frozen=True)
class FileCheck:
    """One file's line, and whether it holds anything beyond exactly recognised sections."""

    path: Path
    line: str
    notable: bool


def narrative_years(params: Path | None = None) -> list[int]:
    """The years with a narratives folder."""
    root = (params or params_dir()) / "narratives"
    return sorted(int(p.name) for p in root.iterdir() if p.is_dir() and p.name.isdigit()) \
        if root.is_dir() else []


def check_year(year: int, org: pd.DataFrame | None) -> list[FileCheck]:
    """One `FileCheck` per Markdown file of the year's narratives folder (file name order)."""
    folder = narratives_dir(year)
    if not folder.is_dir():
        return []
    folders = unit_folders(org) if org is not None else {}
    unit_of = {code_part(f): u for u, f in folders.items()}
    names = dict(zip(org["unit"], org["name"], strict=True)) if org is not None else {}
    out = []
    for path in sorted(folder.glob("*.md")):
        unit = unit_of.get(code_part(path.stem))
        notes: list[str] = []
        if org is None:
            who, notable = "", False
        elif unit is None:
            who, notable = "", True
            notes.append(f"no unit of the {year} org tree has the code in this name "
                         f"('{code_part(path.stem)}'): no report shows it")
        else:
            who, notable = f" ({names[unit]}, {unit})", False
            used = narrative_path(year, unit, folders)
            if used != path:
                notable = True
                notes.append(f"not read: {used.name} is this unit's file (one file per unit; "
                             f"move the text there)")
            elif path.stem != folders[unit]:
                notable = True
                notes.append(f"named for an earlier name; kept as the file of {unit} (now "
                             f"'{names[unit]}'); you may rename it {folders[unit]}.md")
        narrative = read_narrative(path)
        exact = [h.title for h in narrative.headings if h.how == "exact"]
        taken = [f"'{h.title}' as {h.key} ({'typo?' if h.how == 'typo' else 'other wording'})"
                 for h in narrative.headings if h.how in ("near", "typo")]
        free = [f"'{h.title}'" for h in narrative.headings if h.how == "free"]
        parts = []
        if exact:
            parts.append("recognised " + ", ".join(f"'{x}'" for x in exact))
        if taken:
            parts.append("taken as a section: " + "; ".join(taken))
        if free:
            parts.append("own sections (shown under their headings): " + ", ".join(free))
        if narrative.intro.strip():
            parts.append("text above the first heading (shown above the questions)")
        if not narrative.has_text:
            parts.append("no text yet (questions and suggestions only)")
        notable = notable or bool(taken or free)
        out.append(FileCheck(path, f"{year}/{path.name}{who}: "
                                   + "; ".join(parts + notes), notable))
    return out
