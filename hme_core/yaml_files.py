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


def validation_message(path: Path, exc: ValidationError) -> str:
    """One line per problem: `<file>: key 'a.b.0': <what pydantic said>`."""
    return "\n".join(
        f"{path}: key '{'.'.join(map(str, e['loc'])) or '(top level)'}': {e['msg']}"
        for e in exc.errors()
    )


def parse_model(model: type[M], data: dict, path: Path) -> M:
    """`model(**data)`, with validation errors turned into a ConfigError naming file and key."""
    try:
        return model(**data)
    except ValidationError as exc:
        raise ConfigError(validation_message(path, exc)) from exc
