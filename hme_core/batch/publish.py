"""`hme publish`: copy exactly the publishable files of a year's reports to a shared folder.

Publishable are the index page (`index.html`) and each unit folder's `report.html` and
`report.pdf`. The executed notebooks (`report.ipynb`, which hold the code and its outputs), the
cache keys and anything else are never copied; symbolic links are refused, not followed. The
copy is built in a temporary folder next to the target and renamed into place, so readers of
`DIR/<year>/` see the old publication or the whole new one, never a mix (between the two renames
that replace an earlier publication the folder is briefly absent). Files get the
ordinary published mode (0644 under umask 022).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from hme_core.atomic import current_umask, public_mode
from hme_core.errors import HMEError

PUBLISHED_IN_UNIT = ("report.html", "report.pdf")


def publishable_files(source: Path) -> list[Path]:
    """The files of `source` (outputs/reports/<year>) to publish, relative to it."""
    if source.is_symlink() or not (source / "index.html").is_file():
        raise HMEError(f"{source}: no index.html here; run 'hme reports --year ...' first")
    files = [Path("index.html")]
    for folder in sorted(p for p in source.iterdir() if p.is_dir() or p.is_symlink()):
        if folder.name.startswith("."):
            continue
        for name in PUBLISHED_IN_UNIT:
            path = folder / name
            if path.is_symlink() or folder.is_symlink():
                raise HMEError(f"{path}: is a symbolic link; hme publishes only real files")
            if path.is_file():
                files.append(path.relative_to(source))
    return files


def publish(source: Path, target_root: Path, year: int) -> tuple[Path, int]:
    """Copy the publishable files of `source` to `target_root/<year>`, atomically."""
    files = publishable_files(source)
    target_root.mkdir(parents=True, exist_ok=True)
    target = target_root / str(year)
    if target.is_symlink():
        raise HMEError(f"{target}: is a symbolic link; remove it and publish again")
    staging = Path(tempfile.mkdtemp(prefix=f".tmp-publish-{year}-", dir=target_root))
    old = None
    try:
        mode = public_mode()
        for rel in files:
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / rel, staging / rel, follow_symlinks=False)
            os.chmod(staging / rel, mode)
        for folder in [staging, *(p for p in staging.rglob("*") if p.is_dir())]:
            os.chmod(folder, 0o777 & ~current_umask())
        if target.exists():
            old = target_root / f".old-publish-{year}-{os.getpid()}"
            os.replace(target, old)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and not target.exists():
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target, len(files)
