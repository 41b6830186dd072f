"""Readers see results computed under today's params and code, and never write the store."""

from __future__ import annotations

import hashlib
import shutil

import pandas as pd
import pytest

from hme_core.cli import main
from hme_core.errors import StoreError
from hme_core.narratives.files import init_narratives
from hme_core.paths import REPO_ROOT
from hme_core.report.unit_report import UnitReport
from hme_core.store.duckdb_store import Store
from tests.fixtures import build_store


@pytest.fixture
def setup(tmp_path, monkeypatch):
    params = tmp_path / "params"
    shutil.copytree(REPO_ROOT / "params", params, ignore=shutil.ignore_patterns("narratives"))
    monkeypatch.setenv("HME_PARAMS", str(params))
    monkeypatch.setenv("HME_OUTPUTS", str(tmp_path / "outputs"))
    return {"db": build_store(tmp_path / "data"), "params": params, "tmp": tmp_path}


def _raise_min_n(params, to: int = 13) -> None:
    """a1 has 12 respondents in 2025: with min_n_index 13 its values are hidden."""
    cfg = params / "config.yaml"
    text = cfg.read_text(encoding="utf-8")
    assert "min_n_index: 5" in text
    cfg.write_text(text.replace("min_n_index: 5", f"min_n_index: {to}"), encoding="utf-8")


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_score_reads_only_even_when_results_are_stale(setup):
    db = setup["db"]
    _raise_min_n(setup["params"])
    before = _digest(db)
    out = setup["tmp"] / "scores.csv"
    assert main(["score", "--year", "2025", "--db", str(db), "--out", str(out)]) == 0
    assert _digest(db) == before  # nothing written, no lock taken for writing
    scores = pd.read_csv(out)
    a1 = scores[(scores["unit"] == "a1") & (scores["index"] == "hme")].iloc[0]
    assert a1["n"] == 12 and pd.isna(a1["value"])  # computed under min_n_index 13: hidden
    with Store.open(db, read_only=True) as store:  # the stored 58,3 stays until a rescore
        stored = store.load_result("scores", 2025)
    assert stored.query("unit == 'a1' and index == 'hme'")["value"].round(1).tolist() == [58.3]


def test_a_mistyped_db_is_an_error_not_a_new_file(setup, capsys):
    missing = setup["tmp"] / "hme.dukdb"
    assert main(["score", "--year", "2025", "--db", str(missing)]) == 2
    assert main(["rescore", "--year", "2025", "--db", str(missing)]) == 2
    assert "no database here" in capsys.readouterr().err
    assert not missing.exists()


def test_narratives_init_refuses_stale_results_until_rescored(setup):
    db = setup["db"]
    _raise_min_n(setup["params"])
    with Store.open(db, read_only=True) as store, pytest.raises(StoreError, match="hme rescore"):
        init_narratives(2025, None, store)
    assert not (setup["params"] / "narratives").exists()
    with pytest.raises(StoreError, match="hme rescore --year 2025"):
        UnitReport.load(db, 2025, "a1")
    assert main(["rescore", "--year", "2025", "--db", str(db)]) == 0
    assert main(["rescore", "--year", "2024", "--db", str(db)]) == 0
    report = UnitReport.load(db, 2025, "a1")
    assert report.data.suppressed  # 12 < 13: the value 58,3 is no longer shown
    with Store.open(db, read_only=True) as store:
        assert all(r.created for r in init_narratives(2025, None, store))
    text = next((setup["params"] / "narratives" / "2025").glob("*_a1.md")).read_text("utf-8")
    assert "58,3" not in text and "58.3" not in text


def test_disk_full_is_one_message_exit_1_and_leaves_no_partial_file(setup, monkeypatch, capsys):
    import errno

    from hme_core.results import export

    def full_disk(df, path):
        path.write_text("year,unit\n2025,")  # half a file, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setitem(export.WRITERS, ".csv", full_disk)
    out = setup["tmp"] / "shared" / "scores.csv"
    code = main(["score", "--year", "2025", "--db", str(setup["db"]), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert "No space left on device" in err and "Traceback" not in err and "a bug" not in err
    assert list(out.parent.iterdir()) == []  # neither scores.csv nor a temporary file
