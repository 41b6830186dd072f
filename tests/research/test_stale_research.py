"""The research workbook and the Kolada export refuse results computed under other params or
code, as reports do: what they show must agree with the published reports."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from hme_core.cli import main
from hme_core.errors import StoreError
from hme_core.paths import REPO_ROOT, outputs_dir
from hme_core.research.dataset import analysis_table, respondent_table
from hme_core.research.kolada import export_kolada
from hme_core.research.workbook import load_workbook
from hme_core.store.duckdb_store import Store
from tests.fixtures import build_store


@pytest.fixture
def stale(tmp_path, monkeypatch):
    """The fixture store (a1: 12 respondents in 2025), then min_n_index raised 5 -> 13, which
    hides a1 in reports once rescored; the stored results still show it (58,3)."""
    params = tmp_path / "params"
    shutil.copytree(REPO_ROOT / "params", params, ignore=shutil.ignore_patterns("narratives"))
    monkeypatch.setenv("HME_PARAMS", str(params))
    db = build_store(tmp_path / "data")
    cfg = params / "config.yaml"
    text = cfg.read_text(encoding="utf-8")
    assert "min_n_index: 5" in text
    cfg.write_text(text.replace("min_n_index: 5", "min_n_index: 13"), encoding="utf-8")
    return db


def test_kolada_export_refuses_stale_results_naming_rescore(stale):
    with Store.open(stale, read_only=True) as store:
        with pytest.raises(StoreError, match=r"hme rescore --year 2025"):
            export_kolada(store, 2025)


def test_research_tables_refuse_stale_results(stale):
    with Store.open(stale, read_only=True) as store:
        with pytest.raises(StoreError, match=r"hme rescore --year 2024"):
            analysis_table(store, [2024, 2025])
        with pytest.raises(StoreError, match=r"hme rescore --year 2025"):
            respondent_table(store, [2025])
    with pytest.raises(StoreError, match="hme rescore"):
        load_workbook(stale, years="2025", benchmark_file="none")


def test_cli_refuses_stale_results_before_writing_anything(stale, capsys, tmp_path):
    out = tmp_path / "kolada.csv"
    assert main(["export", "kolada", "--year", "2025", "--db", str(stale), "--out", str(out)]) == 2
    assert main(["research", "--years", "2025", "--db", str(stale)]) == 2
    err = capsys.readouterr().err
    assert err.count("run 'hme rescore --year 2025'") == 2 and "Traceback" not in err
    assert not out.exists() and not (outputs_dir() / "research").exists()


def test_after_rescore_the_export_shows_the_new_params(stale, capsys, tmp_path):
    assert main(["rescore", "--year", "2025", "--db", str(stale)]) == 0
    out = tmp_path / "kolada.csv"
    assert main(["export", "kolada", "--year", "2025", "--db", str(stale), "--out", str(out)]) == 0
    table = pd.read_csv(out)
    # R has 20 respondents in 2025, over 13: its total stays published
    assert table.query("kpi == 'U60200' and gender == 'T'")["value"].notna().all()
