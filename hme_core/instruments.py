"""Survey instruments as data: `params/instruments/*.yaml` and their scales in `scales/`.

An instrument lists its items (statement texts in Swedish and English), the scale they are
answered on, and its indices (which items each index averages). HME, HSE and eNPS ship as files;
an organisation adds its own (e.g. psychosocial dimensions with reversed items) by adding one.

Rules the files can state (docs/sources.md, "COPSOQ (Swedish version)"):
- a scale has 2 to 11 options; `kind: categorical` (e.g. Ja/Nej) is reported as the share per
  option with its n, never averaged, so a categorical instrument has no indices;
- an index lists `items` (a theme) or `themes` (a dimension: the mean of its themes' values);
  `method: respondent_mean` with `min_answered_share: 0.5` is the COPSOQ theme rule (a person's
  theme score counts when at least half its items are answered; the group value is the mean of
  person scores);
- a reversed item scores 0 for the most favourable wording's opposite: 0 is the lowest value and
  100 the highest whatever the wording;
- `audience: {role: chef}` (instrument or item) asks only a subgroup; the answers of others are
  ignored, so they count neither as missing nor as non-response;
- English texts (`en`) are optional everywhere: a missing one is the organisation's own
  (Swedish) text, so an organisation's instrument needs only its own words;
- scales by meaning: `Scale.favourable_first` orders an item's options from the most to the
  least favourable answer (a reversed item's mirrored), for legends and stoplight colours; a
  yes/no item whose "Ja" is the unfavourable answer (exposure) is marked `reversed: true`.
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
    en: str | None = None  # optional: the Swedish text when missing

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.sv


class Option(_Model):
    code: int
    score: float | None = None
    sv: str | None = None
    en: str | None = None


class Category(_Model):
    id: str
    sv: str
    en: str | None = None
    codes: list[int]


class Scale(_Model):
    """An answer scale: its codes, the 0-100 score of each code, labels, NPS categories."""

    id: str
    kind: Literal["likert", "nps", "categorical"]
    options: list[Option] = Field(min_length=2, max_length=11)
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
        """An option's label in `lang` (the Swedish one when it has no English one; the code
        when it has none)."""
        for o in self.options:
            if o.code == code:
                return (o.en if lang == "en" and o.en else o.sv) or str(code)
        raise KeyError(code)

    def favourable_first(self, reversed_: bool = False) -> list[int]:
        """The codes from the most to the least favourable answer: by score, highest first
        (a reversed item's scores are mirrored); a categorical scale as listed (its first
        option, "Ja", favourable), reversed when the item is.

        >>> s = Scale(id="f", kind="likert", options=[{"code": 1, "score": 0},
        ...           {"code": 2, "score": 50}, {"code": 3, "score": 100}])
        >>> s.favourable_first(), s.favourable_first(reversed_=True)
        ([3, 2, 1], [1, 2, 3])
        """
        codes = self.codes
        if self.kind == "categorical":
            return codes[::-1] if reversed_ else list(codes)
        return sorted(codes, key=lambda c: (-self.score_of(c, reversed_), codes.index(c)))


class Item(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    sv: str
    en: str | None = None  # optional: the Swedish text when missing
    reversed: bool = False
    role: Literal["indexed", "outcome"] = "indexed"
    audience: dict[str, str] | None = None
    definition: Text | None = None  # shown with the question (e.g. exposure questions)
    scale: Scale | None = None  # this item's own scale (e.g. 4 options in a 5-option instrument)

    def text(self, lang: str = "sv", organisation: str = "") -> str:
        t = self.en if lang == "en" and self.en else self.sv
        return t.replace("{organisation}", organisation) if organisation else t


class Index(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: Text
    items: list[str] = Field(default_factory=list)
    themes: list[str] = Field(default_factory=list)  # a dimension: the mean of these indices

    @model_validator(mode="after")
    def _items_or_themes(self) -> Index:
        if bool(self.items) == bool(self.themes):
            raise ValueError(f"index '{self.id}' needs either 'items' or 'themes', not both")
        return self


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
    audience: dict[str, str] | None = None
    intro: Text | None = None
    items: list[Item]
    indices: list[Index] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Instrument:
        ids = [i.id for i in self.items]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"duplicate item ids {dup}")
        earlier: list[str] = []
        for ix in self.indices:
            unknown = [i for i in ix.items if i not in ids]
            if unknown:
                raise ValueError(f"index '{ix.id}' names unknown items {unknown}")
            themes = [t for t in ix.themes if t not in earlier]
            if themes:
                raise ValueError(f"index '{ix.id}' names themes {themes} that are not "
                                 "indices of items listed before it")
            if not ix.themes:
                earlier.append(ix.id)
        kinds = {self.scale.kind, *(i.scale.kind for i in self.items if i.scale)}
        if len(kinds) > 1:
            raise ValueError(f"items mix scale kinds {sorted(kinds)}: one kind per instrument")
        if self.scale.kind == "categorical" and self.indices:
            raise ValueError("a categorical scale is reported as shares, never averaged: "
                             "remove 'indices'")
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

    def items_of(self, index_id: str) -> list[str]:
        """The items an index rests on (a dimension: the items of its themes)."""
        ix = next(x for x in self.indices if x.id == index_id)
        return list(ix.items) or [i for t in ix.themes for i in self.items_of(t)]

    def scale_of(self, item_id: str) -> Scale:
        """The scale an item is answered on: its own, else the instrument's."""
        return self.item(item_id).scale or self.scale

    def audience_of(self, item_id: str) -> dict[str, str] | None:
        """Who is asked an item: the item's own audience, else the instrument's (None: all)."""
        return self.item(item_id).audience or self.audience

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

    @property
    def theme_ids(self) -> frozenset[str]:
        """Ids of the indices that are themes of a dimension (named in some index's `themes`)."""
        return frozenset(theme for ins in self.instruments for ix in ins.indices
                         for theme in ix.themes)


_ORDER = {"hme": 0, "enps": 1, "hse": 2, "psychosocial": 3, "exposure": 4, "manager": 5,
          "development": 6}


def load_scales(folder: Path) -> dict[str, Scale]:
    scales = {}
    for path in sorted((folder / "scales").glob("*.yaml")):
        scale = parse_model(Scale, read_mapping(path), path)
        scales[scale.id] = scale
    return scales


def _scale(name: object, scales: dict[str, Scale], path: Path, where: str) -> object:
    if not isinstance(name, str):
        return name
    if name not in scales:
        raise ConfigError(
            f"{path}: key '{where}': unknown scale '{name}', expected one of {sorted(scales)}"
        )
    return scales[name]


def load_instrument(path: Path, scales: dict[str, Scale]) -> Instrument:
    data = read_mapping(path)
    data["scale"] = _scale(data.get("scale"), scales, path, "scale")
    for k, item in enumerate(data.get("items") or []):
        if isinstance(item, dict) and "scale" in item:
            item["scale"] = _scale(item["scale"], scales, path, f"items[{k}].scale")
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
