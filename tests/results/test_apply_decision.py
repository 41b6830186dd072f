"""`apply_decision` matches rows to decisions by their keys compared as text."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hme_core.results.tables import apply_decision


def test_decisions_are_matched_by_key_as_text_and_missing_ones_are_primary():
    frame = pd.DataFrame({"unit": ["B", "A", "C", "A", "D"], "item": [1, 1, 1, 2, 1],
                          "value": [1.0, 2.0, 3.0, 4.0, 5.0]})
    decisions = pd.DataFrame({"unit": ["A", "A", "B", "C", "D"],
                              "item": ["2", "1", "1", "1", "1"],
                              "suppression": ["", "secondary", "", "primary", np.nan]})
    out = apply_decision(frame, decisions, ["unit", "item"], ["value"])
    assert out["suppression"].tolist() == ["", "secondary", "primary", "", "primary"]
    assert out["value"].tolist()[::3] == [1.0, 4.0]
    assert out["value"].isna().tolist() == [False, True, True, False, True]
    assert frame["value"].notna().all()  # not modified
    empty = apply_decision(frame, decisions.iloc[:0], ["unit", "item"], ["value"])
    assert (empty["suppression"] == "primary").all()
