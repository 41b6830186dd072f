"""`hme inspect FILE`: what each column of a file is recognised as, and why.

Per column: the canonical id (or "ignored"), the rule that recognised it (`columns.recognise`),
up to five distinct sample values and the values that would be refused, each item judged by its
own scale (a 4-option or frequency item by its labels, not HME's).

`--write-map` appends suggestions to `params/column_map.yaml`, never changing an existing entry,
and only with evidence from the values: a role column holds role-like values ("Chef",
"Medarbetare"; or Ja/Nej under a header naming managers), a patient-contact column Ja/Nej under
a header naming patients. A Ja/Nej question such as "Har du haft medarbetarsamtal?" is neither.

`--write-instruments` writes instrument proposals (`inputs.own_items`) for the item-like columns
no instrument knows: one file per group under `params/instruments/` (never overwriting one), and
a scale file under `instruments/scales/` for a scale not shipped. HR reviews and edits them.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from hme_core.cli.options import say

_ROLE_VALUES = {"chef", "medarbetare", "manager", "employee", "ledare", "arbetsledare"}
_YES_NO = {"ja", "nej", "yes", "no"}
#: Words of a header asking whether the respondent is a manager (with Ja/Nej answers).
_MANAGER_WORDS = ("chef", "personalansvar", "ledningsansvar", "arbetsledare", "manager",
                  "supervisor")


def _problems(cid: str, values, settings, instruments, spec) -> list[str]:
    """Distinct values of a recognised column that ingest would refuse (at most five)."""
    import pandas as pd

    from hme_core.inputs.answers import answer_codes
    from hme_core.inputs.responses import _categories, _mapped, clean_text
    from hme_core.vocabulary import BREAKDOWN_VARIABLES, spellings

    values = _mapped(clean_text(values), spec)
    if cid in BREAKDOWN_VARIABLES:
        _mapped, bad = _categories(values, spellings(cid), settings)
    elif cid in instruments.item_ids:
        scale = instruments.instrument_of_item(cid).scale_of(cid)  # the item's own scale
        _codes, bad = answer_codes(values, scale, settings)
    else:
        return []
    return list(pd.unique(values[bad]))[:5]


def map_suggestion(header: str, values: list[str]) -> dict | None:
    """A column map entry for an unrecognised column, only with evidence from its values.

    >>> map_suggestion("Är du chef?", ["Ja", "Nej"])["column"]
    'role'
    >>> map_suggestion("Befattning", ["Chef", "Medarbetare"])["column"]
    'role'
    >>> map_suggestion("Patientkontakt?", ["Ja", "Nej"])["column"]
    'patient_contact'
    >>> map_suggestion("Har du personalansvar?", ["Ja", "Nej"])["column"]
    'role'
    >>> map_suggestion("Har du haft medarbetarsamtal?", ["Ja", "Nej"]) is None
    True
    """
    from hme_core.inputs.columns import header_key

    keys = {header_key(v) for v in values if str(v).strip()}
    head = header_key(header)
    if not keys:
        return None
    if keys <= _YES_NO:
        if "patient" in head:
            return {"column": "patient_contact"}
        if any(w in head for w in _MANAGER_WORDS) and "samtal" not in head:
            return {"column": "role", "values": {"Ja": "chef", "Nej": "medarbetare"}}
        return None
    if keys <= _ROLE_VALUES and len(keys) >= 2:
        return {"column": "role"}
    return None


def _entry(header: str, spec: dict) -> str:
    values = spec.get("values")
    inner = ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {v}" for k, v in values.items()) \
        if values else ""
    tail = f", values: {{{inner}}}" if values else ""
    return f"{json.dumps(header, ensure_ascii=False)}: {{column: {spec['column']}{tail}}}"


def inspect(
    file: Path = typer.Argument(..., help="Responses file (csv, xlsx, xls, sav, parquet; "
                                          "book.xlsx#SHEET for a sheet)."),
    write_map: bool = typer.Option(False, "--write-map",
                                   help="Add suggestions to params/column_map.yaml."),
    write_instruments: bool = typer.Option(
        False, "--write-instruments",
        help="Write instrument proposals for the organisation's own questions to "
             "params/instruments/ (scales inferred from the answers; review them)."),
    org: Path | None = typer.Option(
        None, "--org", help="Org tree file: also propose reporting groups (implied when the "
        "unit column holds paths)."),
) -> None:
    """Show what each column is recognised as, by which rule, sample values and problems;
    with a tree (`--org`, or a unit column of paths), the reporting groups to propose."""
    from hme_core.config import load_settings
    from hme_core.inputs.columns import header_key, load_column_map, load_value_maps, recognise
    from hme_core.inputs.readers import read_table, variable_labels
    from hme_core.instruments import load_instruments
    from hme_core.paths import params_dir

    raw = read_table(file)
    instruments, settings, column_map = load_instruments(), load_settings(), load_column_map()
    labels = variable_labels(raw)
    ignored, suggestions, unknown = [], {}, {}
    typer.echo(f"{file}: {len(raw.frame)} rows, {len(raw.frame.columns)} columns"
               f"{raw.sheet_hint()}")
    for header in raw.frame.columns:
        cid, rule = recognise(header, instruments, column_map, labels.get(header))
        distinct = raw.frame[header].dropna().unique()
        samples = [str(v) for v in distinct[:5]]
        shown = ", ".join(f"'{s}'" for s in samples)
        if cid is None:
            ignored.append(header)
            spec = map_suggestion(header, [str(v) for v in distinct[:20]])
            if spec:
                suggestions[header] = spec
            elif len(distinct) <= 40:
                unknown[header] = list(distinct)
            continue
        maps = load_value_maps()
        spec = maps.get(header_key(header)) or maps.get(header_key(labels.get(header) or ""),
                                                         ({}, []))
        bad = _problems(cid, raw.frame[header], settings, instruments, spec)
        problem = f"; refused values: {', '.join(map(repr, bad))}" if bad else ""
        typer.echo(f"  {header!r} -> {cid} ({rule}); e.g. {shown}{problem}")
    if ignored:
        typer.echo("Ignored columns (map them in params/column_map.yaml to use them):")
        for header in ignored:
            typer.echo(f"  {header!r}")
    if suggestions:
        typer.echo("Suggestions (from the columns' values):")
        for header, spec in suggestions.items():
            typer.echo(f"  {header!r}: {spec}")
    if write_map and suggestions:
        path = params_dir() / "column_map.yaml"
        existing = {header_key(k) for k in column_map}
        lines = [_entry(h, s) for h, s in suggestions.items() if header_key(h) not in existing]
        if lines:
            text = path.read_text(encoding="utf-8") if path.exists() else ""
            text = text.rstrip("\n") + "\n# Suggested by `hme inspect` (check them):\n"
            path.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")
        say(f"Added {len(lines)} suggestion(s) to {path}")
    if unknown:
        _own_questions(unknown, instruments, labels, file, write_instruments)
    _groups(file, org, instruments, settings)


def _groups(file: Path, org: Path | None, instruments, settings) -> None:
    """When the file gives a tree (`--org`, or a unit column of paths), the reporting groups
    `hme validate` would propose, and the one command that accepts them."""
    from hme_core.cli.app import _reporting_groups
    from hme_core.errors import HMEError
    from hme_core.results.pipeline import read_inputs

    try:
        inputs = read_inputs(file, org, None, None, instruments, settings)
    except HMEError:  # inspect is where a file's problems are found: validate lists them
        if org is not None:
            typer.echo("Reporting groups: not proposed until the file reads; "
                       f"`hme validate {file} --org {org}` lists the problems")
        return
    if inputs.org is None:
        return
    command = f"hme validate {file}" + (f" --org {org}" if org is not None else "")
    _reporting_groups(inputs, settings, instruments, write=False,
                      accept=f"accept with `{command} --write-groups`")


def _own_questions(columns: dict, instruments, labels: dict, file: Path, write: bool) -> None:
    """List (and with `write`, write) instrument proposals for the unrecognised item columns."""
    from hme_core.inputs.own_items import propose_instruments, write_proposals
    from hme_core.paths import params_dir

    taken = {*instruments.item_ids, *instruments.index_ids, *(i.id for i in instruments)}
    proposals = propose_instruments(columns, taken, labels)
    if not proposals:
        return
    typer.echo("The organisation's own questions (scale inferred from the answers found):")
    for p in proposals:
        typer.echo(f"  {p.id} ({p.name}): {len(p.items)} item(s) on "
                   f"{', '.join(s.id for s in p.scales)}"
                   + (f"; reversed: {', '.join(i['id'] for i in p.items if i['reversed'])}"
                      if any(i["reversed"] for i in p.items) else ""))
    if not write:
        typer.echo("  (add --write-instruments to write them to params/instruments/)")
        return
    written = write_proposals(proposals, params_dir() / "instruments", str(file))
    for path in written:
        say(f"Wrote {path}")
    say(f"Wrote {len(written)} file(s): review names, scales and reversed items, then "
        "`hme validate` and `hme ingest`")


def register(app: typer.Typer) -> None:
    """Add `inspect` to the app."""
    app.command("inspect")(inspect)
