"""Targets print what they follow as people read it: the index's name or the statement's
wording (the organisation's, where its file gave one), never an internal id such as 'hme8'."""

from __future__ import annotations

from hme_core.instruments import load_instruments
from hme_core.narratives.targets import Target, indicator_text

INSTRUMENTS = load_instruments()


def _target(indicator, **extra):
    return Target(indicator=indicator, baseline={"year": 2023, "value": 60}, target=70, **extra)


def test_a_statement_target_prints_the_statement_not_its_id():
    text = indicator_text(_target("hme8"), INSTRUMENTS, "sv")
    assert text == "Min arbetsplats mål följs upp och utvärderas på ett bra sätt."
    assert "hme8" not in text


def test_the_organisations_wording_wins_and_english_falls_back_to_it():
    own = {"hme8": "Våra mål följs upp på ett bra sätt."}
    assert indicator_text(_target("hme8"), INSTRUMENTS, "sv", texts=own) == own["hme8"]
    assert indicator_text(_target("hme8"), INSTRUMENTS, "en", texts=own) == \
        "My workplace's goals are followed up and evaluated in a good way."


def test_an_index_target_prints_its_name_and_a_label_overrides():
    assert indicator_text(_target("leadership"), INSTRUMENTS, "sv") == "Ledarskap"
    assert indicator_text(_target("hme", label="Vårt HME"), INSTRUMENTS, "sv") == "Vårt HME"
