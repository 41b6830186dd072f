"""Every params file is read once before anything is computed or rendered: a bad key in any of
them is one message naming file, key, value and the fix, exit code 2."""

from __future__ import annotations

import pytest

from hme_core.cli import main
from tests.municipality import write_municipality


def run(capsys, argv):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("HME_PARAMS", str(tmp_path / "ws" / "params"))
    monkeypatch.setenv("HME_OUTPUTS", str(tmp_path / "ws" / "outputs"))
    assert main(["init", str(tmp_path / "ws")]) == 0
    return tmp_path / "ws" / "params"


def test_a_wrong_key_in_targets_stops_reports_before_any_unit_renders(workspace, tmp_path,
                                                                     capsys):
    (workspace / "targets.yaml").write_text(
        "targets:\n  - indicatr: hme\n    baseline: {year: 2023}\n    target: 80\n")
    code, text = run(capsys, ["reports", "--year", "2025", "--db", str(tmp_path / "none.db")])
    assert code == 2
    assert "targets.yaml: key 'targets.0.indicatr'" in text and "'hme'" in text
    assert "did you mean 'indicator'?" in text
    assert "Traceback" not in text and "unit_report.ipynb" not in text
    assert not (tmp_path / "ws" / "outputs" / "reports").exists()


def test_validate_reads_every_params_file_and_lists_all_problems_at_once(workspace, tmp_path,
                                                                        capsys):
    files = write_municipality(tmp_path / "data", scale=0.3)
    config = workspace / "config.yaml"
    config.write_text(config.read_text() + "min_n_indx: 5\n")
    mapping = workspace / "column_map.yaml"
    mapping.write_text(mapping.read_text() + "Befattning: rol\n")
    (workspace / "instruments" / "own.yaml").write_text(
        "id: own\nname: {sv: Egna}\nscale: likert9\nitems:\n  - {id: own1, sv: Jag trivs.}\n")
    code, text = run(capsys, ["validate", str(files["responses"])])
    assert code == 2
    assert "config.yaml: key 'min_n_indx'" in text and "did you mean 'min_n_index'?" in text
    assert "own.yaml: key 'scale': unknown scale 'likert9'" in text
    assert text.count("Error:") == 1  # one message


def test_an_unknown_column_id_in_the_column_map_names_the_nearest(workspace, tmp_path, capsys):
    files = write_municipality(tmp_path / "data", scale=0.3)
    mapping = workspace / "column_map.yaml"
    mapping.write_text(mapping.read_text() + "Befattning: rol\n")
    code, text = run(capsys, ["validate", str(files["responses"])])
    assert code == 2
    assert "column_map.yaml: key 'Befattning': unknown column id 'rol'" in text
    assert "did you mean 'role'?" in text


def test_validate_counts_every_mapped_item_column(workspace, tmp_path, capsys):
    files = write_municipality(tmp_path / "data", scale=0.3)
    assert main(["inspect", str(files["responses"]), "--write-instruments"]) == 0
    capsys.readouterr()
    code, text = run(capsys, ["validate", str(files["responses"]), "--org", str(files["org"])])
    assert code == 0, text
    assert "38 item columns" in text


def test_inspect_proposes_a_mapping_only_with_evidence_and_judges_items_by_their_scale(
        workspace, tmp_path, capsys):
    import yaml

    files = write_municipality(tmp_path / "data", scale=0.3)
    code, text = run(capsys, ["inspect", str(files["responses"]), "--write-map",
                              "--write-instruments"])
    assert code == 0, text
    mapping = yaml.safe_load((workspace / "column_map.yaml").read_text())
    assert mapping["Är du chef?"] == {"column": "role",
                                      "values": {"Ja": "chef", "Nej": "medarbetare"}}
    assert not any("medarbetarsamtal" in str(k) for k in mapping)
    assert (workspace / "instruments" / "own_a.yaml").is_file()
    code, text = run(capsys, ["inspect", str(files["responses"])])
    assert "-> own_a1 (header is the statement text)" in text
    assert "refused values" not in text  # 'Vet ej / ej aktuellt', '10 – Mycket sannolikt', 'Sällan'


@pytest.mark.parametrize("file, line, key", [
    ("analysis.yaml", "top_m: 3\n", "top_m"),
    ("config.yaml", "lang: fi\n", "lang"),
])
def test_every_params_file_is_read_before_reports(workspace, tmp_path, capsys, file, line, key):
    path = workspace / file
    path.write_text(path.read_text() + line)
    code, text = run(capsys, ["reports", "--year", "2025", "--db", str(tmp_path / "none.db")])
    assert code == 2 and f"{file}: key '{key}'" in text and "fix:" in text
    code, text = run(capsys, ["research", "--db", str(tmp_path / "none.db")])
    assert code == 2 and f"{file}: key '{key}'" in text
