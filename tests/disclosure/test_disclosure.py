"""Secondary suppression: from everything published (values and n), no hidden value follows.

The independent audit here works from the respondents up and knows nothing of the relations
`cell_suppression` writes down: every cell's secret is a sum of its respondents' answers, so a
hidden cell is derivable iff its vector lies in the span of the published cells' vectors (a
rank test). Respondents are merged per (own unit, sex) and per (own unit, role): how sex and
role cross is not published, so the attacker does not know it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hme_core.config import Settings
from hme_core.disclosure.primary import statement_results
from hme_core.disclosure.publish import UNKNOWN_GROUP, decide_publication
from hme_core.disclosure.secondary import build_lattice, derivable_cells, suppress
from hme_core.orgtree import closure
from hme_core.results.tables import year_results
from tests.fixtures import hme_row, make_responses

MIN_N = 5


def _org(parents: dict[str, str | None]) -> pd.DataFrame:
    return pd.DataFrame({"unit": list(parents), "name": list(parents),
                         "parent": list(parents.values())}).astype("string")


def _people(counts: dict[str, int], **columns) -> pd.DataFrame:
    rows = [hme_row(u, [4] * 9) for u, k in counts.items() for _ in range(k)]
    df = make_responses(rows)
    for name, values in columns.items():
        df[name] = pd.array(values, dtype="string")
    return df


def _statement(pub, unit, variable="", group="", item="hme1"):
    s = pub.statements
    row = s[(s["unit"] == unit) & (s["variable"] == variable) & (s["group"] == group)
            & (s["item"] == item)]
    return row["suppression"].iloc[0] if len(row) else "absent"


# --------------------------------------------------------------------------- the examples


def test_parent_12_child_8_child_4_hides_the_child_of_8_too(instruments):
    # R (12) = A (8) + B (4). B is below 5; with R and A shown, B = 12*R - 8*A. The one extra
    # cell: A (secondary). R stays published (it is not needed to protect B).
    org = _org({"R": None, "A": "R", "B": "R"})
    pub = decide_publication(_people({"A": 8, "B": 4}), org, instruments, Settings())
    assert [_statement(pub, u) for u in ("R", "A", "B")] == ["", "secondary", "primary"]
    ix = pub.indices[pub.indices["variable"] == ""].set_index(["unit", "index"])["suppression"]
    assert ix[("A", "hme")] == "secondary" and ix[("R", "hme")] == ""


def test_women_and_men_against_the_total(instruments):
    # Unit A: 8 women, 3 men. T (11) and K (8) would give the men's sum; K is hidden as the
    # complement (the smallest other part), T stays. A unit whose sex is unknown for 2 people
    # (a hidden group) with 9 women: K alone would give the 2 by subtraction, so K is hidden.
    org = _org({"R": None, "A": "R", "B": "R"})
    sex = ["kvinna"] * 8 + ["man"] * 3 + ["kvinna"] * 9 + [None] * 2
    pub = decide_publication(_people({"A": 11, "B": 11}, sex=sex), org, instruments, Settings())
    assert _statement(pub, "A") == ""
    assert _statement(pub, "A", "sex", "man") == "primary"
    assert _statement(pub, "A", "sex", "kvinna") == "secondary"
    assert _statement(pub, "B", "sex", "kvinna") == "secondary"
    assert _statement(pub, "B", "sex", UNKNOWN_GROUP) == "absent"  # never published


def test_parent_by_group_against_children_by_group(instruments):
    # R = A + B. Women: A 6, B 3 (B's women below 5); men: A 6, B 6. Every total and A's
    # groups pass the primary rule, but K(R) - K(A) = K(B). Something in the women's layer
    # (or B's breakdown) must be hidden besides K(B), while unit totals stay published.
    org = _org({"R": None, "A": "R", "B": "R"})
    sex = ["kvinna"] * 6 + ["man"] * 6 + ["kvinna"] * 3 + ["man"] * 6
    pub = decide_publication(_people({"A": 12, "B": 9}, sex=sex), org, instruments, Settings())
    assert [_statement(pub, u) for u in ("R", "A", "B")] == ["", "", ""]
    assert _statement(pub, "B", "sex", "kvinna") == "primary"
    women = [_statement(pub, u, "sex", "kvinna") for u in ("R", "A")]
    men_b = _statement(pub, "B", "sex", "man")
    assert "secondary" in [*women, men_b]


def test_year_over_year_differencing_is_a_documented_limit(instruments):
    # A unit with 12 respondents last year and 13 this year: both values are published. The
    # years have different respondents (anonymous), so the difference is not one person's
    # answer; README "Privacy: what is published" states this limit.
    org = _org({"R": None, "A": "R"})
    for n in (12, 13):
        pub = decide_publication(_people({"A": n}), org, instruments, Settings())
        assert _statement(pub, "A") == ""


def test_published_values_are_never_changed_and_suppressed_ones_keep_n(instruments):
    org = _org({"R": None, "A": "R", "B": "R"})
    rows = [hme_row("A", [4] * 9) for _ in range(8)] + [hme_row("B", [2] * 9) for _ in range(4)]
    res = year_results(make_responses(rows), org, None, instruments, Settings(), 2025)
    hme = res["scores"][res["scores"]["index"] == "hme"].set_index("unit")
    # R: (8 * 75 + 4 * 25) / 12 = 58.33, published unchanged; A and B: n kept, no value
    assert hme.loc["R", "value"] == pytest.approx(700 / 12)
    assert (hme.loc["A", "n"], hme.loc["B", "n"]) == (8, 4)
    assert math.isnan(hme.loc["A", "value"]) and hme.loc["A", "suppression"] == "secondary"
    st_ = res["statements"].set_index(["unit", "item"])
    assert not st_.loc[("A", "hme1"), "distribution_shown"]
    assert set(res["distributions"]["unit"]) <= {"R"}  # n 12 >= 10, and not A's 8


# --------------------------------------------------------------------------- independent audit


def _respondent_audit(responses: pd.DataFrame, org: pd.DataFrame, pub, item: str = "hme1"
                      ) -> list[tuple]:
    """Hidden cells (suppressed, or unpublished parts below MIN_N) whose sum of answers is a
    linear combination of published cells' sums.

    What an attacker knows is the published cells and every n, not how sex and role cross
    (that table is not published). So the unknowns are each unit's own answer sums per sex
    group and, separately, per role group (groups with n > 0 only, n being public), tied by
    "a unit's sex groups and its role groups hold the same people". A cell is derivable iff its
    vector lies in the span of the published cells' vectors and those ties (rank test).
    """
    people = responses[responses[item].notna()].copy()
    for var in ("sex", "role"):
        people[var] = people[var].astype("string").fillna(UNKNOWN_GROUP)
    atoms = pd.concat([people.groupby(["unit", var]).size().reset_index()
                       .rename(columns={var: "group"}).assign(variable=var)
                       for var in ("sex", "role")], ignore_index=True)
    up = closure(org)
    parents = set(org["parent"].dropna())

    def vector(unit, variable, group, kind):
        units = {unit} if kind == "direct" else set(up.loc[up["ancestor"] == unit, "unit"])
        mask = atoms["unit"].isin(units) & (atoms["variable"] == (variable or "sex"))
        if variable:
            mask &= atoms["group"] == group
        return mask.to_numpy(float), int(atoms.loc[mask, 0].sum())

    sign = np.where((atoms["variable"] == "sex").to_numpy(bool), 1.0, -1.0)
    ties = [(atoms["unit"] == u).to_numpy(bool) * sign for u in atoms["unit"].unique()]
    known, secret = list(ties), []
    decided = pub.statements[pub.statements["item"] == item]
    for r in decided.itertuples():
        vec, _ = vector(r.unit, r.variable, r.group, "subtree")
        if r.suppression == "":
            known.append(vec)
        else:
            secret.append((vec, (r.unit, r.variable, r.group)))
    groups = {"": [""], "sex": ["kvinna", "man", "annat", UNKNOWN_GROUP],
              "role": ["chef", "medarbetare", UNKNOWN_GROUP]}
    for var, gs in groups.items():
        for g in gs:
            for u in org["unit"]:
                kinds = ["direct"] if u in parents else []
                if g == UNKNOWN_GROUP:
                    kinds.append("subtree")
                for kind in kinds:
                    vec, n = vector(u, var, g, kind)
                    if 0 < n < MIN_N:
                        secret.append((vec, (u, var, g, kind)))
    base = np.array(known) if known else np.zeros((0, len(atoms)))
    rank = np.linalg.matrix_rank(base) if len(base) else 0
    return [name for vec, name in secret
            if np.linalg.matrix_rank(np.vstack([base, vec])) == rank]


@st.composite
def org_and_responses(draw):
    n_units = draw(st.integers(2, 30))
    parents: dict[str, str | None] = {"u0": None}
    depth = {"u0": 1}
    for i in range(1, n_units):
        options = [u for u in parents if depth[u] < 4]
        p = draw(st.sampled_from(options))
        parents[f"u{i}"] = p
        depth[f"u{i}"] = depth[p] + 1
    has_children = set(parents.values())
    rows = []
    for u in parents:
        k = draw(st.integers(0, 8 if u in has_children else 30))
        for _ in range(k):
            sex = draw(st.sampled_from(["kvinna", "man", "man", "kvinna", "annat", None]))
            role = draw(st.sampled_from(["medarbetare", "medarbetare", "chef", None]))
            rows.append({"unit": u, "hme1": draw(st.integers(1, 5)), "sex": sex, "role": role})
    if not rows:
        rows.append({"unit": "u0", "hme1": 3, "sex": None, "role": None})
    return _org(parents), make_responses(rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(org_and_responses())
def test_no_hidden_value_can_be_recomputed_from_what_is_published(instruments, case):
    org, responses = case
    pub = decide_publication(responses, org, instruments, Settings())
    assert _respondent_audit(responses, org, pub) == []
    # primary cells stay hidden; published cells are exactly the unsuppressed ones
    st_ = statement_results(_stats(responses, org, instruments), instruments, Settings())
    small = st_[(st_["n"] > 0) & (st_["n"] < MIN_N)].set_index("unit").index
    decided = pub.statements[pub.statements["variable"] == ""].set_index("unit")["suppression"]
    assert (decided.reindex(small) == "primary").all()


def _stats(responses, org, instruments):
    from hme_core.scoring.statistics import answer_statistics, rollup_statistics

    return rollup_statistics(answer_statistics(responses, instruments, by=("unit",)), org)


@settings(max_examples=30, deadline=None)
@given(org_and_responses())
def test_the_engine_audit_agrees_on_the_lattice(instruments, case):
    org, responses = case
    lat = build_lattice(org)
    c = closure(org)
    own = responses.groupby("unit").size()
    n_sub = c.assign(k=c["unit"].map(own).fillna(0)).groupby("ancestor")["k"].sum()
    cells = lat.cells
    n = np.where(cells["kind"] == "subtree", cells["unit"].map(n_sub).fillna(0),
                 cells["unit"].map(own).fillna(0)).astype(float)
    primary = (n > 0) & (n < MIN_N)
    hidden = suppress(lat, n, primary)
    publishable = cells["publishable"].to_numpy()
    assert not derivable_cells(lat, n, publishable & ~hidden, hidden | (primary & ~publishable)).any()
    assert (hidden[publishable & primary]).all()


def test_the_number_of_secondary_cells_is_small_on_a_hand_made_tree():
    # R = A (20) + B (3) + C (30) + D (6). Only B is small; hiding D (the smallest published
    # part) is the minimum: one secondary cell.
    org = _org({"R": None, "A": "R", "B": "R", "C": "R", "D": "R"})
    lat = build_lattice(org)
    n = np.array([59, 20, 3, 30, 6, 0], float)  # R, A, B, C, D, direct(R)
    hidden = suppress(lat, n, (n > 0) & (n < MIN_N))
    assert lat.cells.loc[hidden, "unit"].tolist() == ["B", "D"]


def test_a_small_direct_group_is_a_hidden_part():
    # R (15) = A (12) + R's own 3: with R and A shown, R's 3 direct respondents follow.
    org = _org({"R": None, "A": "R"})
    lat = build_lattice(org)
    n = np.array([15, 12, 3], float)  # R, A, direct(R)
    primary = np.array([False, False, True])
    hidden = suppress(lat, n, primary)
    assert hidden.tolist() == [False, True, False]  # A hidden (a leaf: the only complement)
