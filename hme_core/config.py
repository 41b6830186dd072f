"""Scoring and reporting settings from `params/config.yaml`, validated (docs/sources.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hme_core.paths import params_dir
from hme_core.yaml_files import parse_model, read_mapping

#: Answers that mean "no answer" when `missing_labels` is not set: the usual Swedish and English
#: "don't know" and "prefer not to say" wordings of survey vendors.
DEFAULT_MISSING_LABELS = ("Vet ej", "Ej aktuellt", "Vill ej svara", "Vill ej uppge",
                          "Vill inte svara", "Ingen uppgift", "Don't know", "Not applicable",
                          "Prefer not to say")


class Settings(BaseModel):
    """Defaults (docs/sources.md, SKR: HME): item_mean, min 5 per index, 10 per distribution."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Literal["item_mean", "respondent_mean"] = "item_mean"
    min_n_index: int = Field(5, ge=1)
    min_n_distribution: int = Field(10, ge=1)
    #: Sensitive questions (answers that can single a person out, e.g. exposure to
    #: victimisation): a share is published only when each answer option chosen by anyone has
    #: at least this many answers (docs/sources.md, "Statistical disclosure control").
    min_n_category: int = Field(3, ge=1)
    sensitive_instruments: list[str] = ["exposure"]
    decimals: int = Field(1, ge=0, le=3)
    lang: Literal["sv", "en"] = "sv"
    missing_labels: list[str] = list(DEFAULT_MISSING_LABELS)
    missing_codes: list[int] = []
    #: None (blank in the file): the name of the org tree's root unit (`with_organisation`).
    organisation_name: str | None = None
    #: kommun or region (`hme init --kind`): which Kolada KPIs `hme export kolada` writes
    #: (U002xx municipalities, U602xx regions). None: the export asks for `--kind`.
    organisation_kind: Literal["kommun", "region"] | None = None
    #: The organisation's four-digit id in Kolada (`hme init --kolada-id`, e.g. "1480"); in
    #: quotes in the YAML file (0180 unquoted would be read as a number). None: the export
    #: asks for `--municipality-id`; there is no default that could pass for a real id.
    kolada_id: str | None = Field(None, pattern=r"^\d{4}$")
    # child-unit heat map: thresholds between four colour bands (low, mid, good, high)
    heatmap_bands: list[float] = [65.0, 75.0, 85.0]
    heatmap_enps_bands: list[float] = [-20.0, 0.0, 20.0]
    #: The index page's organisation heat map shows the upper levels of the tree: as many whole
    #: levels as keep it to at most this many rows (the root and its children always). Every
    #: unit is still in the index page's list of reports and in its parent's report heat map.
    #: A heat map is read by eye: past about a thousand rows it is a list, not an overview.
    heatmap_org_max_rows: int = Field(1000, ge=1)
    #: Focus areas (docs/sources.md, "Relative importance (LMG)"): the question whose answers the
    #: organisation's driver weights explain: the eNPS question by default, or another single
    #: question (e.g. overall satisfaction); never an index built from the weighed statements.
    focus_outcome: str = "enps"
    #: Bootstrap resamples for the intervals of the driver weights (0: no intervals).
    focus_bootstrap: int = Field(100, ge=0, le=2000)

    @field_validator("heatmap_bands", "heatmap_enps_bands")
    @classmethod
    def _three_rising_thresholds(cls, v: list[float]) -> list[float]:
        if len(v) != 3 or sorted(v) != v or len(set(v)) != 3:
            raise ValueError(f"expected three rising thresholds such as [65, 75, 85], got {v}")
        return v


def load_settings(path: Path | None = None, **overrides) -> Settings:
    """Settings from `params/config.yaml` (defaults where absent), `overrides` on top."""
    path = Path(path) if path else params_dir() / "config.yaml"
    data = read_mapping(path) if path.exists() else {}
    data.update({k: v for k, v in overrides.items() if v is not None})
    return parse_model(Settings, data, path)


def with_organisation(settings: Settings, org) -> Settings:
    """`settings` with `organisation_name` filled in from the org tree's root unit when blank.

    >>> import pandas as pd
    >>> org = pd.DataFrame({"unit": ["K", "A"], "name": ["Kommun X", "Avd A"], "parent": [None, "K"]})
    >>> with_organisation(Settings(), org).organisation_name
    'Kommun X'
    >>> with_organisation(Settings(organisation_name="Region Y"), org).organisation_name
    'Region Y'
    """
    if settings.organisation_name and settings.organisation_name.strip():
        return settings
    roots = org.loc[org["parent"].isna(), "name"]
    name = str(roots.iloc[0]) if len(roots) else "Organisationen"
    return settings.model_copy(update={"organisation_name": name})
