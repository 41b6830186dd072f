"""`hme init`, `--params`/`--outputs` and `hme inspect` run through `main()` on real files."""

from __future__ import annotations

import os

import yaml

from hme_core.cli import main
from hme_core.cli.options import hoist_folder_options
from tests.inputs.test_vendor_files import MANAGER, workbook


def keep_folders(monkeypatch):
    """`--params`/`--outputs` set the environment; restore it after the test."""
    from hme_core.paths import outputs_dir, params_dir

    monkeypatch.setenv("HME_PARAMS", str(params_dir()))
    monkeypatch.setenv("HME_OUTPUTS", str(outputs_dir()))


def run(capsys, argv):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out + out.err


def test_init_writes_neutral_params_without_targets_and_the_organisation_name(tmp_path, capsys):
    code, text = run(capsys, ["init", str(tmp_path / "ws"), "--organisation", "Kommun X"])
    assert code == 0, text
    params = tmp_path / "ws" / "params"
    assert (params / "config.yaml").is_file() and (tmp_path / "ws" / "outputs").is_dir()
    assert not (params / "targets.yaml").exists() and not (params / "narratives").exists()
    assert yaml.safe_load((params / "config.yaml").read_text())["organisation_name"] == "Kommun X"
    assert "hme inspect" in (tmp_path / "ws" / "README.md").read_text()
    code, text = run(capsys, ["init", str(tmp_path / "ws")])
    assert code == 2 and "already exists" in text


def test_repository_params_hold_no_demo_targets_or_name():
    from hme_core.paths import REPO_ROOT

    config = yaml.safe_load((REPO_ROOT / "params" / "config.yaml").read_text())
    assert not config.get("organisation_name")
    assert not (REPO_ROOT / "params" / "targets.yaml").exists()


def test_demo_data_writes_the_demo_params_with_its_targets(tmp_path, capsys, monkeypatch):
    from hme_core.cli.workspace import demo_params

    params = demo_params(tmp_path / "params")
    assert "Region Demo" in (params / "config.yaml").read_text()
    assert (params / "targets.yaml").is_file()


def test_params_and_outputs_options_work_after_the_command(tmp_path, capsys, monkeypatch):
    keep_folders(monkeypatch)
    run(capsys, ["init", str(tmp_path / "ws")])
    code, text = run(capsys, ["version", "--outputs", str(tmp_path / "o"),
                              "--params", str(tmp_path / "ws" / "params")])
    assert code == 0, text
    assert os.environ["HME_PARAMS"] == str(tmp_path / "ws" / "params")
    assert os.environ["HME_OUTPUTS"] == str(tmp_path / "o")
    code, text = run(capsys, ["--params", str(tmp_path / "nowhere"), "version"])
    assert code == 2 and "hme init" in text and "Traceback" not in text
    assert hoist_folder_options(["ingest", "f.csv", "--params=p"]) == ["--params=p", "ingest", "f.csv"]


def test_inspect_names_rules_ignored_columns_and_writes_the_manager_suggestion(tmp_path, capsys,
                                                                              monkeypatch):
    keep_folders(monkeypatch)
    run(capsys, ["init", str(tmp_path / "ws")])
    params = tmp_path / "ws" / "params"
    book = workbook(tmp_path)
    code, text = run(capsys, ["--params", str(params), "inspect", f"{book}#Svar", "--write-map"])
    assert code == 0, text
    assert "'Organisationstillhörighet' -> unit (header is a known synonym)" in text
    assert "-> hme1 (header is the statement text)" in text
    assert "Ignored columns" in text and f"'{MANAGER}'" in text
    mapping = yaml.safe_load((params / "column_map.yaml").read_text())
    assert mapping[MANAGER] == {"column": "role", "values": {"Ja": "chef", "Nej": "medarbetare"}}
    assert mapping["Kön"] == "sex"  # existing entries untouched
    code, text = run(capsys, ["inspect", f"{book}#Svar"])
    assert f"'{MANAGER}' -> role (header in column_map.yaml)" in text
    code, text = run(capsys, ["validate", f"{book}#Svar", "--org", f"{book}#Organisation"])
    assert code == 0 and "OK: 3 respondents, 9 item columns" in text


def test_validate_with_year_accepts_the_head_counts_ingest_accepts(tmp_path, capsys):
    """A head counts file without a year column is the year given, for `validate` as for
    `ingest` (without --year the column is required, as before)."""
    svar, hc = tmp_path / "svar.csv", tmp_path / "anstallda.csv"
    svar.write_text("Enhet;hme1\nA;5\n", encoding="utf-8")
    hc.write_text("Enhet;Antal anställda\nA;12\n", encoding="cp1252")
    code, text = run(capsys, ["validate", str(svar), "--headcount", str(hc), "--year", "2025"])
    assert code == 0 and "OK: 1 respondents" in text, text
    code, text = run(capsys, ["validate", str(svar), "--headcount", str(hc)])
    assert code == 2 and "expected a column 'year'" in text
    assert "give the survey year with --year" in text  # and how to fix it


def test_missing_unit_column_through_the_cli_is_one_message_not_a_keyerror(tmp_path, capsys):
    path = tmp_path / "svar.csv"
    path.write_text("Sektion;enps\nA;5\n", encoding="utf-8")
    code, text = run(capsys, ["validate", str(path)])
    assert code == 2 and "KeyError" not in text and "Traceback" not in text
    assert "params/column_map.yaml" in text


def test_ingest_and_validate_warn_of_more_answers_than_employees(tmp_path, capsys, monkeypatch):
    """A head count file of another date gives a response rate over 100 %: both commands go
    on (exit 0) and name the unit with its numbers (here 6 answers, 4 employees: 150 %)."""
    from tests.fixtures import ORG

    keep_folders(monkeypatch)
    org, svar, hc = tmp_path / "org.csv", tmp_path / "svar.csv", tmp_path / "hc.csv"
    org.write_text(ORG, encoding="utf-8")
    rows = [f"{i};a1;{';'.join('4' * 9)}" for i in range(6)] + \
        [f"{i};a2;{';'.join('3' * 9)}" for i in range(6, 12)]
    svar.write_text("respondent_id;unit;" + ";".join(f"hme{i}" for i in range(1, 10)) + "\n"
                    + "\n".join(rows) + "\n", encoding="utf-8")
    hc.write_text("unit;employees\na1;4\na2;20\nA;1\n", encoding="utf-8")
    args = [str(svar), "--org", str(org), "--headcount", str(hc), "--year", "2025"]
    for argv in (["validate", *args], ["ingest", *args, "--db", str(tmp_path / "hme.duckdb")]):
        code, text = run(capsys, argv)
        assert code == 0, text
        assert f"Warning: 1 unit has more answers than employees in {hc}" in text, text
        assert "a1 Avdelning 1 (6 answers, 4 employees)" in text
        assert "a2 " not in text.split("Warning:")[1]  # 6 of 20: 30 %
