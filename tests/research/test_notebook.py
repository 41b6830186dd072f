"""The research workbook: committed without outputs, parameters present, runs on a small store."""

from __future__ import annotations

import nbformat
import papermill as pm
import pytest

from hme_core.inputs.outcomes import store_outcomes
from hme_core.paths import notebooks_dir
from hme_core.store.duckdb_store import Store
from tests.fixtures import synthetic_store

NOTEBOOK = notebooks_dir() / "research_correlations.ipynb"
PARAMETERS = {"db", "years", "level", "indicators", "lang", "benchmark_file", "n_boot", "seed",
              "out_dir"}


def test_committed_without_outputs_and_with_a_parameters_cell():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert "parameters" in code[0].metadata.get("tags", [])
    assert PARAMETERS <= set(pm.inspect_notebook(str(NOTEBOOK)))
    assert all(len(c.source.splitlines()) <= 15 for c in code)


@pytest.mark.slow
def test_runs_on_a_small_store(tmp_path):
    db = tmp_path / "hme.duckdb"
    outcomes = synthetic_store(db, years=(2024, 2025), n_units=10, per_unit=8)
    with Store.open(db) as store:
        store_outcomes(store.con, outcomes.assign(source_row=range(len(outcomes))))
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(out), kernel_name="python3", progress_bar=False,
                        parameters={"db": str(db), "years": "2024,2025", "level": "leaf",
                                    "indicators": "sick_leave_rate", "lang": "en", "n_boot": 20,
                                    "out_dir": str(tmp_path / "research")})
    text = out.read_text(encoding="utf-8")
    # U00 (3 respondents) and, as its complement against R, U01: 2 units x 2 years
    assert "left out: 4 suppressed" in text and "Table 9. Fit" in text
    assert "Skipped" not in text.split("Table 1.")[0]  # correlations ran
    assert (tmp_path / "research" / "tables.xlsx").exists()


@pytest.mark.slow
def test_one_year_without_outcomes_or_benchmark_shows_reliability_and_structure(tmp_path):
    db = tmp_path / "hme.duckdb"
    synthetic_store(db, years=(2025,), n_units=10, per_unit=8)
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(out), kernel_name="python3", progress_bar=False,
                        parameters={"db": str(db), "lang": "sv", "n_boot": 20,
                                    "benchmark_file": "", "out_dir": str(tmp_path / "r")})
    text = out.read_text(encoding="utf-8")
    assert "Hoppades över: inga utfallsmått är inlästa" in text
    assert "Sammanfattning" in text.split("Tabell 4.")[0]  # the summary stands above the tables
    assert "Ingen nationell jämförelse: ingen Kolada-fil angavs" in text
    assert "## Nationell jämförelse" not in text  # no benchmark section without a file
    assert "Tabell 7. Indexens reliabilitet" in text and "Tabell 9. Anpassning" in text


@pytest.mark.slow
def test_hme_research_on_a_one_year_store_without_outcomes_or_respondent_ids(tmp_path, capsys):
    # the two crashes: key-driver intervals not containing their estimate (xerr < 0) and eNPS
    # mapped by respondent ids that the export did not have
    from hme_core.cli import main
    from tests.research.stores import factor_store

    db = tmp_path / "hme.duckdb"
    factor_store(db, "one", years=(2025,), n_units=31, per_unit=(5, 14), ids=False, outcomes=False)
    code = main(["research", "--db", str(db), "--out", str(tmp_path / "r"), "--n-boot", "50"])
    out = capsys.readouterr()
    assert code == 0, out.err
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "Sammanfattning" in html and "Tabell 5." in html  # eNPS key drivers ran
    assert "p 1,000" not in html
