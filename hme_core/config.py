"""Scoring and reporting settings from `params/config.yaml`, validated (HME.md defaults)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ConfigError
from .paths import params_dir


class Settings(BaseModel):
    """Defaults are HME.md's: Kolada's item_mean, min 5 per index, 10 per distribution."""

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
    path = Path(path) if path else params_dir() / "config.yaml"
    data: dict = {}
    if path.exists():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: cannot read YAML ({exc})") from exc
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a mapping at the top level")
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings(**data)
    except ValidationError as exc:
        msgs = [f"{path}: key '{'.'.join(map(str, e['loc']))}': {e['msg']}" for e in exc.errors()]
        raise ConfigError("\n".join(msgs)) from exc
