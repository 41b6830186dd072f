"""Scoring rules (docs/sources.md, SKR: HME), pinned with numbers worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from hme_core.config import Settings
from hme_core.disclosure.primary import (
    distribution_shown,
    enps_results,
    index_results,
    statement_results,
)
from hme_core.scoring.indices import distribution_values
from hme_core.scoring.statistics import answer_statistics, recode_answers
from tests.fixtures import hme_row, make_responses


def _motivation_fixture():
    # Five respondents, motivation statements hme1..hme3 (None = skipped):
    #   r1: 5 5 5 -> 100 100 100      r2: 4 4 - -> 75 75 -
    #   r3: 3 3 3 -> 50 50 50         r4: 2 - - -> 25 - -
    #   r5: 1 1 1 -> 0 0 0
    # hme1 = (100+75+50+25+0)/5 = 50 (n 5); hme2 = (100+75+50+0)/4 = 56.25 (n 4);
    # hme3 = (100+50+0)/3 = 50 (n 3).
    # item_mean motivation = (50 + 56.25 + 50)/3 = 52.0833..., n = 5 (answered >= 1 statement)
    # respondent_mean motivation = mean(100, 50, 0) = 50 over r1, r3, r5, n = 3
    rows = [[5, 5, 5], [4, 4, None], [3, 3, 3], [2, None, None], [1, 1, 1]]
    return make_responses([hme_row("x", r + [3] * 6) for r in rows])


def _index(frame, index):
    row = frame[frame["index"] == index].iloc[0]
    return row["n"], row["value"], row["suppression"]


def test_recode_maps_one_to_five_onto_zero_to_hundred(instruments):
    df = make_responses([hme_row("x", [1, 2, 3, 4, 5, None, 1, 1, 1])])
    scores = recode_answers(df, instruments).iloc[0]
    assert scores[["hme1", "hme2", "hme3", "hme4", "hme5"]].tolist() == [0, 25, 50, 75, 100]
    assert math.isnan(scores["hme6"])


def test_item_mean_averages_statement_indices_and_counts_anyone_who_answered(instruments):
    stats = answer_statistics(_motivation_fixture(), instruments)
    res = index_results(stats, instruments, Settings(min_n_index=1))
    n, value, _ = _index(res, "motivation")
    assert n == 5
    assert value == pytest.approx((50 + 56.25 + 50) / 3)


def test_respondent_mean_counts_only_people_who_answered_every_statement(instruments):
    stats = answer_statistics(_motivation_fixture(), instruments)
    res = index_results(stats, instruments, Settings(min_n_index=1, method="respondent_mean"))
    n, value, _ = _index(res, "motivation")
    assert (n, value) == (3, pytest.approx(50.0))


def test_statement_index_uses_only_those_who_answered_it(instruments):
    stats = answer_statistics(_motivation_fixture(), instruments)
    res = statement_results(stats, instruments, Settings(min_n_index=1)).set_index("item")
    assert res.loc["hme1", "value"] == 50 and res.loc["hme1", "n"] == 5
    assert res.loc["hme2", "value"] == 56.25 and res.loc["hme2", "n"] == 4
    assert res.loc["hme3", "value"] == 50 and res.loc["hme3", "n"] == 3


def test_total_hme_is_mean_of_nine_statement_indices_not_of_persons(instruments):
    # r1 answers only hme1 (5 -> 100); r2 answers all nine with 1 (-> 0).
    # Statement indices: hme1 = 50, hme2..hme9 = 0 -> total = 50/9 = 5.555...
    # (a mean over persons would give (100 + 0)/2 = 50).
    df = make_responses([hme_row("x", [5] + [None] * 8), hme_row("x", [1] * 9)])
    res = index_results(answer_statistics(df, instruments), instruments, Settings(min_n_index=1))
    n, value, _ = _index(res, "hme")
    assert n == 2
    assert value == pytest.approx(50 / 9)


def test_index_shown_with_exactly_five_answers_and_hidden_with_four(instruments, settings):
    five = [hme_row("five", [4] * 9) for _ in range(5)]
    # "four": five respondents, but one skipped hme8, so hme8 has 4 answers
    four = [hme_row("four", [4] * 9) for _ in range(4)] + [hme_row("four", [4] * 7 + [None, 4])]
    stats = answer_statistics(make_responses(five + four), instruments)
    res = index_results(stats, instruments, settings).set_index(["unit", "index"])
    assert res.loc[("five", "hme"), "value"] == 75
    assert res.loc[("five", "governance"), "value"] == 75
    # the governance subindex and the total need hme8 >= 5; motivation does not
    for ix in ("hme", "governance"):
        assert math.isnan(res.loc[("four", ix), "value"])
        assert res.loc[("four", ix), "suppression"] == "primary"
        assert res.loc[("four", ix), "n"] == 5  # counts are kept
    assert res.loc[("four", "motivation"), "value"] == 75
    stm = statement_results(stats, instruments, settings).set_index(["unit", "item"])
    assert math.isnan(stm.loc[("four", "hme8"), "value"])
    assert stm.loc[("four", "hme7"), "value"] == 75


def test_distribution_needs_ten_answers_and_gives_shares(instruments, settings):
    # ten answers to hme1: 1,2,3,4,4,5,5,5,5,5 -> shares .1 .1 .1 .2 .5
    codes = [1, 2, 3, 4, 4, 5, 5, 5, 5, 5]
    df = make_responses([hme_row("ten", [c] * 9) for c in codes]
                        + [hme_row("nine", [c] * 9) for c in codes[:9]])
    d = distribution_values(answer_statistics(df, instruments), instruments)
    ten = d[(d["unit"] == "ten") & (d["item"] == "hme1")].set_index("code")
    assert ten["share"].tolist() == pytest.approx([0.1, 0.1, 0.1, 0.2, 0.5])
    assert ten["count"].tolist() == [1, 1, 1, 2, 5]
    assert distribution_shown(ten["n"], settings).all()
    nine = d[(d["unit"] == "nine") & (d["item"] == "hme1")]
    assert (nine["n"] == 9).all() and not distribution_shown(nine["n"], settings).any()


def test_enps_matches_seed_002_check(instruments, settings):
    # docs/sources.md, eNPS: 1017 promoters, 2442 passive, 3639 detractors
    # -> 14.3 % / 34.4 % / 51.3 %, eNPS = 14.328 - 51.268 = -36.9
    codes = [9] * 500 + [10] * 517 + [7] * 1200 + [8] * 1242 + [0] * 639 + [6] * 3000
    df = make_responses([{"unit": "hsf", "enps": c} for c in codes])
    e = enps_results(answer_statistics(df, instruments), instruments["enps"], settings).iloc[0]
    assert e["n"] == 7098
    assert (e["promoters"], e["passive"], e["detractors"]) == (1017, 2442, 3639)
    assert round(e["promoters_pct"], 1) == 14.3
    assert round(e["passive_pct"], 1) == 34.4
    assert round(e["detractors_pct"], 1) == 51.3
    assert round(e["enps"], 1) == -36.9


def test_enps_suppressed_below_min_n_index(instruments, settings):
    df = make_responses([{"unit": "u", "enps": 10} for _ in range(4)])
    e = enps_results(answer_statistics(df, instruments), instruments["enps"], settings).iloc[0]
    assert math.isnan(e["enps"]) and math.isnan(e["promoters_pct"]) and e["n"] == 4


def test_missing_item_columns_mean_the_index_is_absent(instruments, settings):
    df = make_responses([hme_row("u", [3] * 9) for _ in range(6)])
    res = index_results(answer_statistics(df, instruments), instruments, settings)
    assert set(res["index"]) == {"hme", "motivation", "leadership", "governance"}


def test_reversed_item_mirrors_the_score(tmp_path):
    from hme_core.instruments import load_instruments

    folder = tmp_path / "instruments"
    (folder / "scales").mkdir(parents=True)
    src = __import__("hme_core.paths", fromlist=["params_dir"]).params_dir() / "instruments"
    (folder / "scales" / "likert4.yaml").write_text(
        (src / "scales" / "likert4.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "psy.yaml").write_text(
        "id: psy\nname: {sv: Psykosocialt, en: Psychosocial}\nscale: likert4\n"
        "method: respondent_mean\nmin_answered_share: 0.5\n"
        "items:\n  - {id: psy1, sv: a, en: a}\n  - {id: psy2, sv: b, en: b, reversed: true}\n"
        "indices:\n  - {id: demands, name: {sv: Krav, en: Demands}, items: [psy1, psy2]}\n",
        encoding="utf-8")
    ins = load_instruments(folder)
    # psy1 = 4 -> 100; psy2 = 4 reversed -> 0; person mean 50. A person with only psy2 = 1
    # (reversed -> 100) answered 1 of 2 items = half, so counts (COPSOQ rule): mean 100.
    df = make_responses([{"unit": "u", "psy1": 4, "psy2": 4}, {"unit": "u", "psy1": None, "psy2": 1}])
    res = index_results(answer_statistics(df, ins), ins, Settings(min_n_index=1))
    n, value, _ = _index(res, "demands")
    assert n == 2 and value == pytest.approx(75.0)


# ---- properties ----------------------------------------------------------------------------

answer = st.one_of(st.none(), st.integers(1, 5))
respondent = st.tuples(st.sampled_from(["a", "b", "c"]), st.lists(answer, min_size=9, max_size=9),
                       st.one_of(st.none(), st.integers(0, 10)))


def _frame(people):
    return make_responses([hme_row(u, codes, enps=e) for u, codes, e in people])


@hsettings(max_examples=60, deadline=None)
@given(st.lists(respondent, min_size=1, max_size=40), st.sampled_from(["item_mean", "respondent_mean"]))
def test_index_values_stay_within_their_range(instruments, people, method):
    res = index_results(answer_statistics(_frame(people), instruments), instruments,
                        Settings(min_n_index=1, method=method))
    hme = res[res["index"] != "enps"]["value"].dropna()
    enps = res[res["index"] == "enps"]["value"].dropna()
    assert ((hme >= 0) & (hme <= 100)).all()
    assert ((enps >= -100) & (enps <= 100)).all()


@hsettings(max_examples=40, deadline=None)
@given(st.lists(respondent, min_size=1, max_size=40), st.randoms(use_true_random=False))
def test_row_order_does_not_change_results(instruments, people, rnd):
    shuffled = list(people)
    rnd.shuffle(shuffled)
    a = index_results(answer_statistics(_frame(people), instruments), instruments, Settings())
    b = index_results(answer_statistics(_frame(shuffled), instruments), instruments, Settings())
    pd.testing.assert_frame_equal(a, b)


@hsettings(max_examples=40, deadline=None)
@given(st.lists(respondent, min_size=1, max_size=30), st.lists(respondent, min_size=1, max_size=15))
def test_adding_respondents_to_a_sibling_never_changes_other_siblings(instruments, people, extra):
    base = index_results(answer_statistics(_frame(people), instruments), instruments, Settings())
    more = _frame(people + [("c", codes, e) for _, codes, e in extra])
    grown = index_results(answer_statistics(more, instruments), instruments, Settings())
    keep = base["unit"] != "c"
    pd.testing.assert_frame_equal(
        base[keep].reset_index(drop=True),
        grown[grown["unit"].isin(base.loc[keep, "unit"])].reset_index(drop=True),
    )


def test_statistics_are_vectorised_on_large_input(instruments):
    # 200,000 respondents over 1,000 units: a smoke check that nothing loops per respondent
    rng = np.random.default_rng(1)
    n = 200_000
    df = pd.DataFrame({"unit": pd.array(rng.integers(0, 1000, n).astype(str), dtype="string")})
    for i in range(1, 10):
        df[f"hme{i}"] = pd.array(rng.integers(1, 6, n), dtype="Int16")
    stats = answer_statistics(df, instruments)
    assert stats["respondents"].sum() == n
