"""Unit cells named by code, path or unique name resolve as before, and a 5,000-level chain
is resolved without listing every unit's path (that costs units x depth)."""

from __future__ import annotations

import pandas as pd

from hme_core.inputs.columns import header_key
from hme_core.inputs.responses import UnitLookup


def _org(rows):
    return pd.DataFrame(rows, columns=["unit", "name", "parent"]).astype("string")


def test_code_then_path_then_unique_name():
    org = _org([("R", "Region", None), ("A", "HSF", "R"), ("A1", "Avd 1", "A"),
                ("X", "Region / HSF", "R"), ("B", "B/C", "R"), ("B1", "Avd 1", "B")])
    look = UnitLookup(org)
    assert look.resolve(header_key("a1")) == ("A1", [])
    # both a path (R > A) and the name of X: the path wins, as it always has
    assert look.resolve(header_key("Region / HSF"))[0] == "A"
    assert look.resolve(header_key("region/b/c/avd 1"))[0] == "B1"  # a name holding '/'
    assert look.resolve(header_key("Region / B/C / Avd  1"))[0] == "B1"
    assert look.resolve(header_key("Avd 1")) == (None, ["A1", "B1"])  # ambiguous name
    assert look.resolve(header_key("Region / Nope"))[0] is None


def test_the_first_of_two_alike_paths_in_file_order_wins():
    org = _org([("R", "Region", None), ("A", "Vård", "R"), ("B", "vård", "R")])
    assert UnitLookup(org).resolve(header_key("Region / VÅRD"))[0] == "A"


def test_a_path_5000_levels_deep_resolves():
    depth = 5_000
    codes = [f"D{i}" for i in range(depth)]
    org = _org(list(zip(codes, [f"N{i}" for i in range(depth)], [None, *codes[:-1]],
                        strict=True)))
    look = UnitLookup(org)
    path = " / ".join(f"N{i}" for i in range(depth))
    assert look.resolve(header_key(path))[0] == "D4999"
    assert look.resolve(header_key("N17"))[0] == "D17"
