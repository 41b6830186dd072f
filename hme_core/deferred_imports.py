"""Imports that other libraries make eagerly and we defer until they are used.

`jsonschema` (imported by `nbformat`, so by papermill and nbconvert) imports `rfc3987_syntax`
when it is installed (jupyterlab brings it, through `jsonschema[format-nongpl]`), only to check
the `iri` and `iri-reference` string formats. That module compiles ~35 Earley grammars as it is
imported: 0.7 s of CPU in every process that reads a notebook here, ~30 % of the
render of a report in a fresh process (an `hme reports` child that renders one edited unit). No
schema of nbformat uses those formats. Known upstream: python-jsonschema/jsonschema#1428 and
#1392 (docs/sources.md).

`defer_rfc3987_syntax` puts a stand-in module in its place that has the one function jsonschema
takes from it, `is_valid_syntax`; the first call imports the real module and hands over to it,
so an `iri` check, where one is ever made, gives the same answer as before.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

RFC3987_SYNTAX = "rfc3987_syntax"


def defer_rfc3987_syntax() -> None:
    """Make `import rfc3987_syntax` cheap until its `is_valid_syntax` is called (a no-op when it
    is already imported or not installed)."""
    if RFC3987_SYNTAX in sys.modules or importlib.util.find_spec(RFC3987_SYNTAX) is None:
        return
    stand_in = types.ModuleType(RFC3987_SYNTAX, "Deferred import of rfc3987_syntax (hme_core).")
    real: list = []

    def is_valid_syntax(term: str, value: str) -> bool:
        if not real:
            if sys.modules.get(RFC3987_SYNTAX) is stand_in:
                del sys.modules[RFC3987_SYNTAX]
            real.append(importlib.import_module(RFC3987_SYNTAX).is_valid_syntax)
        return real[0](term, value)

    stand_in.is_valid_syntax = is_valid_syntax
    sys.modules[RFC3987_SYNTAX] = stand_in
