"""The progress bar of the long commands: done / total, a rate, the time spent and an ETA.

Shown on standard error, and only when standard error is a terminal: a script that captures
the output (or parses the summary lines) sees nothing of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    """Items per minute, from rich's speed estimate (the last 30 s)."""

    def __init__(self, unit: str):
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        rate = f"{60 * speed:.1f}" if speed else "–"
        return Text(f"{rate} {self.unit}/min", style="progress.data.speed")


class Bar:
    """One task of a progress display: set its total when known, advance after each item."""

    def __init__(self, progress: Progress, description: str, total: int | None):
        self._progress = progress
        self._task = progress.add_task(description, total=total, label="")

    def total(self, count: int) -> None:
        """The number of items this command will process (known once they are selected)."""
        self._progress.update(self._task, total=count)

    def advance(self, label: str = "", steps: int = 1) -> None:
        """One (or `steps`) more item(s) done; `label` names the last one."""
        self._progress.update(self._task, advance=steps, label=label[:30])


@contextmanager
def progress_bar(description: str, total: int | None = None, unit: str = "units",
                 console: Console | None = None) -> Iterator[Bar]:
    """A progress bar on standard error, shown only if that is a terminal.

    The total may be given later (`Bar.total`); until then the bar only counts.
    """
    console = console or Console(stderr=True)
    columns = (TextColumn("[progress.description]{task.description}"), BarColumn(),
               MofNCompleteColumn(), RateColumn(unit), TimeElapsedColumn(),
               TextColumn("ETA"), TimeRemainingColumn(), TextColumn("{task.fields[label]}"))
    with Progress(*columns, console=console, disable=not console.is_terminal) as progress:
        yield Bar(progress, description, total)
