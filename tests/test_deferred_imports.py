"""Imports deferred by hme_core (hme_core/deferred_imports.py): cheaper starts, same answers."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("rfc3987_syntax")  # installed with jupyterlab (jsonschema[format-nongpl])


def _run(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return proc.stdout.strip()


def test_reading_a_notebook_does_not_compile_the_iri_grammars():
    out = _run("import sys, hme_core, nbformat, papermill, nbconvert; "
               "print('lark' in sys.modules, 'rfc3987_syntax.syntax_helpers' in sys.modules)")
    assert out == "False False"


def test_an_iri_format_check_gives_the_real_answer_on_first_use():
    out = _run(
        "import hme_core\n"
        "from jsonschema import Draft7Validator\n"
        "v = Draft7Validator({'format': 'iri'}, format_checker=Draft7Validator.FORMAT_CHECKER)\n"
        "print(v.is_valid('http://exa mple.org/'), v.is_valid('https://exempel.se/å?x=1'), "
        "v.is_valid('http://exa mple.org/'))\n"
        "import sys; print(sys.modules['rfc3987_syntax'].__file__ is not None)"
    )
    assert out.splitlines() == ["False True False", "True"]


def test_without_hme_core_the_library_is_untouched():
    out = _run("import sys, jsonschema._format; print('lark' in sys.modules)")
    assert out == "True"
