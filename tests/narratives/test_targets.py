"""Targets (hme_core/narratives/targets.py) and the targets section of reports."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from hme_core.errors import ConfigError
from hme_core.i18n import t
from hme_core.instruments import load_instruments
from hme_core.narratives.targets import Target, evaluate_targets, load_targets, target_status
from hme_core.paths import REPO_ROOT
from hme_core.report.unit_report import UnitReport
from hme_core.store.duckdb_store import Store
from tests.fixtures import build_store

# The fixture store (tests/report_fixture.py), 2025: R and A have 20 respondents, HME 60,0
# (2024: 55,0). By sex R has 14 women (60,7) and 6 men (58,3). By role R has 5 managers and
# 15 staff, but in a2 all 3 are staff: a2's groups are below 5 and suppressed (NaN).
TARGETS = """targets:
  - {indicator: hme, scope: root, baseline: {year: 2024, value: 55}, target: 65, target_year: 2026}
  - {indicator: hme, scope: root, group: {variable: sex, group: women},
     baseline: {year: 2024}, direction: up}
  - {indicator: hme, scope: a2, group: {variable: role, group: medarbetare},
     baseline: {year: 2024, value: 70}, target: 80}
"""


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("targets") / "data")


@pytest.fixture
def params(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "params"
    shutil.copytree(REPO_ROOT / "params", path, ignore=shutil.ignore_patterns("narratives"))
    (path / "targets.yaml").write_text(TARGETS, encoding="utf-8")
    monkeypatch.setenv("HME_PARAMS", str(path))
    return path


def _target(**kw) -> Target:
    return Target(**{"indicator": "hme", "baseline": {"year": 2023, "value": 70}, **kw})


# ---- validation ---------------------------------------------------------------------------
@pytest.mark.parametrize(("yaml_text", "key"), [
    ("targets:\n  - {indicator: hme, baseline: {year: 2023, value: 70}}\n", "targets.0"),
    ("targets:\n  - {indicator: hme, baseline: {year: 2023, value: 70}, direction: up,\n"
     "     group: {variable: role, group: boss}}\n", "targets.0.group"),
    ("targets:\n  - {indicator: hme, baseline: {year: 2023, value: 70}, target: 60,\n"
     "     direction: up}\n", "targets.0"),
    ("targets:\n  - {indicator: hme10, baseline: {year: 2023, value: 70}, direction: up}\n",
     "targets.0.indicator"),
    ("targets:\n  - {indicator: hme8, baseline: {year: 2023, value: 70}, direction: up,\n"
     "     group: {variable: sex, group: kvinna}}\n", "targets.0.group"),
    ("targets:\n  - {indicator: hme, baseline: {year: 2023, value: 70}, direction: up,\n"
     "     colour: red}\n", "targets.0.colour"),
])
def test_invalid_targets_name_the_file_and_the_key(tmp_path, yaml_text, key):
    path = tmp_path / "targets.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_targets(path, load_instruments())
    assert str(path) in str(err.value) and f"key '{key}" in str(err.value)


def test_the_shipped_example_is_valid():
    assert len(load_targets(REPO_ROOT / "params" / "targets.yaml", load_instruments())) >= 5


def test_group_aliases_map_to_the_stored_group_codes():
    assert _target(direction="up", group={"variable": "role", "group": "Managers"}).group.group \
        == "chef"


# ---- status (worked by hand) ----------------------------------------------------------------
@pytest.mark.parametrize(("kw", "value", "year", "expected"), [
    # baseline 70 (2023) → 80 by 2027: expected at 2025 = 70 + 10 * 2/4 = 75
    ({"target": 80, "target_year": 2027}, 75.0, 2025, "on_track"),
    ({"target": 80, "target_year": 2027}, 74.9, 2025, "off_track"),
    ({"target": 80, "target_year": 2027}, 79.96, 2025, "met"),  # 80,0 as shown
    ({"target": 80, "target_year": 2025}, 79.0, 2025, "off_track"),  # the year has passed
    ({"target": 80}, 71.0, 2025, "on_track"),  # no target year: moved the right way
    ({"target": 60}, 65.0, 2025, "on_track"),  # a lower target: direction down
    ({"target": 60}, 71.0, 2025, "off_track"),
    ({"direction": "up"}, 70.0, 2025, "off_track"),  # direction only: must move
    ({"direction": "down"}, 69.0, 2025, "on_track"),
    ({"direction": "up"}, math.nan, 2025, "not_measurable"),  # suppressed
])
def test_target_status(kw, value, year, expected):
    assert target_status(_target(**kw), value, True, year) == expected


def test_no_stored_row_is_no_data():
    assert target_status(_target(direction="up"), math.nan, False, 2025) == "no_data"


# ---- from the store -----------------------------------------------------------------------
def test_targets_followed_up_from_the_store(db, params):
    with Store.open(db, read_only=True) as store:
        res = evaluate_targets(store, load_targets(instruments=load_instruments()), 2025)
    total, women, group = res
    # 55 (2024) → 65 by 2026: expected 60,0 in 2025; HME is 60,0 → on track
    assert (total.unit, total.is_root, total.current, total.status) == ("R", True, 60.0,
                                                                        "on_track")
    assert total.series["value"].round(1).tolist() == [55.0, 60.0]
    # women: baseline read from the store (2024: 55,0), 60,7 in 2025 → moved up
    assert round(women.baseline, 1) == 55.0 and women.status == "on_track"
    assert group.unit == "a2" and math.isnan(group.current) and group.status == "not_measurable"


def test_target_table_with_a_suppressed_group_says_not_measurable_and_shows_no_value(db, params):
    report = UnitReport.load(db, 2025, "a2")
    report.load_narratives(db)
    html = str(report.targets_section())
    assert t("targets_unit_caption") in html
    row = html[html.index("HME totalt – Medarbetare"):]
    row = row[:row.index("</tr>")]
    assert t("status_not_measurable") in row
    cells = row.split("<td")
    assert ">–</td>" in cells[3]  # the current value: a dash, no number
    assert "2024: –" in row and "2025: –" in row  # the series shows no value either


def test_top_unit_report_has_the_organisation_wide_table(db, params):
    report = UnitReport.load(db, 2025, "R")
    report.load_narratives(db)
    html = str(report.targets_section())
    assert t("targets_org_caption") in html and t("targets_units_caption") in html
    assert "60,0" in html and t("status_on_track") in html
    assert "Avdelning 2" in html and t("status_not_measurable") in html
