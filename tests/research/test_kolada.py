"""Kolada benchmark files: reading, the organisation's own totals (T/K/M), comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hme_core.cli import main
from hme_core.errors import HMEError, InputError
from hme_core.paths import REPO_ROOT
from hme_core.research.kolada import (
    KPIS,
    benchmark_comparison,
    export_kolada,
    gender_scores,
    kolada_rows,
    read_kolada,
)
from hme_core.store.duckdb_store import Store
from tests.fixtures import hme_row, make_responses, store_year

SAMPLE = REPO_ROOT / "params" / "benchmarks" / "kolada_sample.csv"
ORG = pd.DataFrame({"unit": ["R", "A", "B"], "name": ["Region", "A", "B"],
                    "parent": [None, "R", "R"]}).astype("string")


def test_shipped_sample_is_complete_and_realistic():
    df = read_kolada(SAMPLE)
    # 20 regions x 3 years x 4 KPIs x T/K/M
    assert len(df) == 20 * 3 * 4 * 3 and df["municipality_id"].nunique() == 20
    assert set(df["kpi"]) == set(KPIS["region"]) and set(df["gender"]) == {"T", "K", "M"}
    total = df[(df["index"] == "hme") & (df["gender"] == "T")]["value"]
    assert total.between(76, 82).all()
    assert (REPO_ROOT / "params" / "benchmarks" / "README.md").read_text().count("FICTITIOUS")


def test_read_validates_kpi_gender_year_value_and_pads_ids(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("municipality_id;municipality;year;kpi;gender;value\n"
                    "14;Region X;2024;U60200;T;78,5\n"
                    "14;Region X;2024;U60201;T;\n"
                    "14;Region X;2024;U99999;X;hög\n"
                    "14;Region X;24;U60202;K;80\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_kolada(path)
    found = {(i.row, i.column) for i in exc.value.issues}
    assert found == {(4, "kpi"), (4, "gender"), (4, "value"), (5, "year")}
    path.write_text(path.read_text().splitlines()[0] + "\n14;Region X;2024;U60200;T;78,5\n"
                    "14;Region X;2024;U60201;T;\n", encoding="utf-8")
    df = read_kolada(path)
    assert df["municipality_id"].tolist() == ["0014", "0014"]
    assert df["value"].iloc[0] == 78.5 and np.isnan(df["value"].iloc[1])
    assert df["index"].tolist() == ["hme", "motivation"]


@pytest.fixture
def store(tmp_path):
    # A: 6 women answering 4 (75) everywhere; B: 3 men answering 2 (25) -> men below min_n 5.
    # Root total: every statement (6 * 75 + 3 * 25) / 9 = 58.333.
    rows = [hme_row("A", [4] * 9, sex="kvinna") for _ in range(6)]
    rows += [hme_row("B", [2] * 9, sex="man") for _ in range(3)]
    db = tmp_path / "hme.duckdb"
    store_year(db, 2025, ORG, make_responses(rows))
    return db


def test_export_writes_total_but_never_a_group_below_min_n_nor_one_revealing_it(store):
    with Store.open(store, read_only=True) as s:
        out = export_kolada(s, 2025, "0099", "Region Test", kind="region")
    assert out.columns.tolist() == ["municipality_id", "municipality", "year", "kpi", "gender", "value"]
    assert len(out) == 12 and set(out["kpi"]) == set(KPIS["region"])
    by = out.set_index(["kpi", "gender"])["value"]
    assert by[("U60200", "T")] == pytest.approx(175 / 3)
    # Men (3) are below min_n; women (6) pass it, but T (9) and K (6) would give the men's
    # sum by subtraction (9 * 58.33 - 6 * 75 = 3 * 25), so K is suppressed too (secondary).
    assert out[out["gender"] == "M"]["value"].isna().all()
    assert out[out["gender"] == "K"]["value"].isna().all()


def test_men_with_one_thin_statement_get_no_value(instruments, settings):
    # 5 men, but only 4 answered hme9 -> governance and total have no value; motivation has
    rows = [hme_row("A", [3] * 8 + [None if i == 0 else 3], sex="man") for i in range(5)]
    out = gender_scores(make_responses(rows), instruments, settings).set_index("index")["value"]
    assert out["motivation"] == 50.0 and np.isnan(out["governance"]) and np.isnan(out["hme"])


def test_municipality_kind_uses_u002_kpis_and_bad_kind_is_refused():
    totals = pd.DataFrame({"index": ["hme"], "value": [80.0]})
    genders = pd.DataFrame({"gender": ["K"], "index": ["hme"], "value": [81.0]})
    out = kolada_rows(totals, genders, 2025, "1480", "Göteborg", kind="municipality")
    assert out["kpi"].iloc[0] == "U00200" and out["value"].iloc[:2].tolist() == [80.0, 81.0]
    with pytest.raises(HMEError, match="kind='county'"):
        kolada_rows(totals, genders, 2025, "1480", "Göteborg", kind="county")


def test_benchmark_comparison_by_hand():
    bench = pd.DataFrame({"municipality_id": ["1", "2", "3", "0099"], "year": 2025,
                          "kpi": "U60200", "gender": "T", "value": [76.0, 78.0, 80.0, 99.0]})
    own = pd.DataFrame({"municipality_id": ["0099"], "year": [2025], "kpi": ["U60200"],
                        "gender": ["T"], "value": [78.0]})
    row = benchmark_comparison(bench, own, similar=["2", "3"]).iloc[0]
    # others 76, 78, 80 (own id removed): mean 78; below 1, tie 1 -> (1 + 0.5) / 3 = 50 %
    assert (row["n_others"], row["mean_all"], row["percentile"]) == (3, 78.0, 50.0)
    assert row["mean_similar"] == 79.0 and row["diff_mean_similar"] == -1.0


def test_cli_export_kolada_writes_blank_for_suppressed_groups(store, tmp_path):
    out = tmp_path / "kolada.csv"
    assert main(["export", "kolada", "--year", "2025", "--db", str(store), "--out", str(out),
                 "--municipality-id", "0099", "--municipality", "Region Test"]) == 0
    df = pd.read_csv(out, dtype={"municipality_id": str})
    assert df["municipality_id"].eq("0099").all() and df[df["gender"] == "M"]["value"].isna().all()
    assert main(["export", "kolada", "--year", "2025", "--db", str(store), "--kind", "x"]) == 2
