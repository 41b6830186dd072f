"""When a year's results change (rescore under new rules, ingest --replace), the data
suggestions in its narrative files, which quote values that may now be hidden, are removed;
HR's own text stays exactly as written."""

from __future__ import annotations

import re
import shutil

from hme_core.cli import main
from hme_core.narratives.files import without_suggestions
from hme_core.paths import REPO_ROOT
from hme_core.unit_files import narratives_dir
from tests.fixtures import build_store


def test_a_rescore_under_a_raised_threshold_removes_the_values_from_narrative_files(
        tmp_path, monkeypatch, capsys):
    params = tmp_path / "params"
    shutil.copytree(REPO_ROOT / "params", params, ignore=shutil.ignore_patterns("narratives"))
    monkeypatch.setenv("HME_PARAMS", str(params))
    db = build_store(tmp_path / "data")
    assert main(["narratives", "init", "--year", "2025", "--units", "a1", "--db", str(db)]) == 0
    (path,) = narratives_dir(2025).glob("*.md")
    written = path.read_text(encoding="utf-8")
    assert "58,3" in written  # a1's HME, quoted in a suggestion
    own = written.replace("## Vad är viktigt att bevara?\n",
                          "## Vad är viktigt att bevara?\n\nSamarbetet i gruppen.\n")
    path.write_text(own, encoding="utf-8")
    config = params / "config.yaml"
    config.write_text(re.sub(r"(?m)^min_n_index: 5$", "min_n_index: 13", config.read_text()))
    assert main(["rescore", "--year", "2025", "--db", str(db)]) == 0
    assert "Removed the data suggestions" in capsys.readouterr().err
    after = path.read_text(encoding="utf-8")
    assert "58,3" not in after and "Samarbetet i gruppen." in after
    assert after == without_suggestions(own)
    assert "<!--" in after  # the questions' comments are kept


def test_text_without_suggestions_is_left_byte_for_byte():
    text = "# Rubrik\n\n<!-- Frågor att fundera på:\n- Vad?\n-->\n\nEget <!-- not ours -->\n"
    assert without_suggestions(text) == text
