"""The frequency rule for sensitive questions: an exposure question's share is
published only when every answer option someone chose has at least `min_n_category` (3)
answers; otherwise it is hidden ("färre än 3"), decided in `disclosure` like every other rule."""

from __future__ import annotations

import pandas as pd

from hme_core.config import Settings
from hme_core.disclosure.primary import CATEGORY
from hme_core.disclosure.publish import decide_publication
from hme_core.report.hidden import reason_for, reason_text
from hme_core.results.tables import year_results
from tests.fixtures import hme_row


def _org():
    return pd.DataFrame({"unit": ["R", "A", "B", "C"], "name": ["R", "A", "B", "C"],
                         "parent": [None, "R", "R", "R"]}).astype("string")


def _responses(yes: dict[str, int], size: int = 12) -> pd.DataFrame:
    rows = []
    for unit, k in yes.items():
        for i in range(size):
            rows.append({**hme_row(unit, [4] * 9), "ex_victimisation": 1 if i < k else 2})
    df = pd.DataFrame(rows)
    for col in df.columns:
        df[col] = (pd.array(df[col].tolist(), dtype="Int16") if col != "unit"
                   else df[col].astype("string"))
    return df


def _labels(pub, item="ex_victimisation"):
    s = pub.statements
    s = s[(s["item"] == item) & (s["variable"] == "")]
    return dict(zip(s["unit"], s["suppression"], strict=True))


def test_one_yes_in_a_unit_of_12_is_hidden_with_its_own_reason(instruments):
    # A: 1 of 12 said yes; B: 3 of 12; C: nobody. A fails the rule (1 < 3), B and C pass; so
    # that A's 1 cannot be worked out as R - B - C, one more unit is hidden (secondary).
    pub = decide_publication(_responses({"A": 1, "B": 3, "C": 0}), _org(), instruments,
                             Settings())
    labels = _labels(pub)
    assert labels["A"] == CATEGORY
    assert sorted(labels[u] for u in ("B", "C", "R")) == ["", "", "secondary"]
    d = pub.distributions[pub.distributions["item"] == "ex_victimisation"]
    assert d.set_index("unit").loc["A", "suppression"] != ""


def test_the_rule_applies_only_to_sensitive_instruments_and_follows_the_settings(instruments):
    responses = _responses({"A": 1, "B": 3, "C": 0})
    off = Settings(sensitive_instruments=[])
    assert _labels(decide_publication(responses, _org(), instruments, off))["A"] == ""
    two = Settings(min_n_category=1)
    assert _labels(decide_publication(responses, _org(), instruments, two))["A"] == ""


def test_hidden_shares_are_absent_from_the_published_tables(instruments):
    res = year_results(_responses({"A": 2, "B": 5, "C": 4}), _org(), None, instruments,
                       Settings(), 2025)
    dist = res["distributions"]
    shown = set(dist.loc[dist["item"] == "ex_victimisation", "unit"])
    assert "A" not in shown and len(shown) >= 2  # A hidden; at most one complement
    st = res["statements"].set_index(["unit", "item"])
    assert st.loc[("A", "ex_victimisation"), "suppression"] == CATEGORY
    assert pd.isna(st.loc[("A", "ex_victimisation"), "value"])


def test_the_reason_says_fewer_than_3():
    assert reason_for(12, 5, CATEGORY) == CATEGORY
    assert reason_text(CATEGORY, "sv", 3).startswith("Färre än 3 svar")
    assert reason_text(CATEGORY, "en", 3).startswith("Fewer than 3 answers")
