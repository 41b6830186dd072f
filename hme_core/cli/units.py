"""`hme units --year Y [--out FILE]`: every unit of a year's tree, so HR can fill its files.

One row per unit in tree order: `code`, `name`, `path` (names from the root, ' / ' between
them: what head count and outcome files may write instead of the code), `level` (root = 1),
`respondents` (answers in the unit and every unit below it, as its report counts them; counts
are public, docs/sources.md) and `employees` (the head count given for the unit itself, blank
when the head counts name none).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import typer

from hme_core.cli.options import DB_OPTION, db_path, say

UNIT_COLUMNS = ["code", "name", "path", "level", "respondents", "employees"]


def unit_table(store, year: int) -> pd.DataFrame:
    """The table `hme units` shows (see the module docstring)."""
    from hme_core.inputs.units import PATH_SEPARATOR
    from hme_core.orgtree import Tree, levels, rollup, tree_order

    org = store.load_org(year)
    order = tree_order(org)
    tree = Tree(org)
    units = org["unit"].astype(str).tolist()
    position = {u: i for i, u in enumerate(units)}
    own = store.con.execute("SELECT unit, count(*) FROM responses WHERE year = ? GROUP BY unit",
                            [year]).fetchall()
    at = np.array([position[u] for u, _n in own if u in position], np.int64)
    counts = np.array([[n] for u, n in own if u in position], float).reshape(-1, 1)
    pos, _group, sums = rollup(org, at, np.zeros(len(at), np.int64), counts)
    respondents = np.zeros(len(units), np.int64)
    respondents[pos] = sums[:, 0].astype(np.int64)
    heads = store.load_headcounts(year)
    employees = heads.set_index("unit")["employees"] if heads is not None and len(heads) else {}
    level = levels(org)
    rows = [(u, tree.name[u], PATH_SEPARATOR.join(tree.path_names(u)), int(level[u]),
             int(respondents[position[u]]), employees.get(u, pd.NA)) for u in order]
    return pd.DataFrame(rows, columns=UNIT_COLUMNS).astype({"employees": "Int64"})


def units(
    year: int = typer.Option(..., "--year", help="Survey year."),
    out: Path | None = typer.Option(None, "--out", help="Write .csv, .xlsx or .parquet."),
    db: Path | None = DB_OPTION,
) -> None:
    """List the units of a year: code, name, path, level, respondents, employees."""
    from hme_core.results.export import neutralise_formulas, write_table
    from hme_core.store.duckdb_store import Store

    with Store.open(db_path(db), read_only=True) as store:
        store._require(year)
        table = unit_table(store, year)
    if out is None:
        typer.echo(neutralise_formulas(table).to_csv(index=False, sep=";"), nl=False)
    else:
        write_table(table, out)
        say(f"Wrote {len(table)} units of {year} to {out}")


def rename_unit(
    old: str = typer.Argument(..., help="The unit's old path ('Förvaltning / ... / Old name')."),
    new: str = typer.Argument(..., help="Its new path."),
) -> None:
    """Record that a unit known by its path was renamed: it keeps the code generated from its
    old path (its history, narratives, targets) in every tree read from now on."""
    from hme_core.inputs.units import accept_aliases, split_path

    if not split_path(old) or not split_path(new):
        from hme_core.errors import HMEError

        raise HMEError("rename-unit: give the old and the new path, e.g. 'Förvaltning / "
                       "Lönecenter' 'Förvaltning / Löne- och pensionscenter'")
    where = accept_aliases({new: old}, key="renamed")
    say(f"Recorded in {where}: '{new}' keeps the code of '{old}'. Years ingested before with "
        f"the new name get it with `hme ingest ... --replace`.")


def register(app: typer.Typer) -> None:
    """Add `units` and `rename-unit` to the app."""
    app.command("units")(units)
    app.command("rename-unit")(rename_unit)
