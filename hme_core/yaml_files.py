"""Reading `params/*.yaml`: a mapping at the top level, errors that name the file and the key."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from hme_core.errors import ConfigError

M = TypeVar("M", bound=BaseModel)
# libyaml's parser where PyYAML was built with it (its wheels are): the same safe constructor,
# ~10x faster than the pure-Python parser (params/ is read at every command and report start)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_mapping(path: Path, expected: str = "a mapping at the top level") -> dict:
    """The YAML file's top-level mapping ({} for an empty file)."""
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506 - safe
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read YAML ({exc})") from exc
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected {expected}")
    return data


def _fields_at(model: type[BaseModel] | None, loc: tuple) -> list[str]:
    """The keys allowed where `loc` points (the fields of the model there), [] if unknown."""
    import typing

    for part in loc[:-1]:
        if model is None or isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        candidates = [field.annotation, *typing.get_args(field.annotation)]
        candidates += [a for c in candidates for a in typing.get_args(c)]
        model = next((c for c in candidates if isinstance(c, type)
                      and issubclass(c, BaseModel)), None)
    return sorted(model.model_fields) if model is not None else []


def _fix(e: dict, model: type[BaseModel] | None) -> str:
    """What to do about one validation problem (an unknown key: the nearest allowed one)."""
    import difflib

    if e["type"] == "extra_forbidden":
        allowed = _fields_at(model, tuple(e["loc"]))
        near = difflib.get_close_matches(str(e["loc"][-1]), allowed, n=1)
        hint = f"did you mean '{near[0]}'? " if near else ""
        listed = f" (allowed here: {', '.join(allowed)})" if allowed else ""
        return f"; fix: {hint}remove or rename the key{listed}"
    if e["type"] == "missing":
        return "; fix: add this key"
    return "; fix: correct the value"


def validation_message(path: Path, exc: ValidationError,
                       model: type[BaseModel] | None = None) -> str:
    """One line per problem: `<file>: key 'a.b.0': <what pydantic said>, value <v>; fix: …`."""
    lines = []
    for e in exc.errors():
        value = e.get("input")
        shown = (f" (value {value!r})" if e["type"] != "missing" and not isinstance(value, dict)
                 and len(repr(value)) <= 80 else "")
        lines.append(f"{path}: key '{'.'.join(map(str, e['loc'])) or '(top level)'}': "
                     f"{e['msg']}{shown}{_fix(e, model)}")
    return "\n".join(lines)


def parse_model(model: type[M], data: dict, path: Path) -> M:
    """`model(**data)`, with validation errors turned into a ConfigError naming file, key,
    value and the fix."""
    try:
        return model(**data)
    except ValidationError as exc:
        raise ConfigError(validation_message(path, exc, model)) from exc
