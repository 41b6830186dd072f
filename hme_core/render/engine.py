"""A papermill engine that runs a notebook's cells in this process's IPython shell.

papermill's default engine starts a Jupyter kernel per notebook: on this machine ~3.5 s of
process start and imports for reports whose own work is ~2 s (measured here). This engine skips the
kernel; `hme_core.batch.forkpool` runs it in a fresh fork of a warmed-up process for every notebook,
so imports are paid once while every notebook still starts from a pristine interpreter.

Registered with papermill as ``hme-inprocess`` when this module is imported (not as an entry
point: papermill loads entry points while it is itself being imported, which would be circular). Outputs are recorded
as a kernel would: stdout/stderr streams, display_data, execute_result, and an `error` output
that makes papermill raise `PapermillExecutionError` naming the cell.

Cells run with pandas' python string storage (`mode.string_storage`, restored afterwards): a
report makes thousands of selections on frames of a few dozen rows, where Arrow-backed strings
(pandas 3's default) cost ~20 % of the notebook's CPU time in per-call overhead (measured here:
0.38 → 0.30 CPU-s of a report's data step with `store.snapshot` holding the same storage). The
dtype is `str` either way, with the same values and missing values.
"""

from __future__ import annotations

import nbformat
import pandas as pd
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import CapturingDisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from papermill.engines import Engine, papermill_engines

from hme_core.store.snapshot import STRING_STORAGE  # one storage for the copy and the cells

ENGINE_NAME = "hme-inprocess"


class _CapturingHook(DisplayHook):
    """Records the value of a cell's last expression as an execute_result."""

    def __init__(self, shell, sink: list):
        super().__init__(shell=shell, cache_size=0)
        self.sink = sink

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict, md_dict=None) -> None:
        self.sink.append((format_dict, md_dict or {}))

    def finish_displayhook(self) -> None:
        self._is_active = False


def _shell() -> tuple[InteractiveShell, list, CapturingDisplayPublisher]:
    shell = InteractiveShell.instance(colors="nocolor")
    sink: list = []
    pub = CapturingDisplayPublisher()
    shell.display_pub = pub
    hook = _CapturingHook(shell, sink)
    shell.displayhook = hook
    shell.display_trap.hook = hook
    shell.showtraceback = lambda *args, **kwargs: None  # errors become an `error` output
    _figures_as_png(shell)
    return shell, sink, pub


def _figures_as_png(shell) -> None:
    """Show matplotlib figures as PNG, as the inline backend of a kernel does (an analyst's
    cell). Registered by the type's name: matplotlib is imported only by a cell that uses it
    (the report's own charts are SVG and need none)."""
    from IPython.core.pylabtools import print_figure

    formatter = shell.display_formatter.formatters["image/png"]
    formatter.for_type_by_name("matplotlib.figure", "Figure",
                               lambda fig: print_figure(fig, "png", base64=True,
                                                          bbox_inches="tight", dpi=110))


def warm_up() -> None:
    """Create the shell now (in a parent that will fork), so children don't pay for it."""
    _shell()


def run_cell(shell, sink, pub, source: str, count: int) -> tuple[list, BaseException | None]:
    """Execute one cell; return its nbformat outputs and the exception it raised, if any."""
    sink.clear()
    pub.outputs.clear()
    with capture_output(display=False) as cap:
        result = shell.run_cell(source, store_history=False)
    out = []
    if cap.stdout:
        out.append(nbformat.v4.new_output("stream", name="stdout", text=cap.stdout))
    if cap.stderr:
        out.append(nbformat.v4.new_output("stream", name="stderr", text=cap.stderr))
    for o in pub.outputs:
        out.append(nbformat.v4.new_output("display_data", data=o["data"],
                                          metadata=o.get("metadata") or {}))
    for data, md in sink:
        out.append(nbformat.v4.new_output("execute_result", data=data, metadata=md,
                                          execution_count=count))
    err = result.error_before_exec or result.error_in_exec
    if err is not None:
        tb = shell.InteractiveTB.structured_traceback(type(err), err, err.__traceback__)
        out.append(nbformat.v4.new_output("error", ename=type(err).__name__, evalue=str(err),
                                          traceback=tb))
    return out, err


class InProcessEngine(Engine):
    """papermill engine: execute cells in-process, stop at the first failing cell."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        with pd.option_context("mode.string_storage", STRING_STORAGE):
            return cls._run_cells(nb_man)

    @classmethod
    def _run_cells(cls, nb_man):
        shell, sink, pub = _shell()
        count = 0
        for index, cell in enumerate(nb_man.nb.cells):
            nb_man.cell_start(cell, index)
            if cell.cell_type != "code" or not cell.source.strip():
                nb_man.cell_complete(cell, index)
                continue
            count += 1
            cell.execution_count = count
            cell.outputs, err = run_cell(shell, sink, pub, cell.source, count)
            if err is not None:
                nb_man.cell_exception(cell, cell_index=index, exception=err)
                nb_man.cell_complete(cell, index)
                break
            nb_man.cell_complete(cell, index)
        return nb_man.nb


papermill_engines.register(ENGINE_NAME, InProcessEngine)
