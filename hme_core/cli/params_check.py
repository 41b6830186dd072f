"""Every params file read once, before anything is computed or rendered.

`hme validate`, and the start of `hme reports` and `hme research`, call `check_params()`: it
reads `params/config.yaml`, `column_map.yaml` (and checks that each entry names a column the
workbench knows), `instruments/`, `targets.yaml` (indicators checked against the instruments)
and `analysis.yaml`, and raises one `ConfigError` listing every problem found, each naming
file, key, value and the fix (exit code 2). Without it one bad key in `targets.yaml` made every
unit's report fail in turn, one notebook at a time.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

from hme_core.errors import ConfigError
from hme_core.instruments import InstrumentSet


def _column_map_problems(instruments: InstrumentSet) -> list[str]:
    """Entries of `column_map.yaml` whose target is not a column id the workbench knows."""
    from hme_core.inputs.columns import (
        RESPONDENT_COLUMNS,
        _read_map,
        header_key,
        load_column_map,
    )

    path, data = _read_map(None)
    known = [*RESPONDENT_COLUMNS, *instruments.item_ids]
    targets = load_column_map()
    problems = []
    for key in data:
        target = targets[header_key(key)]
        if target in known:
            continue
        near = difflib.get_close_matches(target, known, n=1)
        hint = f"did you mean '{near[0]}'? " if near else ""
        problems.append(f"{path}: key '{key}': unknown column id {target!r}; fix: {hint}use a "
                        f"respondent column ({', '.join(RESPONDENT_COLUMNS)}) or an item id of "
                        f"params/instruments/ (e.g. hme1)")
    return problems


def check_params() -> InstrumentSet:
    """Read every params file; one `ConfigError` with all problems, or the instruments."""
    from hme_core.config import load_settings
    from hme_core.inputs.columns import load_value_maps
    from hme_core.instruments import load_instruments
    from hme_core.narratives.suggestions import load_rules
    from hme_core.narratives.targets import load_targets

    problems: list[str] = []

    def attempt(read: Callable[[], object]) -> object:
        try:
            return read()
        except ConfigError as exc:
            problems.append(str(exc))
            return None

    attempt(load_settings)
    instruments = attempt(load_instruments)
    attempt(load_value_maps)
    if instruments is not None:
        problems += attempt(lambda: _column_map_problems(instruments)) or []
        attempt(lambda: load_targets(instruments=instruments))
    attempt(load_rules)
    if problems:
        raise ConfigError("the params files have problems; nothing was computed or rendered:\n"
                          + "\n".join(problems))
    return instruments
