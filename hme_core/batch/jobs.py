"""One unit's report as a job: what to render, what came of it, and the function that renders it.

Shared by the local pool (`batch.run`, `batch.forkpool`) and dask workers (`batch.cluster`).
"""

from __future__ import annotations

import re
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from hme_core.atomic import atomic_write, machine_problem
from hme_core.batch.keys import key_file_name
from hme_core.errors import HMEError


@dataclass
class UnitJob:
    year: int
    unit: str
    name: str
    folder: Path
    lang: str
    db: Path
    formats: tuple[str, ...]
    notebook: Path
    executor: str = "inprocess"  # where the notebook runs (see render.notebook)
    key: str = ""


@dataclass
class UnitOutcome:
    unit: str
    folder: Path
    ok: bool
    seconds: float
    error: str = ""
    files: dict[str, str] = field(default_factory=dict)
    skipped: bool = False


def render_unit(job: UnitJob) -> UnitOutcome:
    """Render one unit (runs in a worker). Never raises: failures come back as an outcome."""
    from hme_core.i18n import t
    from hme_core.render.notebook import render_notebook

    t0 = time.perf_counter()
    try:
        files = render_notebook(
            job.notebook,
            {"year": job.year, "unit": job.unit, "lang": job.lang, "db": str(job.db)},
            job.folder,
            title=f"{job.name} – {t('report_title', job.lang, year=job.year)}",
            header=f"{job.name} · {t('report_title', job.lang, year=job.year)}",
            lang=job.lang,
            formats=job.formats,
            executor=job.executor,
        )
        if job.key:
            atomic_write(job.folder / key_file_name(job.lang), job.key)
        return UnitOutcome(job.unit, job.folder, True, time.perf_counter() - t0,
                           files={k: str(v) for k, v in files.items()})
    except Exception as exc:  # one unit's failure is reported, never fatal to the batch
        msg = str(exc) if isinstance(exc, HMEError) else machine_problem(exc, job.folder) or "".join(
            traceback.format_exception_only(type(exc), exc)).strip()
        return UnitOutcome(job.unit, job.folder, False, time.perf_counter() - t0,
                           error=target_names(msg, job.lang))


_TEMP_NAME = re.compile(r"\.tmp-[A-Za-z0-9_-]+\.(ipynb|html|pdf)\b")


def target_names(message: str, lang: str) -> str:
    """A message naming the file a temporary file was to become (`report.ipynb`), never the
    temporary file itself (`.tmp-123-ab3x.ipynb`), which the user cannot find afterwards.

    >>> target_names("cannot write /o/a1/.tmp-42-x_y9.ipynb: No space left", "en")
    'cannot write /o/a1/report.en.ipynb: No space left'
    """
    from hme_core.unit_files import report_file

    return _TEMP_NAME.sub(lambda m: report_file(m.group(1), lang), message)


def died(job: UnitJob, why: str) -> UnitOutcome:
    """The outcome of a worker that died (killed, out of memory). Its temporary files in the
    unit's folder (`.tmp-*`, see `atomic`) would otherwise stay: they are removed."""
    if job.folder.is_dir() and not job.folder.is_symlink():
        for leftover in job.folder.glob(".tmp-*"):
            leftover.unlink(missing_ok=True)
    return UnitOutcome(job.unit, job.folder, False, 0.0, error=why)
