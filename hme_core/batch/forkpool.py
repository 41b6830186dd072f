"""Run tasks each in a fresh fork of a warmed-up process, a few at a time.

The parent imports everything a report needs once (pandas, nbconvert, papermill, hme_core) and
makes Typst's fonts and compiler without compiling (`render.pdf.warm_up`: a child forked from a
process that has compiled hangs); each task then runs in `os.fork()` of that parent: no import cost, and no state can
pass from one task to the next, since every child starts from the same pristine parent and exits.
A child that dies (killed, segfault) is reported as a failure of its task; the others go on.

Temporary files never outlive a run. Each task gets its own folder inside the run's
`<tmp>/hme-fork-<parent pid>-*` folder, and the child's temporary files (`tempfile`, `TMPDIR`)
go there; the parent removes the task's folder as soon as the child has ended, whether it
exited or was killed (SIGKILL included). When the parent gets SIGTERM it stops its children,
removes the run's folder and then dies of SIGTERM as it would have. Against a SIGKILL of the
parent, which no process can catch, the children die with it (Linux `PR_SET_PDEATHSIG`) and the
next run removes the folders of runs whose parent is gone.

The parent's objects are frozen out of the garbage collector before it forks (`gc.freeze`): a
child's collections then never walk (and so never copy, page by page) the parent's hundreds of
MB of imported modules and warmed caches, and a child collects its young objects less often
(`CHILD_GC_THRESHOLD`); together ~8 % of a report's CPU time here.
"""

from __future__ import annotations

import ctypes
import gc
import os
import pickle
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from hme_core.errors import HMEError

T = TypeVar("T")
R = TypeVar("R")

PREFIX = "hme-fork-"
CHILD_GC_THRESHOLD = (20_000, 20, 20)  # allocations before a young collection (default 700)
_PR_SET_PDEATHSIG = 1


class Terminated(BaseException):
    """Raised in the parent by its SIGTERM handler, so that cleanup runs before it dies."""


def fork_available() -> bool:
    return hasattr(os, "fork")


def _die_with_parent() -> None:
    """Ask Linux to send this (child) process SIGTERM when its parent dies; elsewhere a no-op."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (AttributeError, OSError):
        pass


def _child(func: Callable[[T], R], task: T, folder: str, parent: int) -> None:
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _die_with_parent()
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)
        gc.set_threshold(*CHILD_GC_THRESHOLD)
        os.environ["TMPDIR"] = folder  # this task's temporary files go into its own folder
        tempfile.tempdir = folder
        result = func(task)
        with open(os.path.join(folder, "result.pkl"), "wb") as fh:
            pickle.dump(result, fh)
    except BaseException:  # noqa: BLE001 - a child must never return into the parent's code
        code = 1
    finally:
        os._exit(code)


def _alive(pid: int) -> bool:
    """True while process `pid` exists and is not a zombie waiting to be reaped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def sweep_orphans(tmp: str | Path | None = None) -> list[Path]:
    """Remove the run folders (`hme-fork-<pid>-*`, ours) of runs whose parent process is gone
    (it was killed with SIGKILL, or the machine stopped). Returns the folders removed."""
    removed = []
    for folder in Path(tmp or tempfile.gettempdir()).glob(f"{PREFIX}*-*"):
        pid = folder.name[len(PREFIX):].split("-", 1)[0]
        try:
            mine = folder.is_dir() and not folder.is_symlink() and folder.stat().st_uid == os.getuid()
        except OSError:
            continue
        if mine and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _stop(running: dict[int, tuple]) -> None:
    """SIGTERM every running child and reap it."""
    for pid in running:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
    for pid in running:
        try:
            os.waitpid(pid, 0)
        except OSError:
            pass


def _on_sigterm(signum, frame) -> None:
    raise Terminated()


def run_forked(
    tasks: Sequence[T],
    func: Callable[[T], R],
    workers: int,
    on_failure: Callable[[T, str], R],
    on_done: Callable[[R], None] | None = None,
    keep_frozen: bool = False,
) -> list[R]:
    """`func(task)` for every task, each in its own forked child, at most `workers` at once.

    `on_failure(task, message)` makes the result of a child that died without one.
    Results come back in completion order. Temporary folders are removed as the module says.
    `keep_frozen`: leave this process's objects frozen out of the GC afterwards (a process that
    forks again and again, `batch.warm_server`, then pays the full collection only once).
    """
    from hme_core.render.pdf import compiled_here

    if compiled_here():  # its children would hang in their first compile
        raise HMEError("this process has already made a PDF with Typst, and a child forked from "
                       "it would hang: render from a process that has not (a new `hme reports`, "
                       "or --engine kernel)")
    sweep_orphans()
    pending = list(tasks)
    running: dict[int, tuple[T, str]] = {}
    results: list[R] = []
    tmpdir = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
    previous = signal.getsignal(signal.SIGTERM)
    if previous is None:  # a handler not set from Python: treat it as the default
        previous = signal.SIG_DFL
    # handlers can only be set in the main thread; an ignored SIGTERM stays ignored
    handled = threading.current_thread() is threading.main_thread() and previous != signal.SIG_IGN
    if handled:
        signal.signal(signal.SIGTERM, _on_sigterm)
    started = 0
    gc.collect()
    gc.freeze()  # the children never collect (nor copy) what the parent holds now
    try:
        while pending or running:
            while pending and len(running) < max(1, workers):
                task = pending.pop(0)
                folder = os.path.join(tmpdir, f"task-{started}")
                started += 1
                os.mkdir(folder, 0o700)
                parent = os.getpid()
                pid = os.fork()
                if pid == 0:
                    _child(func, task, folder, parent)
                running[pid] = (task, folder)
            pid, status = os.wait()
            if pid not in running:
                continue
            task, folder = running.pop(pid)
            try:
                with open(os.path.join(folder, "result.pkl"), "rb") as fh:
                    result = pickle.load(fh)
            except (OSError, EOFError, pickle.UnpicklingError):
                if os.WIFSIGNALED(status):
                    why = f"worker process killed by signal {os.WTERMSIG(status)}"
                else:
                    why = f"worker process exited with status {os.WEXITSTATUS(status)}"
                result = on_failure(task, why)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            results.append(result)
            if on_done:
                on_done(result)
    except BaseException as exc:
        if isinstance(exc, Terminated):  # a second SIGTERM must not cut the cleanup short
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _stop(running)
        shutil.rmtree(tmpdir, ignore_errors=True)
        if isinstance(exc, Terminated):
            signal.signal(signal.SIGTERM, previous)
            os.kill(os.getpid(), signal.SIGTERM)  # die of SIGTERM, as without the handler
        raise
    finally:
        if not keep_frozen:
            gc.unfreeze()
        shutil.rmtree(tmpdir, ignore_errors=True)
        if handled:
            signal.signal(signal.SIGTERM, previous)
    return results
