"""A warmed-up helper process on a dask worker that renders each unit in a fresh fork of itself.

Locally, `hme reports` renders every unit in a fork of a parent that imported and warmed up
everything once (`batch.forkpool`). A dask worker cannot do that itself: it is multi-threaded
(a fork keeps only the calling thread, and any lock another thread held stays locked in the
child) and, under a nanny, daemonic (multiprocessing refuses to start children). Rendering every
unit in its own Jupyter kernel instead costs a kernel start and the report's imports per unit
(measured: 28.6 units per minute on two local workers, against ~56 for `hme reports` on the
same two cores).

So each worker thread starts, on its first unit, one single-threaded helper
(`python -m hme_core.batch.warm_server`, a plain subprocess) that imports and warms up as the
local parent does (`render.notebook.warm_up`) for one `params/` folder, then reads jobs from its
standard input and answers each with the outcome of `forkpool.run_forked([job], render_unit)`:
every unit still starts from a pristine process, and a unit whose child dies comes back as that
unit's failure. Messages are pickles framed by their length; the helper's own standard output
is moved to standard error so that nothing a library prints can corrupt them. A helper dies with
the thread that started it (Linux `PR_SET_PDEATHSIG`) or when its standard input closes; a
helper that died is replaced on the next unit, and a unit sent to a helper that died is sent
once more to a new one.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import struct
import subprocess
import sys
import threading
from pathlib import Path

from hme_core.batch.jobs import UnitJob, UnitOutcome

_LENGTH = struct.Struct("!Q")
_local = threading.local()


def _write(stream, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def _read(stream):
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError("the warm helper closed its pipe")
    (size,) = _LENGTH.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the warm helper closed its pipe mid-message")
    return pickle.loads(data)


class WarmHelper:
    """One helper process for one `params/` folder (warm-up reads the params)."""

    def __init__(self, params: Path) -> None:
        self.params = Path(params)
        env = {**os.environ, "HME_PARAMS": str(self.params), "MPLBACKEND": "Agg"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hme_core.batch.warm_server"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, env=env, close_fds=True)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def render(self, job: UnitJob) -> UnitOutcome:
        _write(self.proc.stdin, job)
        return _read(self.proc.stdout)

    def close(self) -> None:
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _helper(params: Path) -> WarmHelper:
    helper = getattr(_local, "helper", None)
    if helper is not None and (helper.params != Path(params) or not helper.alive()):
        helper.close()
        helper = None
    if helper is None:
        helper = _local.helper = WarmHelper(params)
    return helper


def render_warm(job: UnitJob, params: Path) -> UnitOutcome:
    """Render `job` (in-process engine) in a fork of this thread's warm helper for `params`.

    Never raises for a helper that died: the job is sent once more to a new helper, and if that
    fails too the outcome is the unit's failure, saying why."""
    job = dataclasses.replace(job, executor="inprocess")  # the helper runs cells in its forks
    why = ""
    for _attempt in range(2):
        helper = _helper(params)
        try:
            return helper.render(job)
        except (OSError, EOFError, pickle.UnpicklingError) as exc:
            why = f"the warm helper process on the dask worker ended ({exc})"
            helper.close()
            _local.helper = None
    return UnitOutcome(job.unit, job.folder, False, 0.0, error=why)


def serve(stdin, stdout) -> None:
    """The helper's loop: warm up, then one forked render per job until the input closes."""
    from hme_core.batch.forkpool import _die_with_parent, run_forked
    from hme_core.batch.jobs import died, render_unit
    from hme_core.render.notebook import warm_up

    _die_with_parent()
    warm_up()
    while True:
        try:
            job = _read(stdin)
        except EOFError:
            return
        (outcome,) = run_forked([job], render_unit, 1, died, keep_frozen=True)
        _write(stdout, outcome)


def main() -> None:
    messages = os.fdopen(os.dup(1), "wb")  # the framed answers
    os.dup2(2, 1)  # anything printed (by us, a library, a child) goes to standard error
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, messages)


if __name__ == "__main__":
    main()
