"""Usage errors through `main()` with the installed typer/click: exit 2, one message, no traceback."""

from __future__ import annotations

import pytest

from hme_core.cli import app, main

COMMANDS = [["ingest"], ["validate"], ["score"], ["rescore"], ["publish"], ["demo-data"], ["version"], ["reports"],
            ["research"], ["ingest-outcomes"], ["export"], ["export", "kolada"], ["narratives"],
            ["narratives", "init"]]


def run(capsys, argv):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out + out.err


def test_every_command_is_registered():
    import typer

    names = set(typer.main.get_command(app).commands)
    assert {argv[0] for argv in COMMANDS} <= names


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_every_command_answers_help(capsys, argv):
    code, text = run(capsys, [*argv, "--help"])
    assert code == 0
    assert "Usage: hme " + " ".join(argv) in " ".join(text.split())


@pytest.mark.parametrize("argv, message", [
    (["reprots"], "No such command 'reprots'"),
    (["reports"], "Missing option '--year'"),
    (["reports", "--year", "abc"], "Invalid value for '--year'"),
    (["reports", "--year", "2025", "--colour"], "No such option: --colour"),
    (["narratives", "inti"], "No such command 'inti'"),
    (["score", "--year"], "Option '--year' requires an argument"),
    (["reports", "--year", "2025", "--workers", "0"], "Invalid value for '--workers'"),
])
def test_usage_errors_exit_2_with_usage_line_and_one_message(capsys, argv, message):
    code, text = run(capsys, argv)
    assert code == 2
    assert "Traceback" not in text
    assert "Usage: hme" in text
    assert message in text
    assert text.count("Error") == 1


def test_hme_alone_prints_the_help(capsys):
    code, text = run(capsys, [])
    assert code == 0
    assert "Commands" in text and "reports" in text


def test_unknown_language_is_one_clear_error(capsys, tmp_path):
    code, text = run(capsys, ["reports", "--year", "2025", "--lang", "fi",
                              "--db", str(tmp_path / "x.duckdb")])
    assert code == 2
    assert "--lang" in text and "'fi'" in text and "Traceback" not in text
