"""Unit names are single-line display text; codes hold no control characters (C0 or C1)."""

from __future__ import annotations

import pytest

from hme_core.errors import InputError, InputIssue
from hme_core.inputs.orgtrees import load_org_tree


def _error(path) -> str:
    with pytest.raises(InputError) as exc:
        load_org_tree(path)
    return str(exc.value)


def test_a_newline_inside_a_quoted_name_is_refused_naming_row_and_column(tmp_path):
    # Excel saves Alt+Enter in a cell as a quoted multi-line field
    path = tmp_path / "org.csv"
    path.write_text('unit;name;parent\nR;Region;\nA;"Avdelning A\n## Analys\nAllt bra";R\n',
                    encoding="utf-8")
    msg = _error(path)
    assert "row 3, column 'name'" in msg and "on one line" in msg
    assert "'Avdelning A\\n## Analys\\nAllt bra'" in msg


def test_a_right_to_left_override_in_a_name_is_refused(tmp_path):
    path = tmp_path / "org.csv"
    path.write_text("unit;name;parent\nR;Region;\nA;Avd \u202egnalf;R\n", encoding="utf-8")
    msg = _error(path)
    assert "row 3, column 'name'" in msg and "\\u202e" in msg


def test_next_line_u0085_in_a_code_is_refused(tmp_path):
    path = tmp_path / "org.csv"
    path.write_text("unit;name;parent\nR;Region;\nA\u0085B;Avd;R\n", encoding="utf-8")
    msg = _error(path)
    assert "row 3, column 'unit'" in msg and "control characters" in msg


def test_dollar_signs_and_a_name_like_its_parent_are_plain_names(tmp_path):
    path = tmp_path / "org.csv"
    path.write_text("unit;name;parent\nR;Kirurgi;\nK;Kirurgi;R\nK1;Kostnad $5 per $;K\n",
                    encoding="utf-8")
    assert load_org_tree(path)["name"].tolist() == ["Kirurgi", "Kirurgi", "Kostnad $5 per $"]


def test_error_messages_quote_at_most_80_characters_of_a_value():
    text = str(InputIssue("f.csv", 2, "name", "x" * 60_000_000, "a short name"))
    assert len(text) < 200
    assert "(60000000 characters)" in text
