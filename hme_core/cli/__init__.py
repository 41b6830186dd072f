"""The `hme` command line: `app` holds the commands, `main` runs them with clean exit codes."""

import os

# One BLAS thread unless the user chose otherwise, set before numpy loads: the disclosure audit
# factors thousands of small blocks, where a second thread only spins (17,464-unit year: 19
# CPU-s with two threads, 9 with one), and report batches already use one process per core.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from hme_core.cli.app import app  # noqa: E402
from hme_core.cli.main import main  # noqa: E402

__all__ = ["app", "main"]
