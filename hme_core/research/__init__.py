"""Research workbook: HME against unit-level outcomes, reliability, structure, benchmarks.

One module per concern, each function one statistic taking DataFrames and returning a tidy
DataFrame (pingouin's style). Plotting lives in `charts.py` only; nothing here does I/O except
`kolada.py` / `kolada_api.py` (files, DuckDB, Kolada's API), `dataset.py` and `workbook.py`
(read the store) and `present.py` (writes the tables). Every estimate is checked before it is
interpreted (`cfa`, `structure`, `reliability`, `keydrivers`), and `summary` states a
conclusion only where those checks and the numbers allow it.
"""

from hme_core.research.correlations import (
    change_on_change,
    change_scores,
    correlations,
    partial_correlations,
    weighted_correlations,
)
from hme_core.research.reliability import (
    cronbach_alpha,
    item_rest_correlations,
    mcdonald_omega,
    reliability_table,
)
from hme_core.research.structure import factor_structure
from hme_core.research.variance import icc_anova, icc_mixedlm, icc_table

__all__ = [
    "change_on_change",
    "change_scores",
    "correlations",
    "cronbach_alpha",
    "factor_structure",
    "icc_anova",
    "icc_mixedlm",
    "icc_table",
    "item_rest_correlations",
    "mcdonald_omega",
    "partial_correlations",
    "reliability_table",
    "weighted_correlations",
]
