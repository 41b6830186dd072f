"""A one-unit batch reads the stored results of that unit and its ancestors only, and its
cache key is the same as when every unit's results are read."""

from __future__ import annotations

from hme_core.batch.keys import RESULT_TABLES, data_fingerprints
from hme_core.batch.run import compared_units
from hme_core.orgtree import Tree
from hme_core.store.duckdb_store import Store
from tests.fixtures import build_store


def test_fingerprints_of_the_compared_units_equal_those_of_a_whole_read(tmp_path):
    db = build_store(tmp_path / "data")  # R > A > a1, a2
    with Store.open(db, read_only=True) as store:
        tree = Tree(store.load_org(2025))
        compared = compared_units(tree, ["a1"])
        assert compared == ["A", "R", "a1"]                      # a1 and its ancestors
        assert compared_units(tree, ["a2", "R"]) is None          # the root: every unit
        for year in (2024, 2025):
            whole = data_fingerprints({n: store.load_result(n, year) for n in RESULT_TABLES})
            part = data_fingerprints({n: store.load_result(n, year, units=compared)
                                      for n in RESULT_TABLES})
            assert set(part) == {"A", "R", "a1"}
            assert part == {u: whole[u] for u in part}


def test_many_selected_units_read_every_unit(monkeypatch):
    import pandas as pd

    import hme_core.batch.run as run

    org = pd.DataFrame({"unit": ["R", "A", "B", "C"], "parent": [None, "R", "R", "R"]})
    monkeypatch.setattr(run, "FEW_UNITS", 2)
    assert compared_units(Tree(org), ["A"]) == ["A", "R"]
    assert compared_units(Tree(org), ["A", "B"]) is None          # 3 units > 2: read them all


def test_a_change_in_the_audience_counts_alone_changes_the_units_data_fingerprint():
    """The report prints "Antal svarande med patientkontakt: N" from `res_audiences`: a key
    must cover it like every other result table the report reads."""
    import pandas as pd

    scores = pd.DataFrame({"year": [2025], "unit": ["a1"], "index": ["hme"], "value": [74.5]})
    asked = pd.DataFrame({"year": [2025], "unit": ["a1"], "instrument": ["hse"],
                          "respondents": [12]})
    before = data_fingerprints({"scores": scores, "audiences": asked})
    after = data_fingerprints({"scores": scores, "audiences": asked.assign(respondents=13)})
    assert before["a1"] != after["a1"]


def test_a_change_of_the_questionnaire_wording_alone_changes_every_reports_key(tmp_path):
    """Every report shows the questions in the words the year's file asked them
    (`res_questionnaire`, a year table with no unit rows): a re-ingest that only rewords a
    question must re-render every report, and nothing else must."""
    import duckdb

    from hme_core.batch.keys import year_keys
    from hme_core.paths import notebooks_dir

    db = build_store(tmp_path / "data")
    notebook = notebooks_dir() / "unit_report.ipynb"

    def keys():
        with Store.open(db, read_only=True) as store:
            plan = year_keys(store, 2025, notebook)
            return {u: plan.key(u, "sv", ("html",)) for u in ("R", "A", "a1")}

    con = duckdb.connect(str(db))
    con.execute("CREATE OR REPLACE TABLE res_questionnaire AS SELECT 2025::BIGINT AS year, "
                "'hme' AS instrument, 'hme1' AS item, 'Mitt arbete känns meningsfullt.' AS text,"
                " 10::BIGINT AS answers, 0::BIGINT AS position")
    con.close()
    first, again = keys(), keys()
    con = duckdb.connect(str(db))
    con.execute("UPDATE res_questionnaire SET text = 'Mitt arbete är meningsfullt.'")
    con.close()
    reworded = keys()
    assert first == again
    assert all(reworded[u] != first[u] for u in first)
