"""Workspaces: `hme init DIR` and the params folders `hme demo-data` writes.

A workspace is a folder with `params/` (neutral defaults: scoring settings, instruments, column
map, analysis rules; no targets, no narratives) and `outputs/` (reports; the store in the
owner-only `outputs/private/`). Commands use it
with `--params DIR/params --outputs DIR/outputs` or `HME_PARAMS`/`HME_OUTPUTS`. The demo's own
settings (its organisation name and its targets) live in `hme_core/demo/params/` and are written
only into the demo's params folder.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import typer

from hme_core.cli.options import say
from hme_core.errors import HMEError
from hme_core.paths import REPO_ROOT

DEFAULT_PARAMS = REPO_ROOT / "params"
DEMO_PARAMS = Path(__file__).resolve().parents[1] / "demo" / "params"
_ORG_LINE = re.compile(r"^organisation_name:.*$", re.MULTILINE)

WORKSPACE_README = """# HME workspace{title}

Folders: `params/` (settings you edit), `outputs/` (the reports), `outputs/private/` (the
store: every respondent's answers, readable only by you; never share or copy this folder;
share reports with `hme publish --year 2025 --to DIR`).
Run every command from this folder with:

    export HME_PARAMS="$PWD/params" HME_OUTPUTS="$PWD/outputs"

(or add `--params params --outputs outputs` to each command). Next steps:

1. `hme inspect responses.xlsx#1` - what each column is recognised as; add `--write-map` to
   save suggestions to `params/column_map.yaml`, then edit that file (headers, value maps such
   as Ja -> chef, extra no-answer values); add `--write-instruments` to write instrument files
   for your own questions to `params/instruments/` (scales inferred from the answers, reversed
   items marked): check their names, scales and reversed items.
2. `hme validate responses.xlsx#1 --org responses.xlsx#2` - the checks, nothing written.
3. `hme ingest responses.xlsx#1 --year 2025 --org responses.xlsx#2 [--headcount FILE]`.
4. `hme narratives init --year 2025` - narrative files under `params/narratives/2025/`.
5. `hme reports --year 2025 --formats html` - reports under `outputs/reports/2025/`.
6. `hme export kolada --year 2025 --out kolada.csv`.

Settings: `params/config.yaml` (organisation_name, missing_labels, thresholds); targets:
`params/targets.yaml` (none until you add them).
"""


def write_params(dest: Path, organisation: str | None = None, extra: Path | None = None) -> Path:
    """Copy the neutral default params to `dest` (which must not exist), set
    `organisation_name` when given, and copy the files of `extra` on top."""
    if dest.exists() and any(dest.iterdir()):
        raise HMEError(f"{dest}: already exists and is not empty; choose a new folder or remove it")
    shutil.copytree(DEFAULT_PARAMS, dest, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("narratives", "targets.yaml", "__pycache__"))
    if organisation:
        config = dest / "config.yaml"
        text = config.read_text(encoding="utf-8")
        quoted = '"' + organisation.replace("\\", "\\\\").replace('"', '\\"') + '"'
        line = f"organisation_name: {quoted}"
        text = _ORG_LINE.sub(lambda _m: line, text) if _ORG_LINE.search(text) else (
            text.rstrip("\n") + "\n" + line + "\n")
        config.write_text(text, encoding="utf-8")
    if extra is not None:
        shutil.copytree(extra, dest, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def demo_params(dest: Path) -> Path:
    """The demo's params folder: the defaults, the demo's organisation name and targets."""
    from hme_core.demo.names import ROOT_NAME

    if dest.exists():
        shutil.rmtree(dest)
    return write_params(dest, ROOT_NAME, DEMO_PARAMS)


def init(
    folder: Path = typer.Argument(..., help="Folder to create (or an empty one)."),
    organisation: str | None = typer.Option(
        None, "--organisation", help="Organisation name (default: the org tree's root unit)."),
) -> None:
    """Create a workspace: params/ with neutral defaults, outputs/, and a README of next steps."""
    if folder.exists() and not folder.is_dir():
        raise HMEError(f"{folder}: exists and is not a folder")
    write_params(folder / "params", organisation)
    (folder / "outputs").mkdir(parents=True, exist_ok=True)
    title = f": {organisation}" if organisation else ""
    (folder / "README.md").write_text(WORKSPACE_README.format(title=title), encoding="utf-8")
    say(f"Created workspace {folder} (params/, outputs/, README.md). Next: cd {folder} && "
        f'export HME_PARAMS="$PWD/params" HME_OUTPUTS="$PWD/outputs"; hme inspect YOUR_FILE')


def register(app: typer.Typer) -> None:
    """Add `init` to the app."""
    app.command("init")(init)
