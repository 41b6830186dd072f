"""The organisation's own questions: scales inferred from the answers, grouped proposals that
load as instruments."""

from __future__ import annotations

import shutil

import pytest

from hme_core.inputs.own_items import (
    infer_scale,
    propose_instruments,
    reads_as_burden,
    write_proposals,
)
from hme_core.instruments import load_instruments
from hme_core.paths import REPO_ROOT


@pytest.mark.parametrize("values, scale, kind, n", [
    (["Instämmer helt", "Tar delvis avstånd", "Vet ej"], "agree4_avstand", "likert", 4),
    (["Instämmer i hög grad", "Instämmer inte alls"], "agree5_instammer", "likert", 5),
    (["Sällan", "Ibland", "Alltid"], "frequency5", "likert", 5),
    (["Aldrig/nästan aldrig", "Ofta"], "likert4", "likert", 4),
    (["Stämmer ganska bra", "Stämmer mycket dåligt"], "likert5", "likert", 5),
    (["Ja", "Nej", "Vet ej / ej aktuellt"], "yesno", "categorical", 2),
    (["0 = Inte alls", "4", "10 – Mycket sannolikt"], "scale_0_10", "likert", 11),
])
def test_scale_is_inferred_from_the_answers_found(values, scale, kind, n):
    inferred = infer_scale(values)
    assert (inferred.id, inferred.kind, len(inferred.codes)) == (scale, kind, n)


def test_an_unknown_scale_is_ordered_by_its_words():
    inferred = infer_scale(["Mycket nöjd", "Ganska missnöjd", "Ganska nöjd",
                            "Mycket missnöjd", "Varken nöjd eller missnöjd"])
    assert inferred.id == "satisfaction5"  # a known vendor scale
    inferred = infer_scale(["Ganska lätt", "Mycket svårt", "Ganska svårt", "Mycket lätt"])
    assert inferred.labels == ("Mycket svårt", "Ganska svårt", "Ganska lätt", "Mycket lätt")


def test_free_text_and_unit_names_are_not_answers():
    assert infer_scale(["Hemtjänst Norr", "Bygglov"]) is None
    assert infer_scale(["Sjuksköterska", "Undersköterska", "Chef"]) is None
    assert infer_scale(["", None]) is None


def test_four_options_are_scored_evenly_from_the_least_favourable():
    # 0 / 33.3 / 66.7 / 100 (docs/sources.md, "COPSOQ (Swedish version)")
    scores = [o["score"] for o in infer_scale(["Instämmer helt"]).as_yaml_options()]
    assert scores == pytest.approx([0, 100 / 3, 200 / 3, 100])


def test_burden_wording_is_marked_reversed():
    assert reads_as_burden("Hur ofta känner du dig stressad på jobbet?")
    assert reads_as_burden("Har du blivit utsatt för hot eller våld i ditt arbete?")
    assert not reads_as_burden("Hur ofta får du stöd av dina kollegor?")


def test_proposals_group_by_the_vendors_numbering_and_load_as_instruments(tmp_path):
    columns = {
        "P1. Jag har tillräckligt med tid.": ["Instämmer helt", "Tar helt avstånd"],
        "P2. Min arbetsbelastning är rimlig.": ["Instämmer delvis"],
        "A1. Hur ofta får du motstridiga krav?": ["Aldrig", "Alltid", "Ibland"],
        "A2. Hur ofta får du stöd av kollegor?": ["Ofta", "Sällan"],
        "U1. Har du blivit utsatt för hot?": ["Ja", "Nej"],
        "Arbetsmiljö: Jag trivs med mina kollegor.": ["Instämmer i hög grad"],
    }
    proposals = propose_instruments(columns, {"hme1"})
    assert [(p.id, len(p.items), p.kind) for p in proposals] == [
        ("own_p", 2, "likert"), ("own_a", 2, "likert"), ("own_u", 1, "categorical"),
        ("own_arbetsmiljo", 1, "likert")]
    assert proposals[1].items[0]["reversed"] and not proposals[1].items[1]["reversed"]
    assert proposals[3].items[0]["sv"] == "Jag trivs med mina kollegor."
    folder = tmp_path / "instruments"
    shutil.copytree(REPO_ROOT / "params" / "instruments", folder)
    written = write_proposals(proposals, folder, "svar.xlsx")
    assert folder / "scales" / "agree4_avstand.yaml" in written
    assert write_proposals(proposals, folder, "svar.xlsx") == []  # never overwritten
    loaded = load_instruments(folder)
    own_a = loaded["own_a"]
    assert own_a.item("own_a1").reversed and own_a.item("own_a1").en is None
    assert own_a.item("own_a1").text("en") == "Hur ofta får du motstridiga krav?"  # fallback
    assert own_a.scale_of("own_a1").favourable_first(True) == [1, 2, 3, 4, 5]  # Aldrig first
    assert own_a.scale_of("own_a2").favourable_first(False) == [5, 4, 3, 2, 1]  # Alltid first
    assert loaded["own_u"].scale.kind == "categorical" and not loaded["own_u"].indices
    assert loaded["own_p"].items_of("own_p") == ["own_p1", "own_p2"]
