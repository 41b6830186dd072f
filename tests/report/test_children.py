"""Child-unit heat map, participation per year on the cover, management-dialogue questions."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from hme_core.i18n import t
from hme_core.report.children import band, heatmap_table
from hme_core.report.hidden import reason_text
from hme_core.report.to_html import render_html


def _scores(rows):
    return pd.DataFrame(rows, columns=["unit", "index", "value", "suppression", "respondents",
                                       "response_rate"])


def _cells(html: str, unit_name: str) -> list[str]:
    row = re.search(rf"<tr><th scope=\"row\">{unit_name}[^<]*</th>(.*?)</tr>", html).group(1)
    return re.findall(r"<td[^>]*>(.*?)</td>", row)


NOW = _scores([
    ("u1", "hme", 72.0, "", 20, 0.8), ("u1", "enps", 12.5, "", 20, 0.8),
    ("u1", "psy_demands", 64.9, "", 20, 0.8),
    ("u2", "hme", math.nan, "primary", 3, 0.5), ("u2", "enps", math.nan, "primary", 3, 0.5),
    ("u2", "psy_demands", math.nan, "primary", 3, 0.5),
    ("u3", "hme", math.nan, "secondary", 8, 0.4), ("u3", "enps", -30.0, "", 8, 0.4),
    ("u3", "psy_demands", 90.0, "", 8, 0.4),
])
PREV = _scores([("u1", "hme", 70.0, "", 18, 0.7), ("u1", "enps", 20.0, "", 18, 0.7),
                ("u3", "psy_demands", math.nan, "primary", 4, 0.3)])


def heatmap_html(*args, **kw) -> str:
    return render_html(heatmap_table(*args, **kw))


def _table(lang="sv"):
    return heatmap_html(["u1", "u2", "u3"], {"u1": "Enhet 1", "u2": "Enhet 2", "u3": "Enhet 3"},
                         NOW, PREV, lambda ix: ix.upper(), lang, 1, [65, 75, 85], [-20, 0, 20],
                         "Enheterna")


def test_every_index_of_the_scores_table_becomes_a_column_in_stored_order():
    head = re.search(r"<thead>(.*?)</thead>", _table()).group(1)
    assert re.findall(r"<th[^>]*>(.*?)</th>", head)[3:] == ["HME", "ENPS", "PSY_DEMANDS"]


def test_themes_of_a_dimension_are_left_out_and_the_dimension_stays():
    # psy_demands is a dimension; psy_workload, one of its themes, is not a column
    now = pd.concat([NOW, _scores([("u1", "psy_workload", 60.0, "", 20, 0.8)])])
    html = heatmap_html(["u1"], {"u1": "Enhet 1"}, now, None, lambda ix: ix.upper(), "sv", 1,
                         [65, 75, 85], [-20, 0, 20], "Enheterna", themes={"psy_workload"})
    head = re.search(r"<thead>(.*?)</thead>", html).group(1)
    assert re.findall(r"<th[^>]*>(.*?)</th>", head)[3:] == ["HME", "ENPS", "PSY_DEMANDS"]
    assert "60,0" not in html


def test_the_shipped_instruments_name_the_psychosocial_themes_as_themes():
    from hme_core.instruments import load_instruments

    themes = load_instruments().theme_ids
    # params/instruments/psychosocial.yaml: 5 + 2 + 5 + 1 + 2 themes in its five dimensions
    assert len(themes) == 15 and "ps_workload" in themes and "ps_demands" not in themes
    assert "motivation" not in themes  # HME's subindices rest on items, not themes


def test_values_change_from_last_year_and_colour_bands():
    n, rate, hme, enps, psy = _cells(_table(), "Enhet 1")
    assert n == "20" and rate == "80,0\u00a0%"
    assert hme.startswith("72,0") and "+2,0" in hme          # 72,0 - 70,0
    assert enps.startswith("12,5") and "−7,5" in enps         # 12,5 - 20,0
    assert psy.startswith("64,9") and "change" not in psy     # no value last year: no change
    row = re.search(r'Enhet 1</th>(.*?)</tr>', _table()).group(1)
    assert re.findall(r'class="num (band-\w+)"', row) == ["band-mid", "band-good", "band-low"]


def test_cells_hidden_by_the_disclosure_rules_stay_empty_with_the_reason_in_a_footnote():
    html = _table()
    _, _, *values = _cells(html, "Enhet 2")
    assert all(not re.search(r"\d", re.sub(r"<[^>]+>", "", v).replace("¹", "")) for v in values)
    hme3, enps3, psy3 = _cells(html, "Enhet 3")[2:]
    assert "²" in hme3 and not re.search(r"\d", re.sub(r"<[^>]+>|²", "", hme3))
    assert enps3.startswith("−30,0") and psy3 == "90,0"  # last year's hidden value gives no change
    # the reasons in the words every report table uses (hme_core/report/hidden.py)
    assert reason_text("primary", "sv", 5) in html and reason_text("secondary", "sv") in html


def test_band_boundaries_belong_to_the_band_above():
    assert [band(v, "hme", [65, 75, 85], [-20, 0, 20]) for v in (64.99, 65, 75, 85)] == [
        "band-low", "band-mid", "band-good", "band-high"]
    assert band(-20, "enps", [65, 75, 85], [-20, 0, 20]) == "band-mid"
    assert band(math.nan, "hme", [65, 75, 85], [-20, 0, 20]) == ""


def test_bands_must_be_three_rising_thresholds():
    from hme_core.config import Settings

    with pytest.raises(ValueError, match="three rising thresholds"):
        Settings(heatmap_bands=[80, 70, 60])


@pytest.mark.slow
def test_parent_report_shows_children_dialogue_and_participation_per_year(tmp_path):
    from hme_core.batch.run import run_batch
    from tests.fixtures import build_store

    db = build_store(tmp_path / "data")
    out = {o.unit: o for o in run_batch(2025, db, units=["A", "a1"], formats=("html",),
                                        out_root=tmp_path / "out")}
    parent = (out["A"].folder / "report.html").read_text(encoding="utf-8")
    leaf = (out["a1"].folder / "report.html").read_text(encoding="utf-8")
    heat = re.search(r'<table class="data heatmap">.*?</table>', parent, re.S).group(0)
    a1 = _cells(heat, "Avdelning 1")
    assert a1[0] == "12" and a1[2].startswith("58,3") and "+8,3" in a1[2]  # (8*75+4*25)/12; 2024: 50
    assert any(c.startswith("33,3") for c in a1)  # eNPS (8 promoters - 4 detractors) / 12
    a2 = _cells(heat, "Avdelning 2 ")
    assert a2[0] == "3" and all(not re.search(r"\d", re.sub(r"<[^>]+>|[¹²]", "", c)) for c in a2[2:])
    assert t("dialogue_q4", "sv") in parent and t("dialogue_heading", "sv") not in leaf
    assert 'class="data heatmap"' not in leaf
    cover = re.search(r'<table class="data participation">.*?</table>', leaf, re.S).group(0)
    assert re.search(r'2024</th><td class="?num"?>12</td><td class="?num"?>15</td>'
                     r'<td class="?num"?>80,0\u00a0%', cover)
    index = (tmp_path / "out" / "2025" / "index.html").read_text(encoding="utf-8")
    org_heat = re.search(r'<table class="data heatmap">.*?</table>', index, re.S).group(0)
    assert [re.search(r'<th scope="row">([^<]*)', r).group(1) for r in
            org_heat.split("<tr>")[2:]] == ["Region Test", "Område Å", "Avdelning 1",
                                            "Avdelning 2 &quot;Öst&quot;"]
    assert _cells(org_heat, "Avdelning 1")[2].startswith("58,3")
    a2_org = _cells(org_heat, "Avdelning 2 ")
    assert all(not re.search(r"\d", re.sub(r"<[^>]+>|[¹²]", "", c)) for c in a2_org[2:])
