"""The index page's organisation heat map: the upper levels of a large tree, all of a small one.

Counts worked out by hand:
- wide/deep tree (`_wide_tree`): 1 root, 12 areas, 12 units under each area (144), 8 workplaces
  under each unit (1,152): 1,309 units. Levels 1-3 hold 1 + 12 + 144 = 157 units; with level 4
  they would be 1,309 > 1,000 (the default `heatmap_org_max_rows`): levels 1-3 are shown.
- the benchmark's big organisation (`tools.bench_scale.big_org_tree`): 1 + 50 + 2,000 + 48,000
  = 50,051 units; levels 1-2 hold 51, levels 1-3 would be 2,051 > 1,000: levels 1-2.
- a chain 5,000 levels deep: one unit per level, the first 1,000 levels fit.
- the demo region (324 units) fits whole: every unit, no sentence about levels.
"""

from __future__ import annotations

import re
import shutil

import pandas as pd

from hme_core.config import Settings
from hme_core.i18n import t
from hme_core.orgtree import levels, tree_order
from hme_core.report.index_page import heatmap_depth, heatmap_units, organisation_heatmap

NBSP = "\u00a0"


def _wide_tree() -> pd.DataFrame:
    rows = [("R", "Region", None)]
    for a in range(12):
        rows.append((f"A{a:02d}", f"Område {a}", "R"))
        for u in range(12):
            rows.append((f"A{a:02d}.U{u:02d}", f"Enhet {a}.{u}", f"A{a:02d}"))
            rows += [(f"A{a:02d}.U{u:02d}.W{w}", f"Arbetsplats {a}.{u}.{w}", f"A{a:02d}.U{u:02d}")
                     for w in range(8)]
    return pd.DataFrame(rows, columns=["unit", "name", "parent"])


def _shown(org: pd.DataFrame, max_rows: int = Settings().heatmap_org_max_rows):
    level = levels(org)
    return heatmap_units(tree_order(org), dict(zip(level.index, level, strict=True)), max_rows)


def _scores(units: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"unit": units, "index": "hme", "value": 75.0, "suppression": "",
                         "respondents": 12, "response_rate": 0.8})


def _heatmap(org: pd.DataFrame, lang: str = "sv") -> str:
    units, depth, deepest = _shown(org)
    names = dict(zip(org["unit"], org["name"], strict=True))
    return organisation_heatmap(2025, units, names, depth, deepest, len(org), _scores(units),
                                None, Settings(), lang)


def _row_names(html: str) -> list[str]:
    table = re.search(r'<table class="data heatmap">.*?</table>', html, re.S).group(0)
    return re.findall(r'<tr><th scope="row">([^<]*)</th>', table)


def test_default_limit_is_a_thousand_rows():
    assert Settings().heatmap_org_max_rows == 1_000


def test_depth_takes_whole_levels_up_to_the_limit_and_always_the_root_and_its_children():
    assert heatmap_depth([1, 12, 144, 1_152], 1_000) == 3      # 157 fit, 1,309 do not
    assert heatmap_depth([1, 12, 144, 1_152], 157) == 3        # the limit itself fits
    assert heatmap_depth([1, 12, 144, 1_152], 156) == 2
    assert heatmap_depth([1, 12, 144, 1_152], 1_309) == 4
    assert heatmap_depth([1, 3_000, 5], 1_000) == 2            # root and children always
    assert heatmap_depth([1], 1_000) == 1


def test_wide_deep_tree_shows_its_upper_levels_and_says_where_the_rest_are():
    org = _wide_tree()
    assert len(org) == 1_309
    units, depth, deepest = _shown(org)
    assert (len(units), depth, deepest) == (157, 3, 4)
    assert units[:4] == ["R", "A00", "A00.U00", "A00.U01"]    # tree order, workplaces left out
    assert not any(".W" in u for u in units)
    html = _heatmap(org)
    assert len(_row_names(html)) == 157
    assert "<caption>Hela organisationen 2025, nivå 1–3</caption>" in html
    sentence = t("heatmap_org_upper_levels", "sv", levels=3, shown="157",
                 units=f"1{NBSP}309", below=4)
    assert sentence.startswith("Värmekartan visar organisationens 3 översta nivåer "
                               f"(157 av 1{NBSP}309 enheter). Enheterna på nivå 4 och nedåt")
    assert f"<h2>Hela organisationen</h2><p>{sentence}</p>" in html  # before the table
    en = _heatmap(org, "en")
    assert "<caption>The whole organisation 2025, levels 1–3</caption>" in en
    assert "top 3 levels (157 of 1,309 units). Units at level 4 and below" in en


