"""Recognition as vendors write it: question numbers of any letters, end labels with their
number, the usual don't-know wordings, and each item's wording kept as the file gives it."""

from __future__ import annotations

import pandas as pd
import pytest

from hme_core.config import Settings
from hme_core.inputs.answers import answer_codes
from hme_core.inputs.columns import question_number, question_text, recognise
from hme_core.instruments import load_instruments

INSTRUMENTS = load_instruments()


@pytest.mark.parametrize("header, item", [
    ("H1. Min chefs chef ger förutsättningar för att bedriva en säker vård.", "hse1"),
    ("H11. På min arbetsplats erbjuder vi patienter att vara delaktiga i vårt "
     "patientsäkerhetsarbete.", "hse11"),
    ("P3) Jag ser fram emot att gå till arbetet", "hme3"),
    ("Fråga 2: Jag lär nytt och utvecklas i mitt dagliga arbete.", "hme2"),
    ("HSE 9: Jag vågar prata om mina misstag.", "hse9"),
    ("B2a. Jag vet vad som förväntas av mig i mitt arbete.", "hme9"),
    ("12) Mitt arbete känns meningsfullt.", "hme1"),
])
def test_any_letter_and_number_question_prefix_is_stripped_before_matching(header, item):
    assert recognise(header, INSTRUMENTS, {})[0] == item


def test_question_number_and_text_keep_the_organisations_wording():
    assert question_number("H10. Jag skulle känna mig trygg") == "H10"
    assert question_number("Fråga 2: Jag ser") == "2"
    assert question_text("P3)  Hur ofta får du  motstridiga krav?") == \
        "Hur ofta får du motstridiga krav?"
    assert question_text("Kön") == "Kön"  # no number: unchanged


def _codes(values, scale_of):
    scale = INSTRUMENTS.instrument_of_item(scale_of).scale_of(scale_of)
    codes, bad = answer_codes(pd.Series(values, dtype="string"), scale, Settings())
    return codes.tolist(), bad.tolist()


def test_end_labels_with_their_number_are_the_number():
    codes, bad = _codes(["10 – Mycket sannolikt", "0 = Inte alls", "Mycket sannolikt (10)",
                         "7", "3 - ganska"], "enps")
    assert codes == [10, 0, 10, 7, 3] and not any(bad)


def test_a_number_outside_the_scale_or_against_its_own_label_is_refused():
    # 7 is no code of the HME scale; 1 is a code but 'Stämmer mycket bra' is the label of 5
    codes, bad = _codes(["7 – Stämmer mycket bra", "1 = Stämmer mycket bra",
                         "5 = Stämmer mycket bra"], "hme1")
    assert bad == [True, True, False] and codes[2] == 5


@pytest.mark.parametrize("text", ["Vet ej / ej aktuellt", "Vet inte", "Ingen åsikt",
                                  "Kan ej bedöma", "6 = Vet ej", "Ej aktuellt/Vet ej", "N/A"])
def test_usual_dont_know_wordings_are_no_answer(text):
    codes, bad = _codes([text, "Stämmer ganska bra"], "hme1")
    assert bad == [False, False] and pd.isna(codes[0]) and codes[1] == 4


def test_own_scale_labels_are_judged_by_the_items_own_scale():
    # ps_in1 is answered on the frequency scale: 'Sällan' is an answer there, not on HME's
    codes, bad = _codes(["Sällan", "Alltid"], "ps_in1")
    assert codes == [2, 5] and not any(bad)


def test_the_files_wording_of_each_item_is_kept(tmp_path):
    from hme_core.inputs.readers import read_table
    from hme_core.inputs.responses import parse_responses

    path = tmp_path / "svar.csv"
    pd.DataFrame({"Enhet": ["a", "b"],
                  "1. Mitt arbete känns meningsfullt.": ["5", "Vet ej / ej aktuellt"],
                  "hme2": ["4", "3"]}).to_csv(path, index=False)
    table = parse_responses(read_table(path), INSTRUMENTS, Settings(), column_map={})
    assert table.attrs["item_texts"] == {"hme1": "Mitt arbete känns meningsfullt.",
                                         "hme2": "hme2"}
    assert pd.isna(table["hme1"].iloc[1])


def test_spss_value_map_is_found_by_the_variable_label_and_texts_come_from_labels(tmp_path):
    from hme_core.inputs.readers import read_table
    from hme_core.inputs.responses import parse_responses
    from tests.municipality import write_municipality_sav

    path = write_municipality_sav(tmp_path / "svar.sav", scale=0.3)
    maps = {"är du chef?": ({"ja": "chef", "nej": "medarbetare"}, [])}
    table = parse_responses(read_table(path), INSTRUMENTS, Settings(),
                            column_map={"är du chef?": "role", "enhet": "unit"}, value_maps=maps)
    assert set(table["role"].dropna()) == {"chef", "medarbetare"}
    assert table.attrs["item_texts"]["hse1"] == ("Min chefs chef ger förutsättningar för att "
                                                 "bedriva en säker vård.")
    assert table["hme1"].isna().any()  # code 9 "Vet ej / ej aktuellt": no answer


@pytest.mark.parametrize("header", [
    "Hur troligt är det att du skulle rekommendera Region Västerfjäll som arbetsgivare till en "
    "vän?",
    "R1 Skulle du rekommendera din arbetsplats till en vän? (0-10)",
    "How likely are you to recommend Region X as an employer to a friend?"])
def test_the_enps_question_in_a_vendors_own_words_is_enps(header):
    assert recognise(header, load_instruments(), {}) == (
        "enps", "header asks the eNPS question (recommend the employer)")


@pytest.mark.parametrize("header", ["Jag rekommenderar gärna vår vårdcentral till andra.",
                                    "Jag rekommenderar gärna min arbetsplats till andra."])
def test_a_statement_of_recommending_is_not_the_enps_question(header):
    assert recognise(header, load_instruments(), {})[0] is None


def test_a_breakdown_value_of_the_organisations_own_says_how_to_map_it(tmp_path):
    from hme_core.errors import InputError
    from hme_core.inputs.readers import read_table
    from hme_core.inputs.responses import parse_responses

    path = tmp_path / "svar.csv"
    path.write_text("Enhet;Kön;hme1\na1;Kvinna;4\na1;Annat/vill ej ange;5\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        parse_responses(read_table(path), load_instruments(), Settings(),
                        column_map={"kön": "sex"})
    text = str(err.value)
    assert "row 3, column 'Kön': got 'Annat/vill ej ange'" in text
    assert ('Fix: map the file\'s wording in params/column_map.yaml, e.g. "Kön": {column: sex, '
            'values: {"Annat/vill ej ange": annat}}, or count it as no answer: {column: sex, '
            'missing: ["Annat/vill ej ange"]}') in text
    table = parse_responses(read_table(path), load_instruments(), Settings(),
                            column_map={"kön": "sex"},
                            value_maps={"kön": ({"annat/vill ej ange": "annat"}, [])})
    assert table["sex"].tolist() == ["kvinna", "annat"]
