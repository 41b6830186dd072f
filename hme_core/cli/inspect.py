"""`hme inspect FILE`: what each column of a file is recognised as, and why.

Per column: the canonical id (or "ignored"), the rule that recognised it (`columns.recognise`),
up to five distinct sample values and the values that would be refused. `--write-map` appends
suggestions (unrecognised columns whose values look like answers, an unrecognised manager flag)
to `params/column_map.yaml`, never changing an existing entry.
"""

from __future__ import annotations

from pathlib import Path

import typer

from hme_core.cli.options import say


def _problems(cid: str, values, settings, instruments, spec) -> list[str]:
    """Distinct values of a recognised column that ingest would refuse (at most five)."""
    import pandas as pd

    from hme_core.inputs.responses import _categories, _mapped, answer_codes, clean_text
    from hme_core.vocabulary import BREAKDOWN_VARIABLES, spellings

    values = _mapped(clean_text(values), spec)
    if cid in BREAKDOWN_VARIABLES:
        _mapped, bad = _categories(values, spellings(cid), settings)
    elif cid in instruments.item_ids:
        _codes, bad = answer_codes(values, instruments.instrument_of_item(cid).scale, settings)
    else:
        return []
    return list(pd.unique(values[bad]))[:5]


def inspect(
    file: Path = typer.Argument(..., help="Responses file (csv, xlsx, xls, sav, parquet; "
                                          "book.xlsx#SHEET for a sheet)."),
    write_map: bool = typer.Option(False, "--write-map",
                                   help="Add suggestions to params/column_map.yaml."),
) -> None:
    """Show what each column is recognised as, by which rule, sample values and problems."""
    from hme_core.config import load_settings
    from hme_core.inputs.columns import header_key, load_column_map, load_value_maps, recognise
    from hme_core.inputs.readers import read_table, variable_labels
    from hme_core.instruments import load_instruments
    from hme_core.paths import params_dir

    raw = read_table(file)
    instruments, settings, column_map = load_instruments(), load_settings(), load_column_map()
    labels = variable_labels(raw)
    ignored, suggestions = [], {}
    typer.echo(f"{file}: {len(raw.frame)} rows, {len(raw.frame.columns)} columns")
    for header in raw.frame.columns:
        cid, rule = recognise(header, instruments, column_map, labels.get(header))
        samples = [str(v) for v in raw.frame[header].dropna().unique()[:5]]
        shown = ", ".join(f"'{s}'" for s in samples)
        if cid is None:
            ignored.append(header)
            if {header_key(s) for s in samples} <= {"ja", "nej", "yes", "no"} and samples:
                suggestions[header] = {"column": "role", "values": {"Ja": "chef",
                                                                    "Nej": "medarbetare"}}
            continue
        spec = load_value_maps().get(header_key(header), ({}, []))
        bad = _problems(cid, raw.frame[header], settings, instruments, spec)
        problem = f"; refused values: {', '.join(map(repr, bad))}" if bad else ""
        typer.echo(f"  {header!r} -> {cid} ({rule}); e.g. {shown}{problem}")
    if ignored:
        typer.echo("Ignored columns (map them in params/column_map.yaml to use them):")
        for header in ignored:
            typer.echo(f"  {header!r}")
    if suggestions:
        typer.echo("Suggestions (a Ja/Nej column may be the manager flag):")
        for header, spec in suggestions.items():
            typer.echo(f"  {header!r}: {spec}")
    if write_map and suggestions:
        path = params_dir() / "column_map.yaml"
        existing = {header_key(k) for k in column_map}
        new = {h: s for h, s in suggestions.items() if header_key(h) not in existing}
        lines = [f'"{h}": {{column: {s["column"]}, values: {{Ja: chef, Nej: medarbetare}}}}'
                 for h, s in new.items()]
        if lines:
            text = path.read_text(encoding="utf-8") if path.exists() else ""
            text = text.rstrip("\n") + "\n# Suggested by `hme inspect` (check them):\n"
            path.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")
        say(f"Added {len(lines)} suggestion(s) to {path}")


def register(app: typer.Typer) -> None:
    """Add `inspect` to the app."""
    app.command("inspect")(inspect)
