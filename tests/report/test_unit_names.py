"""Unit names are plain text everywhere: dollar signs stay, a unit may share its parent's name."""

from __future__ import annotations

import subprocess

import nbformat

from hme_core.render.pdf import notebook_pdf
from hme_core.report import charts as plots
from hme_core.report.svg import chart_svg
from hme_core.report.unit_report import UnitReport
from hme_core.results.pipeline import ingest_files
from tests.fixtures import in_child

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


def test_dollar_signs_and_typst_markup_in_a_unit_name_print_as_written(tmp_path):
    db = _store(tmp_path)
    leaf = UnitReport.load(db, 2025, "K1")
    assert "Kostnad $5 per $" in str(leaf.cover())
    fig_data = leaf.data.comparison[["series", "series_kind", "index", "value"]].assign(
        index="Kostnad $5 per $")
    assert "Kostnad $5 per $" in chart_svg(plots.index_comparison(fig_data))
    assert "Kostnad $5 per $ 2025</li>" in str(leaf.index_section())
    assert leaf.enps_section()
    odd = UnitReport.load(db, 2025, "K2")
    assert "Lön $^$ 2025" in [k.label for k in plots.index_comparison_legend(
        odd.data.comparison[["series", "series_kind", "index", "value"]])]
    # the PDF: Typst math ($), markup (#, *, _) and labels (<, @) in a name print as text
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("report.cover()")]
    cover = leaf.cover()
    cover.blocks[0].blocks[1].text = "Kostnad $5 per $ #x *y* _z_ <a> @b"
    data, meta = cover._repr_mimebundle_()
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data=data, metadata=meta)]
    pdf = tmp_path / "cover.pdf"
    pdf.write_bytes(in_child(notebook_pdf, nb))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Kostnad $5 per $ #x *y* _z_ <a> @b" in text
