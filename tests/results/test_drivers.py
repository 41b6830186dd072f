"""The organisation's driver weights: computed on all respondents, stored with the year."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from hme_core.config import Settings
from hme_core.errors import ConfigError
from hme_core.instruments import load_instruments
from hme_core.narratives.focus import outcome_label
from hme_core.paths import REPO_ROOT
from hme_core.results.drivers import DRIVER_COLUMNS, driver_weights, predictor_sets
from hme_core.results.pipeline import ingest_files, rescore_year
from hme_core.scoring.relative_weights import lmg
from hme_core.store.duckdb_store import RESULT_TABLES, Store
from tests.results.driver_survey import DRIVER, UNITS, driver_responses, write_driver_survey


@pytest.fixture(scope="module")
def survey_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("drivers")
    paths = write_driver_survey(folder)
    db = folder / "hme.duckdb"
    ingest_files(db, paths["responses"], 2025, paths["org"], paths["headcount"])
    return db


def _org() -> pd.DataFrame:
    return pd.DataFrame([(u, n, p) for u, (n, p, _) in UNITS.items()],
                        columns=["unit", "name", "parent"]).astype("string")


def _canonical(df: pd.DataFrame) -> pd.DataFrame:
    out = df.rename(columns={"Enhet": "unit", "eNPS": "enps"}).drop(columns=["Kön", "Roll"])
    for c in out.columns:
        out[c] = out[c].astype("string") if c == "unit" else pd.array(out[c], dtype="Int16")
    return out


def test_ingest_stores_the_weights_of_the_organisation_with_the_year(survey_db):
    assert "drivers" in RESULT_TABLES
    with Store.open(survey_db, read_only=True) as store:
        w = store.load_result("drivers", 2025)
    assert list(w.columns) == DRIVER_COLUMNS
    assert set(w["unit"]) == {"K"} and set(w["outcome"]) == {"enps"}
    assert w["predictor"].tolist()[:9] == [f"hme{i}" for i in range(1, 10)]
    top = w.sort_values("weight", ascending=False).iloc[0]
    assert top["predictor"] == DRIVER and top["rank"] == 1
    assert top["weight"] > 5 * w.loc[w["predictor"] != DRIVER, "weight"].max()
    assert w["share"].sum() == pytest.approx(100)
    assert (w["ci_low"] < w["ci_high"]).all()
    assert w["n"].iloc[0] == sum(n for *_, n in UNITS.values())  # everyone, hidden units too


def test_stored_weights_are_the_lmg_of_the_recoded_answers_of_all_respondents(survey_db):
    df = _canonical(driver_responses())
    x = ((df[[f"hme{i}" for i in range(1, 10)]].astype(float) - 1) * 25).to_numpy()
    y = df["enps"].astype(float).to_numpy()
    with Store.open(survey_db, read_only=True) as store:
        w = store.load_result("drivers", 2025)
    np.testing.assert_allclose(w["weight"].to_numpy(), lmg(x, y), atol=1e-12)


def test_rescore_computes_the_same_weights_again(survey_db):
    with Store.open(survey_db, read_only=True) as store:
        before = store.load_result("drivers", 2025)
    rescore_year(survey_db, 2025)
    with Store.open(survey_db, read_only=True) as store:
        after = store.load_result("drivers", 2025)
    pd.testing.assert_frame_equal(before, after)


def test_themes_are_weighed_as_person_scores_and_audience_instruments_are_left_out():
    sets = {s: (kind, ids) for s, kind, ids in predictor_sets(load_instruments(), "enps")}
    assert set(sets) == {"hme", "psychosocial"}  # HSE and manager questions have an audience
    assert sets["hme"] == ("item", [f"hme{i}" for i in range(1, 10)])
    kind, themes = sets["psychosocial"]
    assert kind == "index" and len(themes) == 15 and "ps_stress" in themes


def test_an_outcome_that_is_a_predictor_is_left_out_of_its_set():
    sets = {s: ids for s, _, ids in predictor_sets(load_instruments(), "hme3")}
    assert "hme3" not in sets["hme"] and len(sets["hme"]) == 8


def test_an_index_as_outcome_is_refused_with_the_key_to_change():
    df = _canonical(driver_responses())
    with pytest.raises(ConfigError, match="focus_outcome.*'motivation' is an index"):
        driver_weights(df, _org(), load_instruments(), Settings(focus_outcome="motivation"), 2025)
    with pytest.raises(ConfigError, match="unknown question 'nojd'"):
        driver_weights(df, _org(), load_instruments(), Settings(focus_outcome="nojd"), 2025)


def test_a_statement_as_outcome_is_weighed_by_the_other_statements():
    df = _canonical(driver_responses())
    w = driver_weights(df, _org(), load_instruments(),
                       Settings(focus_outcome="hme9", focus_bootstrap=0), 2025)
    assert set(w["outcome"]) == {"hme9"} and "hme9" not in set(w["predictor"])
    assert w["ci_low"].isna().all()  # no resamples asked for


def test_too_few_respondents_or_no_outcome_give_an_empty_typed_table():
    df = _canonical(driver_responses()).head(60)  # 9 statements need 90
    w = driver_weights(df, _org(), load_instruments(), Settings(), 2025)
    assert w.empty and list(w.columns) == DRIVER_COLUMNS and w["weight"].dtype == float
    no_enps = _canonical(driver_responses()).drop(columns="enps")
    assert driver_weights(no_enps, _org(), load_instruments(), Settings(), 2025).empty


SATISFACTION = """id: satisfaction
name: {sv: "Helhetsbedömning", en: "Overall assessment"}
scale: likert5
method: item_mean
items:
  - {id: overall_satisfaction, sv: "Sammantaget är jag nöjd med min arbetssituation.", en: "Overall, I am satisfied with my work situation."}
"""


def test_the_organisations_own_satisfaction_question_can_be_the_outcome(tmp_path, monkeypatch):
    params = tmp_path / "params"
    shutil.copytree(REPO_ROOT / "params", params, ignore=shutil.ignore_patterns("narratives"))
    (params / "instruments" / "satisfaction.yaml").write_text(SATISFACTION, encoding="utf-8")
    with open(params / "config.yaml", "a", encoding="utf-8") as f:
        f.write("focus_outcome: overall_satisfaction\n")
    monkeypatch.setenv("HME_PARAMS", str(params))
    paths = write_driver_survey(tmp_path / "files")
    vendor = pd.read_excel(paths["responses"])
    rng = np.random.default_rng(4)  # satisfaction follows hme3 here, not the eNPS driver
    hme3 = vendor[load_instruments()["hme"].item("hme3").sv]
    vendor["Sammantaget är jag nöjd med min arbetssituation."] = np.clip(
        np.round(hme3 + rng.normal(0, 0.6, len(vendor))), 1, 5).astype(int)
    vendor.to_excel(paths["responses"], index=False)
    db = tmp_path / "hme.duckdb"
    ingest_files(db, paths["responses"], 2025, paths["org"], paths["headcount"])
    with Store.open(db, read_only=True) as store:
        w = store.load_result("drivers", 2025)
    assert set(w["outcome"]) == {"overall_satisfaction"}
    assert w.sort_values("weight", ascending=False)["predictor"].iloc[0] == "hme3"
    label = outcome_label("overall_satisfaction", load_instruments(), "sv")
    assert label == "”Sammantaget är jag nöjd med min arbetssituation”"
