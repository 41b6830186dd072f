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
KINDS = ("kommun", "region")

WORKSPACE_README = """# HME workspace{title}

Folders: `params/` (settings you edit), `outputs/` (the reports), `outputs/private/` (the
store: every respondent's answers, readable only by you; never share or copy this folder;
share reports with `hme publish --year 2025 --to DIR`).
Run every command from this folder with:

    export HME_PARAMS="$PWD/params" HME_OUTPUTS="$PWD/outputs"

(or add `--params params --outputs outputs` to each command). Next steps:

1. `hme inspect responses.xlsx#1` - what each column is recognised as; add `--write-map` to
   save suggestions to `params/column_map.yaml`, then edit that file (headers, value maps such
   as Ja -> chef, extra no-answer values).
2. `hme validate responses.xlsx#1 --org responses.xlsx#2 --all` - the checks, nothing written
   (`--org responses.xlsx#1` when the unit column holds paths: the responses are the tree).
3. `hme ingest responses.xlsx#1 --year 2025 --org responses.xlsx#2 [--headcount FILE]`.
4. `hme units --year 2025 --out units.xlsx` - code, name, path, level, respondents and
   employees of every unit, for HR's head count and outcome files (units by code, name or
   path; `hme validate ... --accept-aliases` keeps other spellings in `params/units.yaml`;
   `hme rename-unit OLD_PATH NEW_PATH` keeps a renamed unit's code).
5. `hme narratives init --year 2025` - narrative files under `params/narratives/2025/`;
   `hme narratives check --year 2025` says what the reports take from them.
6. `hme reports --year 2025 --formats html` - reports under `outputs/reports/2025/`.
7. `hme export kolada --year 2025 --out kolada.csv` - with organisation_kind and kolada_id
   from `params/config.yaml` (`hme init --kind kommun --kolada-id 1480`).

Settings: `params/config.yaml` (organisation_name, organisation_kind, kolada_id, missing_labels,
thresholds); targets:
`params/targets.yaml` (none until you add them).
"""


def _set_config(text: str, key: str, value: str) -> str:
    """`text` (config.yaml) with `key: "value"` replacing the key's line, or appended."""
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    line = f"{key}: {quoted}"
    pattern = re.compile(rf"^{key}:.*$", re.MULTILINE)
    return pattern.sub(lambda _m: line, text) if pattern.search(text) else (
        text.rstrip("\n") + "\n" + line + "\n")


def write_params(dest: Path, organisation: str | None = None, extra: Path | None = None,
                 kind: str | None = None, kolada_id: str | None = None) -> Path:
    """Copy the neutral default params to `dest` (which must not exist), set
    `organisation_name`, `organisation_kind` and `kolada_id` when given, and copy the files of
    `extra` on top."""
    if dest.exists() and any(dest.iterdir()):
        raise HMEError(f"{dest}: already exists and is not empty; choose a new folder or remove it")
    if kind is not None and kind not in KINDS:
        raise HMEError(f"--kind {kind!r}: expected kommun or region")
    if kolada_id is not None and not re.fullmatch(r"\d{4}", kolada_id):
        raise HMEError(f"--kolada-id {kolada_id!r}: expected the organisation's four-digit id "
                       f"in Kolada (e.g. 1480 for a municipality, 0001 ... for a region)")
    shutil.copytree(DEFAULT_PARAMS, dest, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("narratives", "targets.yaml",
                                                  "__pycache__"))
    config = dest / "config.yaml"
    text = config.read_text(encoding="utf-8")
    for key, value in (("organisation_name", organisation), ("organisation_kind", kind),
                       ("kolada_id", kolada_id)):
        if value:
            text = _set_config(text, key, value)
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
        None, "--organisation", help="Organisation name (default: the org tree's root unit); "
        "the root of paths that start below it."),
    kind: str | None = typer.Option(None, "--kind", help="kommun or region: which Kolada "
                                    "KPIs `hme export kolada` writes."),
    kolada_id: str | None = typer.Option(None, "--kolada-id", help="The organisation's "
                                         "four-digit id in Kolada (e.g. 1480)."),
) -> None:
    """Create a workspace: params/ with neutral defaults, outputs/, and a README of next steps."""
    if folder.exists() and not folder.is_dir():
        raise HMEError(f"{folder}: exists and is not a folder")
    write_params(folder / "params", organisation, kind=kind, kolada_id=kolada_id)
    (folder / "outputs").mkdir(parents=True, exist_ok=True)
    title = f": {organisation}" if organisation else ""
    (folder / "README.md").write_text(WORKSPACE_README.format(title=title), encoding="utf-8")
    say(f"Created workspace {folder} (params/, outputs/, README.md). Next: cd {folder} && "
        f'export HME_PARAMS="$PWD/params" HME_OUTPUTS="$PWD/outputs"; hme inspect YOUR_FILE')
    if not (kind and kolada_id):
        say("For `hme export kolada`, give --kind kommun|region and --kolada-id NNNN here, or "
            "set organisation_kind and kolada_id in params/config.yaml.")


def register(app: typer.Typer) -> None:
    """Add `init` to the app."""
    app.command("init")(init)