def test_the_benchmarks_fifty_thousand_units_show_their_fifty_one_upper_units():
    from tools.bench_scale import big_org_tree

    org = big_org_tree(50_051)
    units, depth, deepest = _shown(org)
    assert (len(units), depth, deepest) == (51, 2, 4)


def test_a_chain_shows_as_many_levels_as_fit():
    codes = [f"D{i:04d}" for i in range(5_000)]
    org = pd.DataFrame({"unit": codes, "name": codes, "parent": [None, *codes[:-1]]})
    units, depth, deepest = _shown(org)
    assert (len(units), depth, deepest) == (1_000, 1_000, 5_000)
    assert units == codes[:1_000]


def test_a_small_organisation_shows_every_unit_without_a_sentence_about_levels():
    from hme_core.demo.names import unit_specs

    specs = unit_specs()
    org = pd.DataFrame({"unit": [s.code for s in specs], "name": [s.name for s in specs],
                        "parent": [s.parent for s in specs]})
    assert len(org) == 324
    units, depth, deepest = _shown(org)
    assert len(units) == 324 and depth == deepest
    html = _heatmap(org)
    assert len(_row_names(html)) == 324
    assert "<caption>Hela organisationen 2025</caption>" in html
    assert "Värmekartan visar" not in html and "nivå 1–" not in html


def test_index_page_with_a_configured_limit(tmp_path, monkeypatch):
    """Through the store and params/config.yaml: `build_store`'s tree R > A > a1, a2 (4 units,
    levels 1, 2, 3, 3) with at most 2 rows shows R and A; every unit stays in the list."""
    from hme_core.paths import params_dir
    from hme_core.report.index_page import write_index
    from hme_core.store.duckdb_store import Store
    from hme_core.unit_files import unit_folders
    from tests.fixtures import build_store

    params = tmp_path / "params"
    shutil.copytree(params_dir(), params, ignore=shutil.ignore_patterns("narratives"))
    with (params / "config.yaml").open("a", encoding="utf-8") as f:
        f.write("heatmap_org_max_rows: 2\n")
    monkeypatch.setenv("HME_PARAMS", str(params))
    db = build_store(tmp_path / "data")
    with Store.open(db, read_only=True) as store:
        folders = unit_folders(store.load_org(2025))
    page = write_index(tmp_path / "out", 2025, db, folders, []).read_text(encoding="utf-8")
    heat = re.search(r'<table class="data heatmap">.*?</table>', page, re.S).group(0)
    assert _row_names(heat) == ["Region Test", "Område Å"]
    area = re.search(r'Område Å</th>(.*?)</tr>', heat).group(1)
    assert re.findall(r"<td[^>]*>(.*?)</td>", area)[0] == "20"   # A's subtree: 12 + 3 + 5
    assert "60,0" in area                                         # A subtree: 1200 / 20
    assert ("Värmekartan visar organisationens 2 översta nivåer (2 av 4 enheter). "
            "Enheterna på nivå 3 och nedåt") in page
    listed = re.search(r'<table id="units">.*?</table>', page, re.S).group(0)
    assert len(re.findall(r'<tr class="lvl', listed)) == 4           # every unit in the list


def test_an_empty_report_gives_its_true_reason_on_the_index_page():
    # the status of a rendered report whose unit has nothing published: the reason of its
    # hidden HME total, in the words of the report's reasons (not always "too few answers")
    from hme_core.report.hidden import reason_for
    from hme_core.report.index_page import _status

    assert _status(None, ["html"], "", "sv") == ("Klar", "")
    assert _status(None, ["html"], reason_for(3, 5, "primary"), "sv")[0] == "Klar (för få svar)"
    secondary = _status(None, ["html"], reason_for(27, 5, "secondary"), "sv")[0]
    assert secondary == "Klar (dolt så att en mindre enhets resultat inte kan räknas fram)"
    assert _status(None, ["html"], reason_for(27, 5, "secondary"), "en")[0] == (
        "Done (hidden so that a smaller unit's results cannot be worked out)")
    assert _status(None, ["html"], reason_for(0, 5), "sv")[0] == "Klar (inga svar)"
    assert _status(None, [], "secondary", "sv")[0] == t("status_not_rendered", "sv")
