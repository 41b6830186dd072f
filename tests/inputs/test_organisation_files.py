"""Files as a municipality's vendor and HR deliver them: the export's own path column
as the tree, paths that start below the root, head counts and outcomes by name (a near
duplicate, '-' for '–', "Administration" in three departments told apart by 'Förvaltning;
Enhet'), a wide outcomes file with "Sjukfrånvaro (%)", a renamed unit keeping its code."""

from __future__ import annotations

import pandas as pd
import pytest

from hme_core.cli import main
from hme_core.config import Settings
from hme_core.errors import InputError
from hme_core.inputs.assemble import read_all
from hme_core.inputs.orgtrees import generated_code, load_headcounts, load_org_tree
from hme_core.inputs.outcomes import ingest_outcomes, load_outcomes_frame, outcome_labels
from hme_core.instruments import load_instruments
from hme_core.store.duckdb_store import Store

STATEMENTS = ["Mitt arbete känns meningsfullt.", "Jag lär nytt och utvecklas i mitt dagliga arbete.",
              "Jag ser fram emot att gå till arbetet."]
KS, BUF, SOC = "Kommunstyrelseförvaltningen", "Barn- och utbildningsförvaltningen", "Socialförvaltningen"
ROOT = "Exempelby kommun"


def leaves(lon: str = "Löne- och pensionscenter") -> list[str]:
    """The vendor's form: paths without the municipality, starting at the förvaltning."""
    return [f"{KS} / HR-avdelningen / {lon}", f"{KS} / HR-avdelningen / HR-stöd & rekrytering",
            f"{KS} / Administration", f"{BUF} / Administration", f"{BUF} / Förskola Norr",
            f"{SOC} / Administration", f"{SOC} / Hemtjänst Öst"]


def write_export(path, units: list[str], per_unit: int = 6) -> None:
    """A vendor export: an info sheet first, then 'Resultat' with the statements as headers."""
    rows = [{"Respondent-ID": f"R{i}-{k}", "Organisation": unit, "Kön": "Kvinna",
             **{s: "Stämmer ganska bra" if (i + k) % 3 else "Stämmer mycket bra"
                for s in STATEMENTS}}
            for i, unit in enumerate(units) for k in range(per_unit)]
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Medarbetarundersökning": ["Alla svar"]}).to_excel(
            writer, sheet_name="Info", index=False)
        pd.DataFrame(rows).to_excel(writer, sheet_name="Resultat", index=False)


@pytest.fixture
def params(tmp_path, monkeypatch):
    """A workspace's params made by `hme init --organisation 'Exempelby kommun'`."""
    assert main(["init", str(tmp_path / "ws"), "--organisation", ROOT, "--kind", "kommun",
                 "--kolada-id", "1999"]) == 0
    folder = tmp_path / "ws" / "params"
    monkeypatch.setenv("HME_PARAMS", str(folder))
    return folder


def _read(export, headcounts=None, org=None, year=2025):
    return read_all(export, org, headcounts, year, load_instruments(),
                    Settings(organisation_name=ROOT))


def test_the_exports_own_path_column_is_the_tree_under_the_organisations_name(tmp_path, params):
    export = tmp_path / "export.xlsx"
    write_export(export, leaves())
    responses, org, _ = _read(f"{export}#Resultat")  # implied: the unit column holds paths
    root = org[org["parent"].isna()]
    assert root["name"].tolist() == [ROOT]
    admins = org[org["name"] == "Administration"]
    assert len(admins) == 3 and admins["unit"].nunique() == 3
    # codes follow the path from the organisation's name: the same every year
    assert generated_code([ROOT, KS, "HR-avdelningen"]) in set(org["unit"])
    assert responses["unit"].isin(org["unit"]).all() and len(org) == 1 + 3 + 1 + 7
    # --org pointing at the same file and sheet gives the same tree
    _, same, _ = _read(f"{export}#Resultat", org=f"{export}#Resultat")
    pd.testing.assert_frame_equal(org, same)


