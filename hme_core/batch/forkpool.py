"""Run tasks each in a fresh fork of a warmed-up process, a few at a time.

The parent imports everything a report needs once (pandas, matplotlib, nbconvert, weasyprint,
hme_core); each task then runs in `os.fork()` of that parent: no import cost, and no state can
pass from one task to the next, since every child starts from the same pristine parent and exits.
A child that dies (killed, segfault) is reported as a failure of its task; the others go on.
"""

from __future__ import annotations

import os
import pickle
import signal
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def fork_available() -> bool:
    return hasattr(os, "fork")


def _child(func: Callable[[T], R], task: T, result_path: str) -> None:
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        result = func(task)
        with open(result_path, "wb") as fh:
            pickle.dump(result, fh)
    except BaseException:  # noqa: BLE001 - a child must never return into the parent's code
        code = 1
    finally:
        os._exit(code)


def run_forked(
    tasks: Sequence[T],
    func: Callable[[T], R],
    workers: int,
    on_failure: Callable[[T, str], R],
    on_done: Callable[[R], None] | None = None,
) -> list[R]:
    """`func(task)` for every task, each in its own forked child, at most `workers` at once.

    `on_failure(task, message)` makes the result of a child that died without one.
    Results come back in completion order.
    """
    pending = list(tasks)
    running: dict[int, tuple[T, str]] = {}
    results: list[R] = []
    tmpdir = tempfile.mkdtemp(prefix="hme-fork-")
    try:
        while pending or running:
            while pending and len(running) < max(1, workers):
                task = pending.pop(0)
                path = os.path.join(tmpdir, f"{len(results) + len(running)}-{len(pending)}.pkl")
                pid = os.fork()
                if pid == 0:
                    _child(func, task, path)
                running[pid] = (task, path)
            pid, status = os.wait()
            if pid not in running:
                continue
            task, path = running.pop(pid)
            try:
                with open(path, "rb") as fh:
                    result = pickle.load(fh)
            except (OSError, EOFError, pickle.UnpicklingError):
                if os.WIFSIGNALED(status):
                    why = f"worker process killed by signal {os.WTERMSIG(status)}"
                else:
                    why = f"worker process exited with status {os.WEXITSTATUS(status)}"
                result = on_failure(task, why)
            results.append(result)
            if on_done:
                on_done(result)
    except BaseException:
        for pid in running:
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except OSError:
                pass
        raise
    finally:
        for p in Path(tmpdir).glob("*"):
            p.unlink(missing_ok=True)
        os.rmdir(tmpdir)
    return results
