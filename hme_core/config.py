"""Scoring and reporting settings from `params/config.yaml`, validated (docs/sources.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hme_core.paths import params_dir
from hme_core.yaml_files import parse_model, read_mapping


class Settings(BaseModel):
    """Defaults (docs/sources.md, SKR: HME): item_mean, min 5 per index, 10 per distribution."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Literal["item_mean", "respondent_mean"] = "item_mean"
    min_n_index: int = Field(5, ge=1)
    min_n_distribution: int = Field(10, ge=1)
    decimals: int = Field(1, ge=0, le=3)
    lang: Literal["sv", "en"] = "sv"
    missing_labels: list[str] = ["Vet ej", "Ej aktuellt", "Vill ej svara"]
    missing_codes: list[int] = []
    organisation_name: str = "Organisationen"


def load_settings(path: Path | None = None, **overrides) -> Settings:
    """Settings from `params/config.yaml` (defaults where absent), `overrides` on top."""
    path = Path(path) if path else params_dir() / "config.yaml"
    data = read_mapping(path) if path.exists() else {}
    data.update({k: v for k, v in overrides.items() if v is not None})
    return parse_model(Settings, data, path)
