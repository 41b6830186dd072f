"""Fixtures shared by the report tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def index_data() -> pd.DataFrame:
    # Two series × two indices; the unit's Ledarskap is suppressed (NaN) → 3 bars and one '–'.
    return pd.DataFrame({
        "series": ["Avd 12 2025", "Avd 12 2025", "Avd 12 2024", "Avd 12 2024"],
        "series_kind": ["unit", "unit", "previous", "previous"],
        "index": ["HME totalt", "Ledarskap", "HME totalt", "Ledarskap"],
        "value": [78.25, np.nan, 74.0, 80.0],
    })