def test_paths_starting_at_several_units_without_an_organisation_name_say_how_to_fix(tmp_path):
    export = tmp_path / "export.xlsx"
    write_export(export, leaves())
    with pytest.raises(InputError) as err:
        read_all(f"{export}#Resultat", f"{export}#Resultat", None, 2025, load_instruments(),
                 Settings())
    assert "the paths start at 3 units" in str(err.value)
    assert "hme init --organisation NAME" in str(err.value)


def test_validate_without_a_tree_builds_it_and_ingest_needs_no_org_option(tmp_path, params, capsys):
    export = tmp_path / "export.xlsx"
    write_export(export, leaves())
    assert main(["validate", f"{export}#Resultat"]) == 0
    assert "12 units in the org tree" in capsys.readouterr().err
    db = tmp_path / "hme.duckdb"
    assert main(["ingest", f"{export}#Resultat", "--year", "2025", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["units", "--year", "2025", "--db", str(db)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0] == "code;name;path;level;respondents;employees"
    assert table[1] == f"{generated_code([ROOT])};{ROOT};{ROOT};1;42;"
    assert f";Administration;{ROOT} / {SOC} / Administration;3;6;" in "\n".join(table)


def test_codes_without_a_tree_are_checked_as_codes_and_ingest_says_what_to_pass(tmp_path, capsys):
    svar = tmp_path / "svar.csv"
    svar.write_text("Enhet;hme1\na1;5\na2;4\n", encoding="utf-8")
    assert main(["validate", str(svar)]) == 0
    assert "ingest` needs an org tree: give --org FILE" in capsys.readouterr().err
    assert main(["ingest", str(svar), "--year", "2025", "--db", str(tmp_path / "x.duckdb")]) == 2
    assert "--org RESPONSES when the responses' unit column holds" in capsys.readouterr().err
    assert not (tmp_path / "x.duckdb").exists()


def _headcounts(tmp_path, rows) -> str:
    path = tmp_path / "anstallda.xlsx"
    pd.DataFrame(rows, columns=["Förvaltning", "Enhet", "Antal anställda"]).to_excel(
        path, index=False)
    return str(path)


def test_head_counts_by_level_columns_tell_three_administrations_apart(tmp_path, params):
    export = tmp_path / "export.xlsx"
    write_export(export, leaves())
    hc = _headcounts(tmp_path, [(KS, "Administration", 11), (BUF, "Administration", 12),
                                (SOC, "Administration", 13), (SOC, "Hemtjänst Öst", 20),
                                (KS, "Löne- och pensionscenter", 9)])
    _, org, heads = _read(f"{export}#Resultat", hc)
    name = dict(zip(org["unit"], org["name"], strict=True))
    parent = dict(zip(org["unit"], org["parent"], strict=True))
    got = {(name[parent[u]], name[u]): n for u, n in zip(heads["unit"], heads["employees"],
                                                         strict=True)}
    # the förvaltning is the unit's grandparent for Löne- och pensionscenter: levels between
    # the given ones may be left out
    assert got == {(KS, "Administration"): 11, (BUF, "Administration"): 12,
                   (SOC, "Administration"): 13, (SOC, "Hemtjänst Öst"): 20,
                   ("HR-avdelningen", "Löne- och pensionscenter"): 9}


def test_a_repeated_name_alone_is_refused_listing_the_candidates_and_their_paths(tmp_path, params):
    export = tmp_path / "export.xlsx"
    write_export(export, leaves())
    hc = tmp_path / "hc.csv"
    hc.write_text("Enhet;Anställda\nAdministration;11\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        _read(f"{export}#Resultat", hc)
    msg = str(err.value)
    assert "row 2, column 'Enhet': got 'Administration'" in msg
    assert f"'{ROOT} / {BUF} / Administration'" in msg and "'Förvaltning;Enhet'" in msg


def test_near_misses_are_refused_with_did_you_mean_and_accepted_once_as_aliases(tmp_path, params):
    export = tmp_path / "export.xlsx"
    write_export(export, leaves())
    hc = _headcounts(tmp_path, [(KS, "HR-stöd och rekrytering", 14),
                                (KS, "Löne– och pensionscenter", 9)])  # 'och' for '&', an en dash
    with pytest.raises(InputError) as err:
        _read(f"{export}#Resultat", hc)
    msg = str(err.value)
    assert "did you mean 'HR-stöd & rekrytering'" in msg
    assert "did you mean 'Löne- och pensionscenter'" in msg
    assert '"HR-stöd och rekrytering": "HR-stöd & rekrytering"' in msg  # the line to add
    # accepted once: validate writes the pairs it proposed into params/units.yaml
    args = ["validate", f"{export}#Resultat", "--headcount", hc, "--year", "2025"]
    assert main([*args, "--accept-aliases"]) == 2
    assert main(args) == 0
    from hme_core.inputs.units import load_units_file

    assert load_units_file(params)[0] == {"hr-stöd och rekrytering": "HR-stöd & rekrytering",
                                          "löne– och pensionscenter": "Löne- och pensionscenter"}
    _, org, heads = _read(f"{export}#Resultat", hc)
    name = dict(zip(org["unit"], org["name"], strict=True))
    assert sorted(name[u] for u in heads["unit"]) == ["HR-stöd & rekrytering",
                                                      "Löne- och pensionscenter"]


def test_a_unit_renamed_between_years_keeps_its_code_through_the_renamed_mapping(tmp_path, params):
    before, after = tmp_path / "2024.xlsx", tmp_path / "2025.xlsx"
    write_export(before, leaves("Lönecenter"))
    write_export(after, leaves())
    old = load_org_tree(f"{before}#Resultat")
    code = old.loc[old["name"] == "Lönecenter", "unit"].item()
    new = load_org_tree(f"{after}#Resultat")
    assert code not in set(new["unit"])  # a new path, a new code: unless told
    assert main(["rename-unit", f"{KS} / HR-avdelningen / Lönecenter",
                 f"{KS} / HR-avdelningen / Löne- och pensionscenter"]) == 0
    new = load_org_tree(f"{after}#Resultat")
    assert new.loc[new["unit"] == code, "name"].item() == "Löne- och pensionscenter"
    assert set(new["unit"]) - {code} == set(old["unit"]) - {code}  # the others as before


def test_a_wide_outcomes_file_by_name_keeps_its_labels(tmp_path, params):
    export = tmp_path / "export.xlsx"
    write_export(export, leaves())
    db = tmp_path / "hme.duckdb"
    assert main(["ingest", f"{export}#Resultat", "--year", "2025", "--db", str(db)]) == 0
    path = tmp_path / "utfall.xlsx"
    pd.DataFrame({"Förvaltning": [SOC, BUF, KS], "Enhet": ["Administration"] * 3,
                  "År": [2025] * 3, "Sjukfrånvaro (%)": [7.5, 4.25, 6.0],
                  "Personalomsättning (%)": [None, 11.0, 9.5]}).to_excel(path, index=False)
    with Store.open(db) as store:
        ingest_outcomes(store, path)
        org = store.load_org(2025)
        stored = load_outcomes_frame(store.con)
        labels = outcome_labels(store.con)
    assert labels == {"sjukfranvaro": "Sjukfrånvaro (%)",
                      "personalomsattning": "Personalomsättning (%)"}
    path_of = {u: n for u, n in zip(org["unit"], org["parent"].map(
        dict(zip(org["unit"], org["name"], strict=True))), strict=True)}
    sick = stored[stored["indicator"] == "sjukfranvaro"]
    assert {path_of[u]: v for u, v in zip(sick["unit"], sick["value"], strict=True)} == {
        SOC: 7.5, BUF: 4.25, KS: 6.0}
    assert set(sick["unit_of_measure"]) == {"%"}
    assert len(stored) == 5  # the blank cell is no value


def test_outcomes_name_an_unknown_year_and_a_near_miss(tmp_path, params, capsys):
    export = tmp_path / "export.xlsx"
    write_export(export, leaves())
    db = tmp_path / "hme.duckdb"
    assert main(["ingest", f"{export}#Resultat", "--year", "2025", "--db", str(db)]) == 0
    path = tmp_path / "utfall.csv"
    path.write_text("Enhet;År;Sjukfrånvaro (%)\nHemtjänst Öst;2023;5,5\n"
                    "Hemtjanst Öst;2025;6,5\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["ingest-outcomes", str(path), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "row 2, column 'År': got '2023', expected a year with a stored survey (2025)" in err
    assert "row 3, column 'Enhet': got 'Hemtjanst Öst'" in err and "did you mean 'Hemtjänst Öst'" in err


def test_validate_all_shows_every_problem_and_writes_the_list(tmp_path, params, capsys):
    svar = tmp_path / "svar.csv"
    svar.write_text("Enhet;hme1\n" + "".join(f"a{i};{6 + i}\n" for i in range(60)),
                    encoding="utf-8")
    assert main(["validate", str(svar)]) == 2
    assert "and 10 more problem(s) not shown" in capsys.readouterr().err
    listing = tmp_path / "problems.txt"
    assert main(["validate", str(svar), "--all", "--problems", str(listing)]) == 2
    err = capsys.readouterr().err
    assert "not shown" not in err and "got '65'" in err
    assert len(listing.read_text(encoding="utf-8").splitlines()) == 60


def test_head_counts_of_a_tree_take_names_and_still_refuse_unknown_units(tmp_path):
    tree = tmp_path / "org.csv"
    tree.write_text("unit;name;parent\nR;Region;\nA;Avd A;R\n", encoding="utf-8")
    hc = tmp_path / "hc.csv"
    hc.write_text("Enhet;År;Anställda\nAvd A;2024;5\nB;2025;3\n", encoding="utf-8")
    org = load_org_tree(tree)
    assert load_headcounts(hc, year=2024, org=org)["unit"].tolist() == ["A"]
    with pytest.raises(InputError) as err:
        load_headcounts(hc, year=2025, org=org)
    assert "row 3, column 'Enhet': got 'B'" in str(err.value)


def test_a_targets_scope_may_name_its_unit_as_any_file_does(params):
    from hme_core.narratives.targets import Baseline, Target, scope_unit

    org = pd.DataFrame({"unit": ["R", "A", "a1", "B", "b1"],
                        "name": ["Kommun", KS, "Administration", SOC, "Administration"],
                        "parent": [None, "R", "A", "R", "B"]})
    scoped = {scope: scope_unit(Target(indicator="hme", scope=scope, baseline=Baseline(year=2024),
                                       direction="up"), org)
              for scope in ("root", "a1", f"{SOC} / Administration", KS, "Administration")}
    # a repeated name alone names no unit: left as written (no target is shown for it)
    assert scoped == {"root": "R", "a1": "a1", f"{SOC} / Administration": "b1", KS: "A",
                      "Administration": "Administration"}


def test_responses_with_level_columns_tell_units_of_one_name_apart(tmp_path, params):
    rows = [(dept, unit, 4) for dept, unit in ((KS, "Administration"), (SOC, "Administration"),
                                               (SOC, "Hemtjänst Öst")) for _ in range(3)]
    svar = tmp_path / "svar.xlsx"
    pd.DataFrame(rows, columns=["Förvaltning", "Enhet", STATEMENTS[0]]).to_excel(svar, index=False)
    responses, org, _ = _read(str(svar))  # the level columns are the tree
    path = {u: f"{org.set_index('unit').loc[p, 'name']} / {n}" for u, n, p in org.itertuples(
        index=False) if isinstance(p, str)}
    assert [path[u] for u in responses["unit"]] == [f"{d} / {n}" for d, n, _ in rows]
    # a separate tree with codes: an 'Enhet' of codes still names its unit
    tree = tmp_path / "org.csv"
    tree.write_text(f"unit;name;parent\nR;{ROOT};\nK;{KS};R\nk1;Administration;K\n",
                    encoding="utf-8")
    coded = tmp_path / "coded.xlsx"
    pd.DataFrame([(KS, "k1", 5)], columns=["Förvaltning", "Enhet", STATEMENTS[0]]).to_excel(
        coded, index=False)
    responses, _, _ = _read(str(coded), org=str(tree))
    assert responses["unit"].tolist() == ["k1"]


def test_a_rename_is_noticed_at_ingest_and_outcomes_wide_by_year_name_the_unit_as_now(
        tmp_path, params, capsys):
    """2024's export says 'Lönecenter', 2025's 'Löne- och pensionscenter' under the same
    parent: `hme ingest` says so with the rename command; once renamed, HR's wide outcomes
    file ("Sjukfrånvaro 2024 (%)", "Sjukfrånvaro 2025 (%)") names the unit as it is called now
    for both years, and both values land on its one code."""
    db = tmp_path / "hme.duckdb"
    before, after = tmp_path / "e2024.xlsx", tmp_path / "e2025.xlsx"
    write_export(before, leaves("Lönecenter"))
    write_export(after, leaves())
    assert main(["ingest", f"{before}#Resultat", "--year", "2024", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["ingest", f"{after}#Resultat", "--year", "2025", "--db", str(db)]) == 0
    old, new = "Lönecenter", "Löne- och pensionscenter"
    err = capsys.readouterr().err
    assert (f"'{KS} / HR-avdelningen / {old}' (2024) and '{KS} / HR-avdelningen / {new}' (2025) "
            "have the same parent: if the unit was renamed, run hme rename-unit") in err
    assert main(["rename-unit", f"{KS} / HR-avdelningen / {old}",
                 f"{KS} / HR-avdelningen / {new}"]) == 0
    assert main(["ingest", f"{after}#Resultat", "--year", "2025", "--db", str(db),
                 "--replace"]) == 0
    assert "have the same parent" not in capsys.readouterr().err
    path = tmp_path / "utfall.xlsx"
    pd.DataFrame({"Enhet": [new, "Förskola Norr"], "Sjukfrånvaro 2024 (%)": [5.5, 3.0],
                  "Sjukfrånvaro 2025 (%)": [6.5, None]}).to_excel(path, index=False)
    with Store.open(db) as store:
        ingest_outcomes(store, path)
        stored = load_outcomes_frame(store.con)
        labels = outcome_labels(store.con)
    code = generated_code([ROOT, KS, "HR-avdelningen", old])
    assert labels == {"sjukfranvaro": "Sjukfrånvaro (%)"}
    mine = stored[stored["unit"] == code].sort_values("year")
    assert mine["year"].tolist() == [2024, 2025] and mine["value"].tolist() == [5.5, 6.5]
    assert len(stored) == 3  # the blank cell is no value


def test_an_spss_unit_column_named_by_its_label_holds_the_paths_of_the_tree(tmp_path, params):
    """SPSS exports name columns shortly ('org') and label them ('Organisation'): a unit
    column found by its label is the tree when it holds paths, as a header would be."""
    import pyreadstat

    units = leaves()
    frame = pd.DataFrame({"id": [f"R{i}" for i in range(6 * len(units))],
                          "org": [u for u in units for _ in range(6)],
                          "F1": [4.0, 5.0, 3.0] * (2 * len(units))})
    path = tmp_path / "svar.sav"
    pyreadstat.write_sav(frame, str(path), column_labels=["Respondent-ID", "Organisation",
                                                          STATEMENTS[0]])
    responses, org, _ = _read(path)
    assert org is not None and len(org) == 1 + 3 + 1 + 7  # root, 3 förvaltningar, HR, 7 units
    assert set(responses["unit"]) <= set(org["unit"]) and responses["unit"].nunique() == 7
