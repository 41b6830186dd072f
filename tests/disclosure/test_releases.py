"""A republication after late answers never reveals, with the earlier publication, what
either hides: earlier published cells are known, earlier hidden ones stay
hidden (GaussSuppression's AdditionalSuppression).

Fixture tree (tests/fixtures.py): R -> A (5 direct respondents) -> a1 (12), a2 (3); 2025
HME: a1 58,33 (n 12), A 60,0 (n 20), R 60,0 (n 20), a2 hidden (n 3).
"""

from __future__ import annotations

import math

import pandas as pd

from hme_core.results.pipeline import ingest_files, rescore_year
from hme_core.store.duckdb_store import RESULT_TABLES, Store
from tests.fixtures import build_store


def _publish(db):
    with Store.open(db) as store:
        store.record_publication(2025, "web", {n: store.load_result(n, 2025)
                                               for n in RESULT_TABLES}, store.version())


def _late(folder, rows):
    """The 2025 responses plus late respondents: (unit, code) each answering all nine."""
    text = (folder / "r2025.csv").read_text()
    for k, (unit, code) in enumerate(rows):
        text += f"late-{k};{unit};Kvinna;Medarbetare;" + ";".join([str(code)] * 9) + ";5\n"
    (folder / "late.csv").write_text(text, encoding="utf-8")
    return folder / "late.csv"


def _hme(db):
    with Store.open(db, read_only=True) as store:
        s = store.load_result("scores", 2025, index="hme")
    return {u: (int(n), v) for u, n, v in zip(s["unit"], s["n"], s["value"], strict=True)}


def test_one_late_answer_cannot_be_subtracted_from_two_publications(tmp_path):
    db = build_store(tmp_path)
    before = _hme(db)
    _publish(db)
    ingest_files(db, _late(tmp_path, [("a1", 1)]), 2025, tmp_path / "org.csv",
                 tmp_path / "hc.csv", replace=True)
    after = _hme(db)
    # a1, A and R each gained exactly the late answer: n x value - n' x value' would be it
    for unit in ("a1", "A", "R"):
        assert after[unit][0] == before[unit][0] + 1
        assert math.isnan(after[unit][1]), (unit, after[unit])
    assert math.isnan(after["a2"][1])  # hidden before (and now)


def test_a_difference_of_enough_answers_is_published_unless_it_reveals_a_small_one(tmp_path):
    db = build_store(tmp_path)
    _publish(db)
    # a1 gains 6 answers (a difference of 6 >= 5 may be published), A's own respondents 1:
    # A's difference (7) minus a1's (6) would be that one person
    late = [("a1", 3)] * 6 + [("A", 1)]
    ingest_files(db, _late(tmp_path, late), 2025, tmp_path / "org.csv", tmp_path / "hc.csv",
                 replace=True)
    after = _hme(db)
    published = {u for u, (_, v) in after.items() if not math.isnan(v)}
    # R's difference equals A's (R has no respondents of its own, a2 none late)
    assert not ("a1" in published and published & {"A", "R"}), published


def test_a_cell_hidden_in_an_earlier_publication_stays_hidden(tmp_path):
    db = build_store(tmp_path)
    _publish(db)  # a2 hidden (3 answers)
    ingest_files(db, _late(tmp_path, [("a2", 4)] * 3), 2025, tmp_path / "org.csv",
                 tmp_path / "hc.csv", replace=True)
    after = _hme(db)
    assert after["a2"][0] == 6 and math.isnan(after["a2"][1])
    with Store.open(db, read_only=True) as store:
        st = store.load_result("statements", 2025, units=["a2"])
        dist = store.load_result("distributions", 2025, units=["a2"])
    assert st["value"].isna().all() and not st["distribution_shown"].any() and dist.empty


def test_unchanged_cells_and_a_year_never_published_are_left_as_decided(tmp_path):
    db = build_store(tmp_path)
    ingest_files(db, _late(tmp_path, [("a1", 1)]), 2025, tmp_path / "org.csv",
                 tmp_path / "hc.csv", replace=True)  # never published: the year's own rule
    assert not math.isnan(_hme(db)["a1"][1])
    _publish(db)
    before = _hme(db)
    rescore_year(db, 2025)  # nothing new: the same publication
    assert _hme(db) == before or all(
        (math.isnan(a[1]) and math.isnan(b[1])) or a == b
        for a, b in zip(_hme(db).values(), before.values(), strict=True))


def test_breakdown_groups_whose_count_changed_are_hidden(tmp_path):
    db = build_store(tmp_path)
    _publish(db)
    ingest_files(db, _late(tmp_path, [("a1", 2)] * 6), 2025, tmp_path / "org.csv",
                 tmp_path / "hc.csv", replace=True)
    with Store.open(db, read_only=True) as store:
        bd = store.load_result("breakdowns", 2025)
        old = store.publications(2025)[0]["breakdowns"]
    merged = bd.merge(old, on=["unit", "variable", "group", "index"], suffixes=("", "_old"))
    changed = merged[merged["n"] != merged["n_old"]]
    assert len(changed) and changed["value"].isna().all()
    assert isinstance(merged, pd.DataFrame)


def test_no_small_difference_follows_from_two_publications_over_random_trees():
    """Independent check by matrix rank (numpy, not the suppression's own audit): over random
    trees with random late answers, no difference of 1..4 answers (a unit's, or the direct
    respondents' of a unit with children) lies in the span of the differences published."""
    import numpy as np

    from hme_core.disclosure.releases import _tree_decision

    rng = np.random.default_rng(28)
    for _ in range(60):
        size = int(rng.integers(3, 14))
        parent = [None] + [f"u{int(rng.integers(0, i))}" for i in range(1, size)]
        units = [f"u{i}" for i in range(size)]
        org = pd.DataFrame({"unit": units, "parent": parent})
        own = rng.choice([0, 0, 0, 1, 2, 3, 6, 9], size=size)  # late answers coded to each
        member = np.zeros((size, size))  # member[u, v]: v's own answers count in u's subtree
        for v in range(size):
            u = v
            while u is not None:
                member[u, v] = 1
                u = None if parent[u] is None else int(parent[u][1:])
        delta = member @ own
        hidden = _tree_decision(org, pd.Series(units), pd.Series(delta),
                                pd.Series(np.zeros(size, bool)), threshold=5)
        known = [member[u] for u in range(size) if not hidden[u]]
        known += [np.eye(size)[v] for v in range(size) if own[v] == 0]  # n public: 0 is known
        base = np.linalg.matrix_rank(np.array(known)) if known else 0
        secrets = [member[u] for u in range(size) if 0 < delta[u] < 5]
        secrets += [np.eye(size)[v] for v in range(size) if 0 < own[v] < 5]
        for s in secrets:
            rank = np.linalg.matrix_rank(np.array([*known, s]))
            assert rank > base, (parent, own.tolist(), hidden.tolist())


def test_the_distribution_of_late_answers_is_never_published(tmp_path):
    db = build_store(tmp_path)  # a1: 12 answers, its distribution shown (>= 10)
    _publish(db)
    ingest_files(db, _late(tmp_path, [("a1", 1)] * 6), 2025, tmp_path / "org.csv",
                 tmp_path / "hc.csv", replace=True)
    with Store.open(db, read_only=True) as store:
        st = store.load_result("statements", 2025, units=["a1"])
        dist = store.load_result("distributions", 2025, units=["a1", "A", "R"])
    assert (st["n"] == 18).all()  # 6 late answers: a difference of 6 may show the value ...
    assert dist.empty  # ... but never how the 6 answered, option by option
