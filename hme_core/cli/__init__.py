"""The `hme` command line: `app` holds the commands, `main` runs them with clean exit codes."""

from hme_core.cli.app import app
from hme_core.cli.main import main

__all__ = ["app", "main"]
