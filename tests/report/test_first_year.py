"""An organisation's first year with us: no columns for a last year that is not stored."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hme_core.i18n import t
from hme_core.report.unit_report import UnitReport
from tests.fixtures import hme_row, make_responses, store_year


def _html(section) -> str:
    return section.html


def _store(db, years) -> None:
    """Region R with two units of 12 respondents each, answering HME and eNPS every year."""
    rng = np.random.default_rng(3)
    org = pd.DataFrame({"unit": ["R", "a", "b"], "name": ["Region", "A", "B"],
                        "parent": [None, "R", "R"]}).astype("string")
    for year in years:
        rows = [hme_row(u, rng.integers(2, 6, 9).tolist(), enps=int(rng.integers(0, 11)))
                for u in ("a", "b") for _ in range(12)]
        store_year(db, year, org, make_responses(rows))


def test_first_year_tables_have_no_last_year_diff_or_trend_columns(tmp_path):
    db = tmp_path / "hme.duckdb"
    _store(db, (2025,))
    report = UnitReport.load(db, 2025, "R")
    assert report.data.previous_year is None
    for section in (report.statement_section(), report.enps_section()):
        html = _html(section)
        assert "<table" in html
        assert f">{t('diff', 'sv')}</th>" not in html
        assert f">{t('trend', 'sv')}</th>" not in html
        assert t("hidden_earlier", "sv") not in html  # no footnote for a year that never was


def test_second_year_tables_keep_last_year_diff_and_trend(tmp_path):
    db = tmp_path / "hme.duckdb"
    _store(db, (2024, 2025))
    report = UnitReport.load(db, 2025, "R")
    for section in (report.statement_section(), report.enps_section()):
        html = _html(section)
        assert ">2024</th>" in html
        assert f">{t('diff', 'sv')}</th>" in html
