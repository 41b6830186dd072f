"""Unit names are plain text everywhere: dollar signs stay, a unit may share its parent's name."""

from __future__ import annotations

import matplotlib.pyplot as plt

from hme_core.report import charts as plots
from hme_core.report.unit_report import UnitReport
from hme_core.results.pipeline import ingest_files

# Region "Kirurgi" -> area "Kirurgi" (same name, common in real trees) -> "Kostnad $5 per $"
# "Kostnad $5 per $" is valid mathtext (drawn as "5per"), "Lön $^$" is invalid (an error).
ORG = "unit;name;parent\nR;Kirurgi;\nK;Kirurgi;R\nK1;Kostnad $5 per $;K\nK2;Lön $^$;K\n"


def _store(tmp_path):
    head = "respondent_id;unit;" + ";".join(f"hme{i}" for i in range(1, 10)) + ";enps"
    rows = [head]
    for i in range(6):  # 6 in K1 (75), 6 directly in K (25), 6 in K2 (50)
        rows.append(f"a{i};K1;" + ";".join(["4"] * 9) + ";9")
        rows.append(f"b{i};K;" + ";".join(["2"] * 9) + ";5")
        rows.append(f"c{i};K2;" + ";".join(["3"] * 9) + ";7")
    (tmp_path / "r.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "org.csv").write_text(ORG, encoding="utf-8")
    db = tmp_path / "hme.duckdb"
    ingest_files(db, tmp_path / "r.csv", 2025, tmp_path / "org.csv", None)
    return db


def _texts(fig) -> list[str]:
    fig.canvas.draw()  # mathtext would fail or eat the '$' here
    out = [t.get_text() for t in fig.findobj(match=lambda a: hasattr(a, "get_text"))]
    plt.close(fig)
    return out


def test_a_unit_named_like_its_parent_gets_its_own_series_in_charts_and_tables(tmp_path):
    db = _store(tmp_path)
    report = UnitReport.load(db, 2025, "K")
    comparison = report.data.comparison
    # each series names one unit: K and R share a name, so their codes are added
    assert set(comparison["series"]) == {"Kirurgi (K) 2025", "Kirurgi (R) 2025"}
    # K's subtree: (6*75 + 6*25 + 6*50)/18 = 50.0, the same for R
    assert set(comparison.loc[comparison["index"] == "hme", "value"].round(1)) == {50.0}
    html = str(report.index_section()) + str(report.enps_section())
    assert "Kirurgi (K) 2025" in html and "Kirurgi (R) 2025" in html


def test_dollar_signs_in_a_unit_name_are_drawn_as_text_not_mathtext(tmp_path):
    db = _store(tmp_path)
    leaf = UnitReport.load(db, 2025, "K1")
    assert "Kostnad $5 per $" in str(leaf.cover())
    fig_data = leaf.data.comparison.assign(index=leaf.data.comparison["index"])[
        ["series", "series_kind", "index", "value"]]
    # series names are the chart's HTML legend; the figure itself draws its texts as text
    fig_data = fig_data.assign(index="Kostnad $5 per $")
    fig = plots.index_comparison_figure(fig_data)
    assert "Kostnad $5 per $" in _texts(fig)
    assert all(not t.get_parse_math() for t in fig.findobj(match=lambda a: hasattr(a, "get_parse_math")))
    assert "Kostnad $5 per $ 2025</li>" in str(leaf.index_section())
    assert leaf.enps_section()
    odd = UnitReport.load(db, 2025, "K2")
    assert "Lön $^$ 2025" in [k.label for k in plots.index_comparison_legend(
        odd.data.comparison[["series", "series_kind", "index", "value"]])]
