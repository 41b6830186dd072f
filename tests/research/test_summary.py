"""The research summary on generated stores (one factor, three factors, noise): no sentence states
more than its numbers support, checked against independent computations (scipy, pingouin,
semopy); and the workbook's data on stores without respondent ids, without a benchmark file,
with outcomes in fewer years than indices, and with outcome labels."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from hme_core.research.sections import ResearchBook
from hme_core.research.structure import CUTOFFS, model_description
from hme_core.research.summary import research_summary
from hme_core.research.workbook import load_workbook
from hme_core.store.duckdb_store import Store
from tests.research.stores import factor_store

pytestmark = pytest.mark.slow

SHAPES = {  # kind -> store options (sizes and shapes differ on purpose)
    "three": {"years": (2024, 2025), "n_units": 30, "per_unit": 12, "ids": True},
    "one": {"years": (2025,), "n_units": 31, "per_unit": (8, 16), "ids": False},
    "noise": {"years": (2025,), "n_units": 25, "per_unit": 14, "ids": True},
}


@pytest.fixture(scope="module", params=list(SHAPES))
def computed(request, tmp_path_factory):
    kind = request.param
    db = tmp_path_factory.mktemp(kind) / "hme.duckdb"
    factor_store(db, kind, seed=2, **SHAPES[kind])
    book = ResearchBook(load_workbook(db, lang="en"), lang="en", n_boot=30).compute()
    return kind, book, research_summary(book)


def _semopy(x: pd.DataFrame, factors: dict):
    import semopy

    model = semopy.Model(model_description(factors))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x)
    est = model.inspect(std_est=True)
    latent = est[(est["op"] == "~~") & est["lval"].isin(factors) & est["rval"].isin(factors)
                 & (est["lval"] != est["rval"])]
    return float(semopy.calc_stats(model).iloc[0]["chi2"]), latent["Est. Std"].astype(float)


def check_sentence(s, book) -> None:
    """Raise AssertionError if sentence `s` says more than the numbers support."""
    f, n = book.f, s.numbers
    if s.topic == "correlation":
        units = book.data.latest_units[["hme", n["outcome"]]].dropna()
        r, p = stats.pearsonr(units["hme"], units[n["outcome"]])
        assert n["r"] == pytest.approx(r, abs=1e-9) and n["n"] == len(units)
        assert n["p_adj"] >= p - 1e-12  # Holm never lowers a p-value
        assert f.num(2)(r) in s.text
        if s.verdict == "none":
            assert n["p_adj"] >= 0.05
        else:
            assert n["p_adj"] < 0.05 and (r < 0) == (s.verdict == "negative")
    elif s.topic == "change":  # year-to-year differences within units, computed here again
        panel = book.data.table.frame.pivot_table(index="unit", columns="year",
                                                  values=["hme", n["outcome"]])
        years = sorted(book.data.table.frame["year"].unique())
        deltas = pd.DataFrame({c: panel[(c, years[1])] - panel[(c, years[0])]
                               for c in ("hme", n["outcome"])}).dropna()
        r, p = stats.pearsonr(deltas["hme"], deltas[n["outcome"]])
        assert n["r"] == pytest.approx(r, abs=1e-9) and n["n"] == len(deltas)
        assert n["p_adj"] >= p - 1e-12 and f.num(2)(r) in s.text
        assert (s.verdict == "none") == (n["p_adj"] >= 0.05)
        if s.verdict != "none":
            assert (r < 0) == (s.verdict == "negative")
    elif s.topic == "structure":
        items = [i for its in book.data.factors.values() for i in its]
        x = book.data.respondents[items].dropna()
        assert n["n"] == len(x)
        if s.verdict.startswith("k_better") or s.verdict == "not_better":
            # on answer codes (scores / 25 + 1; chi2 is invariant): semopy's optimiser stops
            # early on the 0-100 scale (chi2 18.0 where the optimum is 16.2)
            chi3, corr = _semopy(x / 25 + 1, book.data.factors)
            chi1, _ = _semopy(x / 25 + 1, {"hme": items})
            assert (corr.abs() <= 1 + 1e-3).all()  # semopy too finds a proper solution
            assert chi1 - chi3 == pytest.approx(n["delta_chi2"], abs=1e-2) and chi1 > chi3
            p = stats.chi2.sf(chi1 - chi3, n["delta_dof"])
            assert (p < 0.05) == s.verdict.startswith("k_better")
            assert f.p(p) in s.text
        elif s.verdict == "no_covariation":  # the only p printed is the independence model's
            p_base = stats.chi2.sf(n["chi2_base"], n["dof_base"])
            assert np.isnan(n["p"]) and "Δχ²" not in s.text and s.text.count(" p ") == 1
            assert f"p {f.p(p_base)}" in s.text
        else:
            assert np.isnan(n["p"]) and " p " not in s.text  # no p-value without a valid test
        if s.verdict == "k_better_fits_well":
            assert n["cfi"] >= CUTOFFS["cfi"] and n["tli"] >= CUTOFFS["tli"]
            assert n["rmsea"] <= CUTOFFS["rmsea"] and n["srmr"] <= CUTOFFS["srmr"]
        if s.verdict == "no_covariation":
            assert stats.chi2.sf(n["chi2_base"], n["dof_base"]) >= 0.05
    elif s.topic == "reliability" and s.verdict != "not_interpreted":
        people = book.data.respondents
        alphas = {sc: pg.cronbach_alpha(people[book.data.scales[sc]].dropna())[0] for sc in n["scales"]}
        assert min(alphas.values()) == pytest.approx(n["alpha_min"], abs=1e-9)
        assert f.num(2)(min(alphas.values())) in s.text
        low = {sc for sc, a in alphas.items() if a < 0.70}
        assert low == set(n["low"]) and (s.verdict == "acceptable") == (not low)
    elif s.topic == "drivers":
        top = book.results["drivers_enps"].iloc[0]
        assert top["predictor"] == n["predictor"]
        assert (s.verdict == "top_clear") == (n["ci_low"] > n["second_ci_high"])
    elif s.topic == "icc":
        assert 0 <= n["icc"] <= 1 and f.num(3)(n["icc"]) in s.text
    elif s.topic == "scope":
        assert n["respondents"] == len(book.data.respondents)
        assert f.integer(n["respondents"]) in s.text


def test_no_summary_sentence_contradicts_its_numbers(computed):
    kind, book, summary = computed
    assert summary.sentences[0].topic == "scope"
    for sentence in summary.sentences:
        check_sentence(sentence, book)


def test_summary_concludes_the_structure_the_data_were_made_with(computed):
    kind, book, summary = computed
    verdict = next(s.verdict for s in summary.sentences if s.topic == "structure")
    if kind == "three":
        assert verdict == "k_better_fits_well"
    else:  # one factor or none: never "three factors fit better"
        assert not verdict.startswith("k_better")
    if kind == "noise":
        rel = [s for s in summary.sentences if s.topic == "reliability"]
        assert all(s.verdict != "acceptable" for s in rel)


def test_summary_names_the_sick_leave_association_only_where_it_was_made(computed):
    kind, book, summary = computed
    corr = {s.numbers["outcome"]: s.verdict for s in summary.sentences if s.topic == "correlation"}
    if kind == "three":
        assert corr["sick_leave_rate"] == "negative"


def test_summary_says_what_change_within_units_shows_only_with_two_years(computed):
    kind, book, summary = computed
    change = [s for s in summary.sentences if s.topic == "change"]
    if kind == "three":  # two years with outcomes: one sentence per outcome
        assert {s.numbers["outcome"] for s in change} == set(book.outcomes)
        assert all("unit changes" in s.text for s in change)
    else:
        assert change == []


def test_store_without_respondent_ids_gives_enps_by_row(tmp_path):
    # the crash: eNPS was mapped by respondent_id, which an export without ids leaves empty
    db = tmp_path / "hme.duckdb"
    factor_store(db, "three", years=(2025,), n_units=8, per_unit=12, ids=False, outcomes=False)
    data = load_workbook(db, lang="sv")
    assert data.respondents["respondent_id"].isna().all()
    assert data.respondents["enps"].between(0, 10).all() and len(data.respondents) == 96
    book = ResearchBook(data, lang="sv", n_boot=20).compute()
    assert "drivers_enps" in book.results


def test_change_message_counts_years_with_indices_and_years_with_outcomes(tmp_path):
    db = tmp_path / "hme.duckdb"
    factor_store(db, "three", years=(2024, 2025), n_units=8, per_unit=6, outcome_years=(2025,))
    book = ResearchBook(load_workbook(db, lang="en"), lang="en", n_boot=20)
    text = book.section("change")[0].text
    assert "published indices exist for 2 years (2024, 2025), outcomes for 1 years (2025), both for 1" in text


def test_no_benchmark_unless_asked_and_the_sample_is_labelled_on_every_row(tmp_path):
    db = tmp_path / "hme.duckdb"
    factor_store(db, "three", years=(2025,), n_units=8, per_unit=6, outcomes=False)
    plain = ResearchBook(load_workbook(db, lang="sv"), lang="sv", n_boot=20).compute()
    assert plain.data.benchmark.empty and "benchmark" not in plain.results
    sample = ResearchBook(load_workbook(db, lang="sv", benchmark_file="sample"), lang="sv",
                          n_boot=20).compute()
    table = sample.section("benchmark")[0]
    assert len(table.shown) and (table.shown["Källa"] == "FIKTIVT exempel").all()
    sentence = next(s for s in research_summary(sample).sentences if s.topic == "benchmark")
    assert sentence.verdict == "fictitious" and "FIKTIVT" in sentence.text


def test_outcome_labels_are_read_as_the_organisation_wrote_them(tmp_path):
    db = tmp_path / "hme.duckdb"
    factor_store(db, "three", years=(2025,), n_units=8, per_unit=6)
    assert load_workbook(db, lang="sv").labels.get("staff_turnover") is None  # catalogue's then
    with Store.open(db) as store:
        store.con.execute("ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS label VARCHAR")
        store.con.execute("UPDATE outcomes SET label = 'Personalomsättning, extern (%)' "
                          "WHERE indicator = 'staff_turnover'")
    assert load_workbook(db, lang="sv").labels["staff_turnover"] == "Personalomsättning, extern (%)"
