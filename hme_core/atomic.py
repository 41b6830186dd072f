"""Writing a file so that readers see the old file or the whole new one, never a part.

Rules every writer follows (all of them come here):
- modes: a published file (report, index page, export, narrative file) gets the mode a plain
  `open(path, "w")` would give, 0666 minus the umask (0644 under umask 022); a private file
  (the store, anything holding respondent rows) gets 0600;
- symlinks: nothing is written through a symbolic link under the outputs folder; a planted link
  (a file or a folder) is refused with a message naming it, so a write never lands outside
  `outputs/` or overwrites the link's target;
- a temporary file in the same folder is renamed into place only when complete; on any failure
  (disk full, read-only folder) it is removed, so no partial file is left behind;
- a file that must never be overwritten (HR's narrative files) is created by `write_new_file`:
  the complete temporary file gets the name only if the name is free, in one step.
"""

from __future__ import annotations

import ctypes
import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hme_core.errors import HMEError
from hme_core.paths import outputs_dir

PRIVATE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
#: Errors of the machine, not of hme: disk full, quota, read-only file system, no permission.
MACHINE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM,
                            errno.EFBIG})


class SymlinkRefused(HMEError):
    """Raised when a write would go through a symbolic link under the outputs folder."""


def machine_problem(exc: BaseException, where: object = None) -> str | None:
    """One line for an error of the machine (disk full, quota, read-only or unwritable folder),
    naming the file of `exc`, else `where`; None for any other exception.

    >>> machine_problem(OSError(errno.ENOSPC, "No space left on device", "/o/report.pdf"))
    'cannot write /o/report.pdf: No space left on device'
    >>> machine_problem(ValueError("x")) is None
    True
    """
    if not isinstance(exc, OSError) or exc.errno not in MACHINE_ERRNOS:
        return None
    path = exc.filename or where or "the output folder"
    return f"cannot write {path}: {exc.strerror or exc}"


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
    """A fresh, empty temporary file next to `path` (for writers that need a file name), named
    `.tmp-<pid>-*`: a batch sweeps those whose process is gone (`batch.tidy`)."""
    make_parent(path)
    fd, tmp = tempfile.mkstemp(prefix=f".tmp-{os.getpid()}-", suffix=path.suffix,
                               dir=path.parent)
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
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        # a failed write() names no file, a failed rename the temporary one: name the real file
        if exc.errno is not None and exc.filename in (None, str(tmp)):
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
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


_AT_FDCWD = -100
_RENAME_NOREPLACE = 1


def rename_noreplace(src: Path, dst: Path) -> bool | None:
    """Rename `src` to `dst` only if `dst` does not exist, in one step (Linux `renameat2` with
    `RENAME_NOREPLACE`): True when renamed, False when `dst` exists, None when neither the C
    library nor the file system offers it."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None
    if renameat2(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), _RENAME_NOREPLACE) == 0:
        return True
    err = ctypes.get_errno()
    if err == errno.EEXIST:
        return False
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return None
    raise OSError(err, os.strerror(err), str(dst))


def _claim_then_replace(tmp: Path, path: Path) -> bool:
    """Last resort without hard links or `RENAME_NOREPLACE`: reserve the free name with an
    exclusive create (an empty file of ours), then rename the complete file over it. A reader
    may see an empty file for a moment, never a part of the text; on failure the empty
    reservation is removed again, so a later run can still create the file."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return False
    claimed = os.fstat(fd)
    os.close(fd)
    try:
        os.replace(tmp, path)
    except BaseException:
        try:
            now = os.stat(path, follow_symlinks=False)
            if (now.st_ino, now.st_dev, now.st_size) == (claimed.st_ino, claimed.st_dev, 0):
                os.unlink(path)
        except OSError:
            pass
        raise
    return True


def write_new_file(path: Path, text: str) -> bool:
    """Create `path` with `text` unless it exists; True if created. Never overwrites, and no
    reader ever sees a part of the text.

    The text is written whole (and fsync'ed) to a temporary file in the same folder, which then
    gets the name only if it is free, atomically: a hard link (`os.link` fails if the name
    exists); where the file system has no hard links (FAT, some network and FUSE mounts),
    `rename_noreplace`; where it has neither, `_claim_then_replace`. The file gets
    `public_mode()` (narrative files are published). Links under outputs are refused.
    """
    path = Path(path)
    tmp = temp_path(path)
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, public_mode())
        refuse_symlinks(path)
        try:
            os.link(tmp, path)
            return True
        except FileExistsError:
            return False
        except OSError:  # no hard links here: move the complete file onto the free name
            renamed = rename_noreplace(tmp, path)
            return _claim_then_replace(tmp, path) if renamed is None else renamed
    finally:
        tmp.unlink(missing_ok=True)
