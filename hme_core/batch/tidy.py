"""Keeping a year's report folder true to the store: folders of units no longer in the year's
tree are removed, and temporary files a killed batch left are swept.

A unit folder holds only what hme writes there (`report*.html|pdf|ipynb`, the cache keys
`.cache-key*`, temporary `.tmp-<pid>-*` files while a file is written; see `atomic`). After an
`hme ingest --replace` with a corrected tree, the folder of a unit that is gone would keep its
old report, whose numbers subtracted from the new ones reveal hidden values; `hme reports`
removes it (and `hme publish` leaves out any it finds, see `batch.publish`).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

#: Files hme writes into a unit folder (any language).
OWN_FILES = re.compile(r"^(report(\.[a-z]{2})?\.(html|pdf|ipynb)|\.cache-key(\.[a-z]{2})?|"
                       r"\.tmp-.*)$")
#: A temporary file's writer: `.tmp-<pid>-...` (`atomic.temp_path`).
_TEMP = re.compile(r"^\.tmp-(\d+)-")
#: Temporary files named before they carried their writer's process id are swept once older.
OLD_TEMP_SECONDS = 3600


def orphan_folders(root: Path, current: set[str]) -> list[Path]:
    """Unit folders in `root` (outputs/reports/<year>) whose unit is not in the year's tree
    (`current`: the folder names of its units), in name order."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir()
                  if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
                  and p.name not in current)


def remove_orphans(root: Path, current: set[str]) -> list[Path]:
    """Remove the folders of units no longer in the year's tree: hme's files in them, then
    the folder when nothing else is left (a file someone put there keeps it, and
    `hme publish` still leaves the folder out). Returns the folders found."""
    found = orphan_folders(root, current)
    for folder in found:
        for path in folder.iterdir():
            if path.is_file() and not path.is_symlink() and OWN_FILES.match(path.name):
                path.unlink(missing_ok=True)
        if not any(folder.iterdir()):
            folder.rmdir()
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def sweep_temporary_files(root: Path) -> list[Path]:
    """Remove temporary files (`.tmp-*`) that killed renders left in the unit folders of
    `root`: those whose writer's process is gone (a running batch's are kept), and unmarked
    ones older than an hour. Returns the removed files."""
    removed = []
    if not root.is_dir():
        return removed
    now = time.time()
    for folder in root.iterdir():
        if not folder.is_dir() or folder.is_symlink():
            continue
        for path in folder.glob(".tmp-*"):
            match = _TEMP.match(path.name)
            try:
                stale = (not _alive(int(match.group(1))) if match
                         else now - path.stat().st_mtime > OLD_TEMP_SECONDS)
                if stale and (path.is_file() or path.is_symlink()):
                    path.unlink()
                    removed.append(path)
                elif stale and path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                    removed.append(path)
            except (OSError, ValueError):
                continue
    return removed
