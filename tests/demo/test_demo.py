"""The Region Demo generator: structure, realistic levels (docs/sources.md) and the file contract.

Indices are computed here independently of the scoring module, straight from docs/sources.md: a
statement's index is mean((code − 1) × 25) over those who answered; the total is the mean of the
nine statement indices; labels count as their codes, blanks and "Vet ej" are missing.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from hme_core.demo.generator import DemoData, generate_demo, write_demo
from hme_core.demo.names import PATIENT_FACING, unit_specs
from hme_core.instruments import load_instruments

YEARS = (2023, 2024, 2025)
HME = [f"hme{i}" for i in range(1, 10)]
HSE = [f"hse{i}" for i in range(1, 12)]
SURVEY = [i.id for ins in ("psychosocial", "manager", "exposure", "development")
          for i in load_instruments()[ins].items]
COLUMNS = ["respondent_id", "unit", "sex", "role", "profession", "age_group", "patient_contact",
           *HME, "enps", *HSE, *SURVEY]
LABELS = {"stämmer mycket dåligt": 1, "stämmer ganska dåligt": 2,
          "stämmer varken bra eller dåligt": 3, "stämmer ganska bra": 4, "stämmer mycket bra": 5}


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo(seed=2025, years=YEARS)


def codes(answers: pd.Series) -> pd.Series:
    """Answer text → code 1–5 (labels in any case/with spaces), NaN for blank or Vet ej."""
    text = answers.astype("string").str.strip().str.lower()
    return pd.to_numeric(text, errors="coerce").fillna(text.map(LABELS)).astype(float)


def statement_indices(responses: pd.DataFrame) -> pd.Series:
    return pd.Series({i: ((codes(responses[i]) - 1) * 25).mean() for i in HME})


def test_same_seed_gives_identical_frames(demo):
    again = generate_demo(seed=2025, years=YEARS)
    for year in YEARS:
        pd.testing.assert_frame_equal(demo.responses[year], again.responses[year])
        pd.testing.assert_frame_equal(demo.org[year], again.org[year])
    pd.testing.assert_frame_equal(demo.headcounts, again.headcounts)
    pd.testing.assert_frame_equal(demo.outcomes, again.outcomes)


def test_different_seed_gives_different_data(demo):
    other = generate_demo(seed=7, years=YEARS)
    assert not demo.responses[2025].equals(other.responses[2025])
    assert not demo.headcounts.equals(other.headcounts)


def test_bad_years_are_refused():
    with pytest.raises(ValueError, match="years"):
        generate_demo(years=[])
    with pytest.raises(ValueError, match="years"):
        generate_demo(years=[2024, 2024])


def test_responses_have_the_input_file_columns_and_unique_ids(demo):
    for year, r in demo.responses.items():
        assert list(r.columns) == COLUMNS
        assert r["respondent_id"].is_unique
        assert r["respondent_id"].str.fullmatch(rf"{year}-\d{{6}}").all()
        assert set(r["role"]) == {"Chef", "Medarbetare"}
        assert set(r["sex"]) == {"Kvinna", "Man"}
        assert r["enps"].between(0, 10).all()


def test_tree_has_four_levels_and_about_300_leaf_units(demo):
    org = demo.org[2025]
    assert org["parent"].isna().sum() == 1
    depth = org["unit"].str.count(r"\.")
    assert sorted(depth.unique()) == [0, 1, 2, 3]
    leaves = org[~org["unit"].isin(org["parent"].dropna())]
    assert 270 <= len(leaves) <= 330
    assert org["name"].str.contains("[åäö]").mean() > 0.3
    assert set(org["parent"].dropna()) <= set(org["unit"])


def test_total_employees_about_10000(demo):
    totals = demo.headcounts.groupby("year")["employees"].sum()
    assert list(totals.index) == list(YEARS)
    assert totals.between(9000, 11000).all()


@pytest.mark.parametrize("year", YEARS)
def test_region_total_hme_in_realistic_range(demo, year):
    stmt = statement_indices(demo.responses[year])
    assert 75 <= stmt.mean() <= 82
    for sub in (stmt.iloc[0:3], stmt.iloc[3:6], stmt.iloc[6:9]):
        assert 72 <= sub.mean() <= 86


def test_goal_follow_up_is_the_lowest_statement(demo):
    lowest = [statement_indices(demo.responses[y]).idxmin() for y in YEARS]
    assert lowest.count("hme8") >= 2


def test_managers_score_above_staff(demo):
    for r in demo.responses.values():
        chef = r["role"] == "Chef"
        assert 0.04 <= chef.mean() <= 0.10
        gap = statement_indices(r[chef]).mean() - statement_indices(r[~chef]).mean()
        assert 2 <= gap <= 9


def test_subindices_are_internally_consistent(demo):
    # Cronbach's alpha = k/(k−1) · (1 − Σ item variances / variance of the sum), complete cases.
    data = pd.DataFrame({i: codes(demo.responses[2025][i]) for i in HME}).dropna()
    for items in (HME[0:3], HME[3:6], HME[6:9]):
        x = data[items]
        alpha = 1.5 * (1 - x.var().sum() / x.sum(axis=1).var())
        assert 0.75 <= alpha <= 0.92


def test_missing_share_per_item_between_1_and_3_percent(demo):
    allr = pd.concat(demo.responses.values())
    missing = pd.Series({i: codes(allr[i]).isna().mean() for i in HME})
    assert missing.between(0.01, 0.03).all(), missing
    assert (allr[HME] == "Vet ej").any().any()


def test_some_answers_are_label_text_some_in_odd_case(demo):
    r = demo.responses[2025]
    text = r["hme1"].dropna()
    is_label = text.str.strip().str.lower().isin(LABELS)
    assert 0.03 <= is_label.mean() <= 0.07
    odd = is_label & ~text.isin(["Stämmer " + k.split(" ", 1)[1] for k in LABELS])
    assert odd.sum() > 0


def test_a_few_leaf_units_have_fewer_than_5_respondents(demo):
    for year, r in demo.responses.items():
        org = demo.org[year]
        leaves = set(org["unit"]) - set(org["parent"].dropna())
        counts = r["unit"].value_counts()
        assert 3 <= (counts[counts.index.isin(leaves)] < 5).sum() <= 12


def test_about_2_percent_answer_on_non_leaf_units(demo):
    r = demo.responses[2025]
    org = demo.org[2025]
    share = r["unit"].isin(org["parent"].dropna()).mean()
    assert 0.01 <= share <= 0.04


def test_exactly_one_unit_renamed_and_one_added(demo):
    org = pd.concat(demo.org.values())
    names = org.groupby("unit")["name"].nunique()
    assert (names > 1).sum() == 1
    added = set(demo.org[2025]["unit"]) - set(demo.org[2023]["unit"])
    assert len(added) == 1


def test_hse_answered_only_by_respondents_with_patient_contact(demo):
    facing = {u.code for u in unit_specs() if u.kind in PATIENT_FACING}
    for r in demo.responses.values():
        has_hse = r[HSE].notna().any(axis=1)
        contact = r["patient_contact"].eq("Ja")
        assert not has_hse[~contact].any()
        assert has_hse[contact].mean() > 0.95
        assert contact[r["unit"].isin(facing)].mean() > 0.85  # mostly patient-facing units
        assert contact[~r["unit"].isin(facing)].mean() < 0.15


def test_manager_questions_answered_only_by_managers(demo):
    r = demo.responses[2025]
    answered = r["mg_conditions"].notna()
    assert r.loc[answered, "role"].eq("Chef").all() and answered.sum() > 100


def test_respondents_belong_to_that_years_org_and_fit_headcount(demo):
    for year, r in demo.responses.items():
        assert r["unit"].isin(demo.org[year]["unit"]).all()
        heads = demo.headcounts.query("year == @year").set_index("unit")["employees"]
        n = r["unit"].value_counts()
        assert n.index.isin(heads.index).all()
        assert (heads.reindex(n.index) >= n).all()
        rate = n.sum() / heads.sum()
        assert 0.6 <= rate <= 0.85


def test_unit_effects_persist_across_years(demo):
    def unit_hme(r):
        x = pd.DataFrame({i: (codes(r[i]) - 1) * 25 for i in HME}).assign(unit=r["unit"])
        return x.groupby("unit")[HME].mean().mean(axis=1)

    a, b = unit_hme(demo.responses[2023]), unit_hme(demo.responses[2025])
    assert a.corr(b) > 0.3


def test_unit_hme_relates_negatively_to_sick_leave_and_turnover(demo):
    r = demo.responses[2025]
    x = pd.DataFrame({i: (codes(r[i]) - 1) * 25 for i in HME}).assign(unit=r["unit"])
    hme = x.groupby("unit")[HME].mean().mean(axis=1).rename("hme")
    out = demo.outcomes.query("year == 2025").pivot(index="unit", columns="indicator",
                                                    values="value")
    joined = out.join(hme, how="inner")
    assert joined["hme"].corr(joined["sick_leave_rate"]) < -0.15
    assert joined["hme"].corr(joined["staff_turnover"]) < -0.15
    assert abs(joined["hme"].corr(joined["budget_deviation"])) < 0.25


def test_outcomes_have_expected_indicators(demo):
    assert set(demo.outcomes.columns) == {"unit", "year", "indicator", "value", "unit_of_measure"}
    safety = demo.outcomes.query("indicator == 'patient_safety_reports'")["unit"]
    facing = {u.code for u in unit_specs() if u.kind in PATIENT_FACING}
    assert set(safety) <= facing
    sick = demo.outcomes.query("indicator == 'sick_leave_rate'")["value"]
    assert 5 <= sick.mean() <= 9


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    start = time.perf_counter()
    paths = write_demo(out)
    return out, paths, time.perf_counter() - start


def test_write_demo_writes_the_contract_files_fast(written):
    out, paths, seconds = written
    expected = {f"responses_{y}.csv" for y in YEARS} | {f"org_{y}.csv" for y in YEARS}
    expected |= {"headcount.csv", "outcomes.csv", "README.txt"}
    assert {p.name for p in out.iterdir()} == expected
    assert paths["responses"][2024] == out / "responses_2024.csv"
    assert paths["org"][2023] == out / "org_2023.csv"
    assert paths["headcount"].name == "headcount.csv"
    assert seconds < 10


def test_written_files_read_back_with_swedish_settings(written, demo):
    out, paths, _ = written
    assert paths["responses"][2025].read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(paths["responses"][2025], sep=";", encoding="utf-8-sig", dtype=str)
    assert list(back.columns) == COLUMNS
    assert len(back) == len(demo.responses[2025])
    assert back["hme4"].isna().sum() == demo.responses[2025]["hme4"].isna().sum()
    org = pd.read_csv(paths["org"][2024], sep=";", encoding="utf-8-sig")
    assert list(org.columns) == ["unit", "name", "parent"]
    assert org["parent"].isna().sum() == 1
    heads = pd.read_csv(paths["headcount"], sep=";", encoding="utf-8-sig")
    assert list(heads.columns) == ["unit", "year", "employees"]
    outcomes = pd.read_csv(paths["outcomes"], sep=";", encoding="utf-8-sig", decimal=",")
    assert np.allclose(outcomes["value"], demo.outcomes["value"])
