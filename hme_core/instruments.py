"""Survey instruments as data: `params/instruments/*.yaml` and their scales in `scales/`.

An instrument lists its items (statement texts in Swedish and English), the scale they are
answered on, and its indices (which items each index averages). HME, HSE and eNPS ship as files;
an organisation adds its own (e.g. psychosocial dimensions with reversed items) by adding one.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hme_core.errors import ConfigError
from hme_core.paths import params_dir
from hme_core.yaml_files import parse_model, read_mapping


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Model):
    sv: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.sv


class Option(_Model):
    code: int
    score: float | None = None
    sv: str | None = None
    en: str | None = None


class Category(_Model):
    id: str
    sv: str
    en: str
    codes: list[int]


class Scale(_Model):
    """An answer scale: its codes, the 0-100 score of each code, labels, NPS categories."""

    id: str
    kind: Literal["likert", "nps"]
    options: list[Option]
    categories: list[Category] = Field(default_factory=list)

    @property
    def codes(self) -> list[int]:
        return [o.code for o in self.options]

    def score_of(self, code: int, reversed_: bool = False) -> float:
        """0-100 score of a code; a reversed item takes the mirrored option's score."""
        codes = self.codes
        i = codes.index(code)
        opt = self.options[len(codes) - 1 - i] if reversed_ else self.options[i]
        return float(opt.score if opt.score is not None else opt.code)

    def label(self, code: int, lang: str = "sv") -> str:
        for o in self.options:
            if o.code == code:
                return (o.en if lang == "en" else o.sv) or str(code)
        raise KeyError(code)


class Item(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    sv: str
    en: str
    reversed: bool = False
    role: Literal["indexed", "outcome"] = "indexed"

    def text(self, lang: str = "sv", organisation: str = "") -> str:
        t = self.en if lang == "en" else self.sv
        return t.replace("{organisation}", organisation) if organisation else t


class Index(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: Text
    items: list[str]


class Instrument(_Model):
    """One instrument file. `method: config` takes the scoring method from `params/config.yaml`.

    `respondent_mean` counts a person in an index when they answered at least
    `min_answered_share` of its items (1.0 = all, as HME vendors do; 0.5 = the COPSOQ rule).
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: Text
    scale: Scale
    method: Literal["config", "item_mean", "respondent_mean", "nps"] = "config"
    min_answered_share: float = Field(1.0, gt=0, le=1)
    items: list[Item]
    indices: list[Index]

    @model_validator(mode="after")
    def _check(self) -> Instrument:
        ids = [i.id for i in self.items]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"duplicate item ids {dup}")
        for ix in self.indices:
            unknown = [i for i in ix.items if i not in ids]
            if unknown:
                raise ValueError(f"index '{ix.id}' names unknown items {unknown}")
        if (self.method == "nps") != (self.scale.kind == "nps"):
            raise ValueError("method 'nps' goes with a scale of kind 'nps', and only with it")
        return self

    @cached_property
    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]

    def item(self, item_id: str) -> Item:
        for i in self.items:
            if i.id == item_id:
                return i
        raise KeyError(item_id)

    def resolved_method(self, config_method: str) -> str:
        return config_method if self.method == "config" else self.method


class InstrumentSet:
    """All instruments of an organisation, in file order (HME first)."""

    def __init__(self, instruments: list[Instrument]):
        self.instruments = instruments
        seen: dict[str, str] = {}
        for ins in instruments:
            for key in [*ins.item_ids, *(ix.id for ix in ins.indices)]:
                if key in seen and not (key == ins.id or seen[key] == ins.id):
                    raise ConfigError(
                        f"id '{key}' is defined by both instrument '{seen[key]}' and '{ins.id}'"
                    )
                seen.setdefault(key, ins.id)

    def __iter__(self):
        return iter(self.instruments)

    def index_name(self, index_id: str, lang: str) -> str:
        """An index's name in `lang` as its instrument file gives it; the id if none defines it."""
        for ins in self.instruments:
            for ix in ins.indices:
                if ix.id == index_id:
                    return ix.name(lang)
        return index_id

    def __getitem__(self, instrument_id: str) -> Instrument:
        for ins in self.instruments:
            if ins.id == instrument_id:
                return ins
        raise KeyError(instrument_id)

    @property
    def item_ids(self) -> list[str]:
        return [i for ins in self.instruments for i in ins.item_ids]

    def instrument_of_item(self, item_id: str) -> Instrument:
        for ins in self.instruments:
            if item_id in ins.item_ids:
                return ins
        raise KeyError(item_id)

    @property
    def index_ids(self) -> list[str]:
        return [ix.id for ins in self.instruments for ix in ins.indices]


_ORDER = {"hme": 0, "enps": 1, "hse": 2}


def load_scales(folder: Path) -> dict[str, Scale]:
    scales = {}
    for path in sorted((folder / "scales").glob("*.yaml")):
        scale = parse_model(Scale, read_mapping(path), path)
        scales[scale.id] = scale
    return scales


def load_instrument(path: Path, scales: dict[str, Scale]) -> Instrument:
    data = read_mapping(path)
    scale = data.get("scale")
    if isinstance(scale, str):
        if scale not in scales:
            raise ConfigError(
                f"{path}: key 'scale': unknown scale '{scale}', expected one of {sorted(scales)}"
            )
        data["scale"] = scales[scale]
    return parse_model(Instrument, data, path)


def load_instruments(folder: Path | None = None) -> InstrumentSet:
    """Read every `*.yaml` directly in `params/instruments/` (subfolders hold scales/examples)."""
    folder = Path(folder) if folder else params_dir() / "instruments"
    scales = load_scales(folder)
    instruments = [load_instrument(p, scales) for p in sorted(folder.glob("*.yaml"))]
    if not instruments:
        raise ConfigError(f"{folder}: no instrument files (*.yaml) found")
    instruments.sort(key=lambda i: (_ORDER.get(i.id, 99), i.id))
    return InstrumentSet(instruments)
