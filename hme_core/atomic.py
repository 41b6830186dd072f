"""Writing a file so that readers see the old file or the whole new one, never a part.

Rules every writer follows (all of them come here):
- modes: a published file (report, index page, export, narrative file) gets the mode a plain
  `open(path, "w")` would give, 0666 minus the umask (0644 under umask 022); a private file
  (the store, anything holding respondent rows) gets 0600;
- symlinks: nothing is written through a symbolic link under the outputs folder; a planted link
  (a file or a folder) is refused with a message naming it, so a write never lands outside
  `outputs/` or overwrites the link's target;
- a temporary file in the same folder is renamed into place only when complete; on any failure
  (disk full, read-only folder) it is removed, so no partial file is left behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hme_core.errors import HMEError
from hme_core.paths import outputs_dir

PRIVATE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


class SymlinkRefused(HMEError):
    """Raised when a write would go through a symbolic link under the outputs folder."""


def current_umask() -> int:
    """The process umask, read without changing it where the system allows (Linux /proc)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def public_mode() -> int:
    """0666 minus the umask: what `open(path, "w")` gives (0644 under umask 022)."""
    return 0o666 & ~current_umask()


def refuse_symlinks(path: Path, root: Path | None = None) -> None:
    """Raise `SymlinkRefused` if `path` or a folder between it and `root` is a symbolic link.

    `root` defaults to the outputs folder; paths outside `root` are only checked for `path`
    itself, since folders above the outputs folder belong to the machine, not to hme.
    """
    path = Path(os.path.abspath(path))
    root = Path(os.path.abspath(root if root is not None else outputs_dir()))
    candidates = [path]
    if root in path.parents:
        p = path.parent
        while p != root:
            candidates.append(p)
            p = p.parent
    for p in candidates:
        if p.is_symlink():
            raise SymlinkRefused(
                f"{p}: is a symbolic link; hme does not write through links under {root}. "
                "Remove the link (or move the real folder there) and run again."
            )


def make_parent(path: Path) -> None:
    """Create the folder of `path` after checking that no link is on the way."""
    refuse_symlinks(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    refuse_symlinks(path)


def temp_path(path: Path) -> Path:
    """A fresh, empty temporary file next to `path` (for writers that need a file name)."""
    make_parent(path)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    return Path(tmp)


def commit(tmp: Path, path: Path, private: bool = False) -> Path:
    """Give the finished `tmp` its final mode and rename it onto `path` (atomic)."""
    os.chmod(tmp, PRIVATE_MODE if private else public_mode())
    refuse_symlinks(path)
    os.replace(tmp, path)
    return path


@contextmanager
def atomic_path(path: Path, private: bool = False) -> Iterator[Path]:
    """A temporary file in `path`'s folder to write to; given its mode and renamed onto `path`
    (atomically) when the block ends without an error, removed otherwise."""
    path = Path(path)
    tmp = temp_path(path)
    try:
        yield tmp
        commit(tmp, path, private)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write(path: Path, data: bytes | str, private: bool = False) -> Path:
    """Write `data` to `path` via a temporary file in the same folder and an atomic rename.

    The file gets `public_mode()` unless `private` (then 0600); see the module rules.
    """
    with atomic_path(path, private) as tmp:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)
