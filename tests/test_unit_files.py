"""Folder names for units are safe, readable and unique."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hme_core.unit_files import folder_names, slug


def test_swedish_letters_are_folded_to_readable_ascii():
    assert slug("Vårdcentralen Ängby, Öst") == "vardcentralen-angby-ost"


def test_path_tricks_never_leave_the_folder():
    names = folder_names({"../x": "..", "a/b": "a/b", 'q"\n': 'Enhet "Q"\nny rad', "": "."})
    for folder in names.values():
        assert folder not in ("", ".", "..")
        assert "/" not in folder and "\\" not in folder and "\n" not in folder
        assert set(folder) <= set("abcdefghijklmnopqrstuvwxyz0123456789-_")


def test_units_with_the_same_name_get_distinct_folders():
    names = folder_names({"a1": "Avdelning", "a-1": "Avdelning", "a_1": "Avdelning"})
    assert len(set(names.values())) == 3
    assert all(n.startswith("avdelning_") for n in names.values())


@given(st.dictionaries(st.text(min_size=0, max_size=12), st.text(max_size=30), max_size=20))
def test_folder_names_are_always_unique_and_safe(units):
    names = folder_names(units)
    assert len(set(names.values())) == len(units)
    for folder in names.values():
        assert folder and folder not in (".", "..") and "/" not in folder


def test_k_dot_1_and_k_dash_1_get_their_own_folder_whatever_the_order():
    forward = folder_names({"K.1": "Kirurgi", "K-1": "Kirurgi"})
    backward = folder_names({"K-1": "Kirurgi", "K.1": "Kirurgi"})
    assert forward == backward
    assert forward["K.1"] != forward["K-1"]
    # a unit's folder does not depend on which other units exist
    assert folder_names({"K-1": "Kirurgi"})["K-1"] == forward["K-1"]
    assert folder_names({"k-1": "Kirurgi"}) == {"k-1": "kirurgi_k-1"}


@given(st.lists(st.tuples(st.text(max_size=8), st.text(max_size=10)), max_size=12), st.randoms())
def test_folder_name_is_a_function_of_code_and_name_only(pairs, rnd):
    units = dict(pairs)
    items = list(units.items())
    rnd.shuffle(items)
    assert folder_names(dict(items)) == folder_names(units)


def test_a_units_narrative_file_is_named_like_its_report_folder(tmp_path):
    import pandas as pd

    from hme_core.unit_files import narrative_path, unit_folders

    org = pd.DataFrame({"unit": ["r", "a1"], "name": ["Region", "Vårdcentralen Ängby"],
                        "parent": [None, "r"]})
    folders = unit_folders(org)
    assert folders["a1"] == "vardcentralen-angby_a1"
    assert narrative_path(2025, "a1", folders, tmp_path) == (
        tmp_path / "narratives" / "2025" / "vardcentralen-angby_a1.md")


def test_ascii_and_accented_names_give_the_same_kind_of_slug():
    assert slug("Enhet 12 / Kirurgi") == "enhet-12-kirurgi"
    assert slug("Straße Æble ø") == "strasse-aeble-o"
    assert slug("ENHET-12", 5) == "enhet"
