"""Focus areas per unit: weight × shortfall beyond the margin of error, published values only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from hme_core.config import load_settings
from hme_core.instruments import load_instruments
from hme_core.narratives.files import init_narratives
from hme_core.narratives.focus import (
    VALUE_COLUMNS,
    FocusBlock,
    focus_lines,
    focus_table,
    load_focus,
    rank_focus,
    weights_basis,
)
from hme_core.narratives.suggestions import data_suggestions
from hme_core.paths import REPO_ROOT
from hme_core.results.pipeline import ingest_files
from hme_core.results.unit_data import load_report_data
from hme_core.store.duckdb_store import Store
from hme_core.unit_files import narrative_path, unit_folders
from tests.results.driver_survey import DRIVER, UNITS, write_driver_survey


def _weights(**weights: float) -> pd.DataFrame:
    return pd.DataFrame({"outcome": "enps", "predictor": list(weights), "kind": "item",
                         "weight": list(weights.values()), "ci_low": 0.0, "ci_high": 1.0,
                         "n": 500})


def _values(**values: tuple[float, float]) -> pd.DataFrame:
    return pd.DataFrame([(p, v, se) for p, (v, se) in values.items()], columns=VALUE_COLUMNS)


# ---- the ranking, numbers by hand -------------------------------------------------------
def test_a_large_gap_on_a_heavy_item_ranks_first():
    weights = _weights(hme1=0.02, hme8=0.40, hme4=0.05)
    org = _values(hme1=(80, 0.5), hme8=(70, 0.5), hme4=(78, 0.5))
    unit = _values(hme1=(60, 2.0), hme8=(60, 2.0), hme4=(70, 2.0))
    block = rank_focus(weights, unit, org)
    # priorities: hme8 0.40 × 10 = 4.0; hme4 0.05 × 8 = 0.4; hme1 0.02 × 20 = 0.4 (tie: weights' order)
    assert [a.predictor for a in block.focus] == ["hme8", "hme1", "hme4"]
    first = block.focus[0]
    assert (first.gap, first.priority, first.against) == (10, pytest.approx(4.0), "organisation")
    assert first.margin == pytest.approx(1.96 * 2.0)


def test_a_gap_within_the_margin_of_error_is_not_a_focus_area():
    weights = _weights(hme7=0.3, hme8=0.3)
    org = _values(hme7=(70, 0.4), hme8=(70, 0.4))
    # margin 1.96 × 2.0 = 3.92: a gap of 3.9 is within it, 4.0 is not
    unit = _values(hme7=(66.1, 2.0), hme8=(66.0, 2.0))
    block = rank_focus(weights, unit, org)
    assert [a.predictor for a in block.focus] == ["hme8"]
    assert rank_focus(weights, _values(hme7=(66.1, 2.0), hme8=(66.1, 2.0)), org).focus == ()


def test_a_target_set_for_the_unit_replaces_the_organisation_as_reference():
    weights = _weights(hme8=0.3, hme1=0.1)
    org = _values(hme8=(60, 0.4), hme1=(70, 0.4))
    unit = _values(hme8=(61, 1.0), hme1=(60, 1.0))
    block = rank_focus(weights, unit, org, targets={"hme8": 75})
    # hme8: 0.3 × (75 − 61) = 4.2 against the target; hme1: 0.1 × 10 = 1.0
    assert [(a.predictor, a.against, a.reference) for a in block.focus] == [
        ("hme8", "target", 75), ("hme1", "organisation", 70)]
    assert block.strengths == ()  # 61 against 60 is inside the margin 1.96


def test_at_most_five_focus_areas_and_three_strengths_by_weight_times_difference():
    items = [f"hme{i}" for i in range(1, 10)]
    weights = _weights(**{p: 0.01 * (i + 1) for i, p in enumerate(items)})
    org = _values(**{p: (70, 0.3) for p in items})
    below = _values(**{p: (60, 1.0) for p in items})
    block = rank_focus(weights, below, org)
    assert [a.predictor for a in block.focus] == ["hme9", "hme8", "hme7", "hme6", "hme5"]
    above = _values(**{p: (80, 1.0) for p in items})
    strengths = rank_focus(weights, above, org)
    assert strengths.focus == () and [a.predictor for a in strengths.strengths] == [
        "hme9", "hme8", "hme7"]


def test_a_missing_value_or_standard_error_is_never_a_candidate_and_no_weights_no_block():
    weights = _weights(hme8=0.4, hme1=0.1)
    org = _values(hme8=(70, 0.4), hme1=(70, 0.4))
    unit = _values(hme8=(float("nan"), 2.0), hme1=(50, float("nan")))
    assert rank_focus(weights, unit, org).focus == ()
    assert rank_focus(weights.iloc[0:0], unit, org) is None


# ---- the store: a survey with a known driver -------------------------------------------
@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    folder = tmp_path_factory.mktemp("focus")
    paths = write_driver_survey(folder)
    db = folder / "hme.duckdb"
    ingest_files(db, paths["responses"], 2025, paths["org"], paths["headcount"])
    return db


def _blocks(db: Path) -> dict[str, FocusBlock | None]:
    settings, instruments = load_settings(), load_instruments()
    with Store.open(db, read_only=True) as store:
        return {u: load_focus(store, load_report_data(store, 2025, u, instruments, settings),
                              instruments) for u in UNITS}


def test_the_driving_statement_heads_the_focus_areas_of_units_where_it_is_low(survey):
    blocks = _blocks(survey)
    low = [u for u in ("E11", "E13", "E21") if blocks[u] is not None]
    assert "E11" in low and "E13" in low
    for unit in low:
        assert blocks[unit].focus[0].predictor == DRIVER, unit
    # E13 is further below on hme1 (light) than on the driver, and the driver still comes first
    e13 = {a.predictor: a for a in blocks["E13"].focus}
    assert e13["hme1"].gap > e13[DRIVER].gap and e13["hme1"].priority < e13[DRIVER].priority
    # E12 is low on hme1 only: hme1 is its focus area, the driver is not
    assert blocks["E12"].focus[0].predictor == "hme1"
    assert DRIVER not in {a.predictor for a in blocks["E12"].focus}
    # E22 is high on the driver: the first strength to keep
    assert blocks["E22"].strengths[0].predictor == DRIVER


def test_a_unit_with_hidden_values_gets_no_block_and_no_focus_suggestions(survey):
    settings, instruments = load_settings(), load_instruments()
    with Store.open(survey, read_only=True) as store:
        data = load_report_data(store, 2025, "E25", instruments, settings)  # 3 respondents
        assert data.suppressed
        assert load_focus(store, data, instruments) is None
        lines = data_suggestions(data, instruments, "sv", store=store)
    assert "focus_areas" not in lines and "focus_strengths" not in lines
    assert all(b is None for u, b in _blocks(survey).items() if u == "E25")


def test_no_ranking_changes_when_a_hidden_value_changes(survey, tmp_path):
    before = _blocks(survey)
    changed = tmp_path / "changed.duckdb"
    shutil.copy(survey, changed)
    with Store.open(changed) as store:  # as if the hidden cells held other values
        hidden = store.con.execute(
            "SELECT count(*) FROM res_statements WHERE suppression <> ''").fetchone()[0]
        store.con.execute("UPDATE res_statements SET value = 0, se = 0.001 "
                          "WHERE suppression <> ''")
        store.con.execute("UPDATE res_scores SET value = 0, se = 0.001 WHERE suppression <> ''")
    assert hidden > 0
    assert _blocks(changed) == before


def test_focus_lines_give_the_numbers_and_the_sentence_on_what_the_ranking_means(survey):
    instruments = load_instruments()
    block = _blocks(survey)["E11"]
    lines = focus_lines(block, instruments, "sv", 1, "Kommun Test")
    first = lines["focus_areas"][0]
    a = block.focus[0]
    assert first.startswith("Min arbetsplats mål följs upp och utvärderas på ett bra sätt: ")
    value = f"{a.value:.1f}".replace(".", ",")
    assert value in first and "mot organisationens" in first and "felmarginal ±" in first
    assert "vikt för eNPS" in first and "95\u00a0% KI" in first
    assert lines["focus_areas"][-1].startswith("Ordningen väger")
    assert "inte vad som orsakar" in lines["focus_areas"][-1]
    en = focus_lines(block, instruments, "en", 1)
    assert en["focus_areas"][0].startswith("My workplace's goals are followed up")
    assert "not what causes the result" in en["focus_areas"][-1]


def test_new_narrative_files_carry_the_focus_block_in_comments(survey, tmp_path, monkeypatch):
    params = tmp_path / "params"
    shutil.copytree(REPO_ROOT / "params", params, ignore=shutil.ignore_patterns("narratives"))
    monkeypatch.setenv("HME_PARAMS", str(params))
    with Store.open(survey, read_only=True) as store:
        init_narratives(2025, ["E11", "E25"], store)
        folders = unit_folders(store.load_org(2025))
    text = narrative_path(2025, "E11", folders).read_text(encoding="utf-8")
    improve = text.split("## Vad behöver förbättras och åtgärdas?")[1].split("## ")[0]
    assert "Förslag på fokusområden:" in improve
    assert "- Min arbetsplats mål följs upp" in improve
    comment = improve[improve.index("Förslag på fokusområden:"):]
    assert comment.index("-->") > comment.index("Ordningen väger")  # inside the comment
    hidden = narrative_path(2025, "E25", folders).read_text(encoding="utf-8")
    assert "fokusområden" not in hidden


def test_the_organisations_own_block_names_its_heaviest_drivers(survey):
    block = _blocks(survey)["K"]
    assert block.is_organisation and block.focus == () and block.strengths == ()
    assert block.drivers[0].predictor == DRIVER and len(block.drivers) == 5
    assert [a.weight for a in block.drivers] == sorted((a.weight for a in block.drivers),
                                                       reverse=True)
    lines = focus_lines(block, load_instruments(), "sv", 1)
    assert lines["focus_areas"][0].startswith("Organisationens egen rapport jämförs bara med mål")
    assert lines["focus_drivers"][0].startswith("Min arbetsplats mål följs upp")
    assert "focus_drivers" not in focus_lines(_blocks(survey)["E11"], load_instruments(), "sv", 1)


def test_the_table_shows_value_reference_difference_margin_weight_and_priority():
    weights = _weights(hme8=0.4).assign(ci_low=0.35, ci_high=0.45)
    block = rank_focus(weights, _values(hme8=(60, 2.0)), _values(hme8=(70, 0.5)))
    header, rows = focus_table(block.focus, load_instruments(), "sv", 1, "eNPS")
    assert header[4] == "Vikt för eNPS (95\u00a0% KI)"
    assert rows == [["Min arbetsplats mål följs upp och utvärderas på ett bra sätt", "60,0",
                     "70,0", "−10,0 (±3,9)", "40,0\u00a0% (35,0–45,0)", "4,00"]]
    target = rank_focus(weights, _values(hme8=(60, 2.0)), _values(hme8=(70, 0.5)), {"hme8": 72})
    assert focus_table(target.focus, load_instruments(), "sv", 1, "eNPS")[1][0][2] == "72,0 (mål)"


def test_the_block_says_how_many_respondents_each_set_of_weights_rests_on(survey):
    block = _blocks(survey)["E11"]
    n = sum(n for *_, n in UNITS.values())
    assert block.sets == (("hme", n),)
    assert weights_basis(block, load_instruments(), "sv") == (
        f"{n} svarande för Hållbart medarbetarengagemang (HME)")
