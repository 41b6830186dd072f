"""Incremental batches: only what changed is rendered again; --resume fills gaps."""

from __future__ import annotations

import shutil

import pytest

from hme_core.batch.run import run_batch
from hme_core.errors import StoreError
from hme_core.paths import REPO_ROOT
from hme_core.results.pipeline import rescore_year
from tests.fixtures import build_store

pytestmark = pytest.mark.slow


@pytest.fixture
def setup(tmp_path, monkeypatch):
    params = tmp_path / "params"
    shutil.copytree(REPO_ROOT / "params", params, ignore=shutil.ignore_patterns("narratives"))
    (params / "narratives" / "2025").mkdir(parents=True)  # as after `hme narratives init`
    monkeypatch.setenv("HME_PARAMS", str(params))
    db = build_store(tmp_path / "data")
    return {"db": db, "params": params, "out": tmp_path / "out"}


def _rendered(outcomes):
    return sorted(o.unit for o in outcomes if o.ok and not o.skipped)


def test_rerun_without_changes_renders_nothing(setup):
    first = run_batch(2025, setup["db"], formats=("html",), out_root=setup["out"])
    assert _rendered(first) == ["A", "R", "a1", "a2"]
    again = run_batch(2025, setup["db"], formats=("html",), out_root=setup["out"])
    assert _rendered(again) == [] and all(o.skipped for o in again)


def test_a_narrative_edit_renders_that_unit_and_its_parent_only(setup):
    run_batch(2025, setup["db"], formats=("html",), out_root=setup["out"])
    folder = next(p.name for p in (setup["out"] / "2025").iterdir() if p.name.endswith("_a1"))
    narrative = setup["params"] / "narratives" / "2025" / f"{folder}.md"
    narrative.write_text("## Vad är viktigt att bevara?\n\nSamarbetet.\n", encoding="utf-8")
    again = run_batch(2025, setup["db"], formats=("html",), out_root=setup["out"])
    # a1 shows its narrative; A (its parent) shows a1's escalations
    assert _rendered(again) == ["A", "a1"]


def test_a_params_change_is_refused_until_rescored_then_renders_everything(setup):
    run_batch(2025, setup["db"], formats=("html",), out_root=setup["out"])
    cfg = setup["params"] / "config.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("decimals: 1", "decimals: 0"),
                   encoding="utf-8")
    with pytest.raises(StoreError, match="hme rescore --year 2024"):  # reports never write
        run_batch(2025, setup["db"], formats=("html",), out_root=setup["out"])
    for year in (2024, 2025):
        rescore_year(setup["db"], year)
    again = run_batch(2025, setup["db"], formats=("html",), out_root=setup["out"])
    assert _rendered(again) == ["A", "R", "a1", "a2"]


def test_resume_renders_a_report_again_when_its_unit_is_now_suppressed(setup):
    run_batch(2025, setup["db"], formats=("html",), out_root=setup["out"])
    a1 = next(p for p in (setup["out"] / "2025").iterdir() if p.name.endswith("_a1"))
    assert "58,3" in (a1 / "report.html").read_text(encoding="utf-8")
    cfg = setup["params"] / "config.yaml"  # a1 has 12 respondents: hidden under 13
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("min_n_index: 5", "min_n_index: 13"),
                   encoding="utf-8")
    for year in (2024, 2025):
        rescore_year(setup["db"], year)
    again = run_batch(2025, setup["db"], formats=("html",), out_root=setup["out"], mode="resume")
    assert "a1" in _rendered(again)
    assert "58,3" not in (a1 / "report.html").read_text(encoding="utf-8")


def test_resume_renders_only_missing_reports(setup):
    run_batch(2025, setup["db"], formats=("html",), out_root=setup["out"])
    victim = next(p for p in (setup["out"] / "2025").iterdir() if p.name.endswith("_a2"))
    (victim / "report.html").unlink()
    again = run_batch(2025, setup["db"], formats=("html",), out_root=setup["out"], mode="resume")
    assert _rendered(again) == ["a2"]
    forced = run_batch(2025, setup["db"], formats=("html",), out_root=setup["out"], mode="force")
    assert _rendered(forced) == ["A", "R", "a1", "a2"]
