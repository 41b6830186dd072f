"""`hme`'s entry point: every command registered, every error one message and an exit code.

Exit codes: 0 ok; 2 bad input or usage (the usage line and one message, never a traceback);
1 the machine refused (disk full, read-only or unwritable folder: one message naming the path)
or a bug (the traceback says where); 130 interrupted.
"""

from __future__ import annotations

import sys
import traceback

import click
import typer

from hme_core.atomic import MACHINE_ERRNOS as _MACHINE_ERRNOS
from hme_core.cli import inspect, narratives, reports, research, serve, units, workspace
from hme_core.cli.app import app
from hme_core.cli.options import hoist_folder_options, say
from hme_core.errors import HMEError

for _module in (reports, research, narratives, serve, workspace, inspect, units):
    _module.register(app)


def _bundled(name: str) -> type[BaseException]:
    """typer ≥ 0.29 raises exceptions of its bundled click copy; find the class named `name`."""
    for cls in typer.BadParameter.__mro__:
        if cls.__name__ == name:
            return cls
    return getattr(click.exceptions, name)


USAGE_ERRORS = (click.ClickException, _bundled("ClickException"))
NO_ARGS = (click.exceptions.NoArgsIsHelpError, _bundled("NoArgsIsHelpError"))
EXITS = (click.exceptions.Exit, typer.Exit)
ABORTS = (click.exceptions.Abort, typer.Abort)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `hme` script; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:  # `hme` alone: the help, which is what was asked for
        argv = ["--help"]
    argv = hoist_folder_options(argv)
    try:
        app(args=argv, standalone_mode=False, prog_name="hme")
    except EXITS as exc:
        return exc.exit_code
    except NO_ARGS as exc:  # `hme` or a group alone: its help, which was asked for
        typer.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        return 0
    except USAGE_ERRORS as exc:
        if getattr(exc, "ctx", 1) is None:  # raised before a command context existed
            say("Usage: hme [OPTIONS] COMMAND [ARGS]...\nTry 'hme --help' for help.\n")
        exc.show()
        return 2
    except ABORTS:
        say("Aborted.")
        return 130
    except HMEError as exc:
        say(f"Error: {exc}")
        return getattr(exc, "exit_code", 2)
    except KeyboardInterrupt:
        say("Interrupted.")
        return 130
    except OSError as exc:
        if exc.errno not in _MACHINE_ERRNOS:
            traceback.print_exc()
            say("Unexpected failure (a bug in hme); the traceback above says where.")
            return 1
        path = exc.filename or "the output folder"
        say(f"Error: cannot write {path}: {exc.strerror or exc}. Free space or make the folder "
            "writable and run again; files already complete were kept, nothing half-written.")
        return 1
    except Exception:  # a bug: show where
        traceback.print_exc()
        say("Unexpected failure (a bug in hme); the traceback above says where.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
