"""Reporting groups: units the organisation decides report together get one published result,
shown by every member; `hme validate` proposes them and `--write-groups` accepts them."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from hme_core.cli import main
from hme_core.config import Settings
from hme_core.disclosure.reporting_groups import (
    applicable_groups,
    load_reporting_groups,
    propose_groups,
)
from hme_core.errors import ConfigError
from hme_core.paths import REPO_ROOT
from hme_core.results.tables import year_results
from tests.fixtures import hme_row, make_responses


def _org(parents):
    return pd.DataFrame({"unit": list(parents), "name": list(parents),
                         "parent": list(parents.values())}).astype("string")


ORG = {"R": None, "P": "R", "A": "P", "B": "P", "C": "P", "Q": "R"}


def _responses():
    # P = A (16, code 4 = 75) + B (3, code 2 = 25) + C (12, code 5 = 100) + P's own 0; Q 20
    rows = ([hme_row("A", [4] * 9)] * 16 + [hme_row("B", [2] * 9)] * 3
            + [hme_row("C", [5] * 9)] * 12 + [hme_row("Q", [3] * 9)] * 20)
    return make_responses(rows)


def _hme(scores):
    return scores[scores["index"] == "hme"].set_index("unit")


def test_without_a_group_the_small_unit_blanks_its_smallest_sibling(instruments):
    res = year_results(_responses(), _org(ORG), None, instruments, Settings(), 2025)
    hme = _hme(res["scores"])
    assert hme.loc["B", "suppression"] == "primary"
    assert hme.loc["C", "suppression"] == "secondary"  # 12 answers, blanked for B's 3


def test_a_group_gets_one_result_shown_by_every_member_with_their_own_counts(instruments):
    res = year_results(_responses(), _org(ORG), None, instruments, Settings(), 2025,
                       reporting_groups=[("B", "C")])
    hme = _hme(res["scores"])
    # B + C: (3 * 25 + 12 * 100) / 15 = 85.0, n 15, for both members; A and P stay published
    for unit in ("B", "C"):
        assert hme.loc[unit, "value"] == pytest.approx(85.0)
        assert hme.loc[unit, "n"] == 15 and hme.loc[unit, "suppression"] == ""
    assert (hme.loc["B", "respondents"], hme.loc["C", "respondents"]) == (3, 12)
    assert hme.loc["A", "suppression"] == "" and hme.loc["P", "n"] == 31
    assert hme.loc["P", "value"] == pytest.approx((16 * 75 + 3 * 25 + 12 * 100) / 31)
    st = res["statements"]
    assert st.loc[st["unit"] == "B", "value"].tolist() == pytest.approx([85.0] * 9)


def test_a_unit_can_report_with_its_parents_own_respondents(instruments):
    # P's 3 managers (code 1 = 0) would be a hidden part of P's relation: A (16) or C is hidden
    rows = make_responses([hme_row("A", [4] * 9)] * 16 + [hme_row("C", [5] * 9)] * 12
                          + [hme_row("P", [1] * 9)] * 3 + [hme_row("Q", [3] * 9)] * 20)
    org = _org({k: v for k, v in ORG.items() if k != "B"})
    alone = _hme(year_results(rows, org, None, instruments, Settings(), 2025)["scores"])
    assert "secondary" in (alone.loc["A", "suppression"], alone.loc["C", "suppression"])
    grouped = _hme(year_results(rows, org, None, instruments, Settings(), 2025,
                                reporting_groups=[("C", "P")])["scores"])
    assert grouped.loc["C", "value"] == pytest.approx(12 * 100 / 15)  # C with P's own 3
    assert grouped.loc["A", "suppression"] == "" and grouped.loc["P", "suppression"] == ""


def test_a_departments_few_managers_report_with_a_unit_below_its_sections(instruments):
    # F (81) = S1 (40: leaves L1 20, L2 20) + S2 (38: L3 18, L4 20) + F's own 3 managers.
    # Alone the 3 make S1 or S2 hidden (F - S1 - S2 = the 3); with the largest unit below F
    # they are one group: every section and unit published
    org = _org({"F": None, "S1": "F", "S2": "F", "L1": "S1", "L2": "S1", "L3": "S2",
                "L4": "S2"})
    rows = make_responses([hme_row("L1", [4] * 9)] * 20 + [hme_row("L2", [3] * 9)] * 20
                          + [hme_row("L3", [5] * 9)] * 18 + [hme_row("L4", [2] * 9)] * 20
                          + [hme_row("F", [1] * 9)] * 3)
    alone = year_results(rows, org, None, instruments, Settings(), 2025)
    assert "secondary" in set(_hme(alone["scores"])["suppression"])
    proposals = propose_groups(alone["scores"], org, 5)
    assert [p["units"] for p in proposals] == [["L4", "F"]]  # the largest unit, last by code
    grouped = _hme(year_results(rows, org, None, instruments, Settings(), 2025,
                                reporting_groups=[("L4", "F")])["scores"])
    assert set(grouped["suppression"]) == {""}
    assert grouped.loc["L4", "value"] == pytest.approx(20 * 25 / 23)  # L4 with F's 3 (0)


def test_groups_are_refused_with_the_file_the_group_and_the_fix(tmp_path):
    (tmp_path / "reporting_groups.yaml").write_text("groups:\n  - units: [A, B]\n  - units: [B, C]\n")
    with pytest.raises(ConfigError, match="'B' is in group 1 and group 2"):
        load_reporting_groups(tmp_path)
    (tmp_path / "reporting_groups.yaml").write_text("groups:\n  - units: [A]\n")
    with pytest.raises(ConfigError, match="group 1: a reporting group needs at least two"):
        load_reporting_groups(tmp_path)
    with pytest.raises(ConfigError, match="leaf units with the same parent"):
        applicable_groups([("A", "Q")], _org(ORG))
    groups, warnings = applicable_groups([("A", "GONE")], _org(ORG))
    assert groups == [] and "GONE not in the org tree" in warnings[0]


def test_proposals_pair_a_hidden_unit_with_the_sibling_it_blanks(instruments):
    res = year_results(_responses(), _org(ORG), None, instruments, Settings(), 2025)
    proposals = propose_groups(res["scores"], _org(ORG), 5)
    assert [p["units"] for p in proposals] == [["B", "C"]]
    assert proposals[0]["n"] == [3, 12] and proposals[0]["reason"] == "primary"


def test_validate_proposes_groups_and_write_groups_accepts_them(tmp_path, capsys, monkeypatch):
    params = tmp_path / "params"
    shutil.copytree(REPO_ROOT / "params", params, ignore=shutil.ignore_patterns("narratives"))
    (params / "reporting_groups.yaml").unlink(missing_ok=True)
    monkeypatch.setenv("HME_PARAMS", str(params))
    (tmp_path / "org.csv").write_text("unit;name;parent\nR;Region;\nP;P;R\nA;A;P\nB;B;P\n"
                                      "C;C;P\nQ;Q;R\n", encoding="utf-8")
    _responses().to_csv(tmp_path / "r.csv", sep=";", index=False)
    argv = ["validate", str(tmp_path / "r.csv"), "--org", str(tmp_path / "org.csv")]
    assert main(argv) == 0
    out = "".join(capsys.readouterr())
    assert "B (3 answers, too few answers) with C (12)" in out and "- units: [B, C]" in out
    assert not (params / "reporting_groups.yaml").exists()  # validate writes nothing
    assert main([*argv, "--write-groups"]) == 0
    assert "Added 1 group(s)" in "".join(capsys.readouterr())
    assert load_reporting_groups(params) == [("B", "C")]
    assert main(argv) == 0
    out = "".join(capsys.readouterr())
    assert "proposed reporting groups" not in out, out



def test_a_sibling_partner_brings_the_parents_few_own_respondents_along(instruments):
    # P = A (3) + B (11) + C (20) + P's own 1. A (3) is below 5; grouping A with B (14, the
    # smallest sibling reaching 10) leaves P's 1 own respondent as the one small part of P's
    # relation, which would blank the group: P's own respondents join it.
    org = _org({"R": None, "P": "R", "A": "P", "B": "P", "C": "P", "Q": "R"})
    rows = ([hme_row("A", [2] * 9)] * 3 + [hme_row("B", [4] * 9)] * 11
            + [hme_row("C", [5] * 9)] * 20 + [hme_row("P", [3] * 9)]
            + [hme_row("Q", [3] * 9)] * 20)
    res = year_results(make_responses(rows), org, None, instruments, Settings(), 2025)
    proposals = propose_groups(res["scores"], org, 5)
    assert [p["units"] for p in proposals] == [["A", "B", "P"]]
    assert proposals[0]["n"] == [3, 11, 1]
    grouped = year_results(make_responses(rows), org, None, instruments, Settings(), 2025,
                           reporting_groups=[tuple(proposals[0]["units"])])
    hme = _hme(grouped["scores"])
    assert hme["value"].notna().all()  # every unit has its HME total
    assert hme.loc["A", "n"] == hme.loc["B", "n"] == 3 + 11 + 1


def test_accepted_proposals_leave_no_unit_of_10_answers_without_its_hme_total(instruments):
    # a municipality with many small units: proposals are made again with those before
    # accepted (a group can make another unit the complement) until none is needed
    from hme_core.demo.small_trees import small_units_survey
    from hme_core.results.tables import proposed_reporting_groups

    org, text = small_units_survey(seed=25)
    responses = make_responses([hme_row(r.unit, [int(c) if c else None for c in
                                                 (getattr(r, f"hme{i}") for i in range(1, 10))])
                                for r in text.itertuples()])
    settings = Settings()
    before = _hme(year_results(responses, org, None, instruments, settings, 2025)["scores"])
    proposals, _ = proposed_reporting_groups(responses, org, None, instruments, settings)
    after = _hme(year_results(responses, org, None, instruments, settings, 2025,
                              reporting_groups=[tuple(p["units"]) for p in proposals])["scores"])
    big = after["respondents"] >= 10
    assert (before["value"].isna() & (before["respondents"] >= 10)).sum() > 0
    assert not (after["value"].isna() & big).any()


def test_inspect_proposes_the_groups_and_names_the_command_that_accepts_them(
        tmp_path, capsys, monkeypatch):
    params = tmp_path / "params"
    shutil.copytree(REPO_ROOT / "params", params, ignore=shutil.ignore_patterns("narratives"))
    (params / "reporting_groups.yaml").unlink(missing_ok=True)
    monkeypatch.setenv("HME_PARAMS", str(params))
    org = tmp_path / "org.csv"
    org.write_text("unit;name;parent\nR;Region;\nP;P;R\nA;A;P\nB;B;P\nC;C;P\nQ;Q;R\n",
                   encoding="utf-8")
    _responses().to_csv(tmp_path / "r.csv", sep=";", index=False)
    assert main(["inspect", str(tmp_path / "r.csv"), "--org", str(org)]) == 0
    out = "".join(capsys.readouterr())
    assert "B (3 answers, too few answers) with C (12)" in out and "- units: [B, C]" in out
    assert f"`hme validate {tmp_path / 'r.csv'} --org {org} --write-groups`" in out
    assert not (params / "reporting_groups.yaml").exists()  # inspect writes nothing


def test_proposals_name_units_by_their_names_where_codes_are_generated():
    from hme_core.disclosure.reporting_groups import proposals_yaml

    text = proposals_yaml([{"units": ["U-1", "U-2", "U-0"], "reason": "primary",
                            "n": [3, 11, 1]}],
                          {"U-1": "Hemtjänst Norr", "U-2": "Hemtjänst Söder", "U-0": "Hemtjänst"})
    assert ("# Hemtjänst Norr (U-1): 3 answers, too few answers with Hemtjänst Söder (U-2): 11"
            " and Hemtjänst (U-0): 1") in text
    assert "- units: [U-1, U-2, U-0]" in text


def test_a_unit_whose_siblings_are_all_grouped_joins_the_smallest_group():
    # P = A (3, primary) + B (11, hidden for A) + C (4, primary); P has no own respondents.
    # A takes B (3 + 4 = 7 < 10, 3 + 11 = 14); C has no sibling left: it joins A and B.
    org = _org({"R": None, "P": "R", "A": "P", "B": "P", "C": "P", "Q": "R"})
    scores = pd.DataFrame({
        "unit": ["R", "P", "A", "B", "C", "Q"], "index": "hme",
        "n": [38, 18, 3, 11, 4, 20], "respondents": [38, 18, 3, 11, 4, 20],
        "value": [70.0, 70.0, None, None, None, 70.0],
        "suppression": ["", "", "primary", "secondary", "primary", ""]})
    proposals = propose_groups(scores, org, 5)
    assert [(p["units"], p["n"]) for p in proposals] == [(["A", "B", "C"], [3, 11, 4])]
    groups, _ = applicable_groups([tuple(proposals[0]["units"])], org)
    assert groups[0].lead == "A" and groups[0].parent is None
