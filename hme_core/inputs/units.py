"""Units as any file names them: by code, by name, by path, by HR's level columns.

One place for two facts every input file shares:

- **What a unit name and a unit code may hold** (`NAME_RULE`, `UNIT_CODE_RULE`), whatever the
  layout they come in (unit/name/parent, level columns, a path column, the responses' own
  unit column). Codes name report folders and files, so they may not hold path separators,
  control characters or '.'/'..', nor start like a spreadsheet formula (OWASP CSV injection).
  Names are single-line display text: they go into headings, Markdown narrative files and
  charts, so a newline, a control character or a bidi override is refused, and so are the
  names '.' and '..' and a name starting like a formula ('=HYPERLINK(…)').
  Control characters are C0, DEL and C1 (U+0080-U+009F, e.g. U+0085 "next line"); line and
  paragraph separators and bidi embeddings/overrides/isolates count with them, since they
  break lines or reverse the text a reader sees.
- **Which unit a cell means** (`UnitLookup`): a unit code; a path of names, from the root or
  starting at any level below it ("HR-avdelningen / Lönecenter") as long as one unit ends so;
  an alias the organisation accepted once (`params/units.yaml`, `aliases:`); a name unique in
  the tree. A name that matches no unit but nearly matches one ("HR-stöd och rekrytering" for
  "HR-stöd & rekrytering", "-" for "–") is refused with "did you mean …" and the line to add
  to `params/units.yaml` to accept it; a repeated name lists its candidates and their paths.
  HR files that give a unit as level columns ("Förvaltning;Enhet") are read as a path.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from hme_core.inputs.columns import header_key
from hme_core.inputs.readers import STRING, RawTable
from hme_core.paths import params_dir
from hme_core.yaml_files import read_mapping

CONTROL_CHARS = "\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_BAD_UNIT_CODE = re.compile(rf"[/\\{CONTROL_CHARS}]|^\.{{1,2}}$|^[=+\-@]")
UNIT_CODE_RULE = ("a unit code without '/', '\\' or control characters, not '.' or '..', and "
                  "not starting with '=', '+', '-' or '@' (e.g. 'a1')")
_BAD_NAME = re.compile(rf"[{CONTROL_CHARS}]|^\.{{1,2}}$|^[=+@]")
NAME_RULE = ("a unit name on one line, without control characters (newline, tab, U+0085) or "
             "right-to-left overrides (U+202A-U+202E, U+2066-U+2069), not '.' or '..', and "
             "not starting with '=', '+' or '@' (a spreadsheet formula)")
PATH_SEPARATOR = " / "
UNITS_FILE = "units.yaml"

#: Headers of HR's level columns, top level first when several are given ("Förvaltning;Enhet").
LEVEL_WORDS = ("kommun", "region", "förvaltning", "verksamhet", "verksamhetsområde", "område",
               "sektor", "avdelning", "sektion", "enhet", "arbetsplats", "arbetsgrupp", "grupp",
               "administration", "department", "division", "section", "unit", "team")


def bad_names(names: pd.Series) -> np.ndarray:
    """Mask of unit names breaking `NAME_RULE` (NA is not flagged here).

    >>> bad_names(pd.Series(["Kirurgi", "Rad 1\\nRad 2", "\\u202eabc", "Kostnad $5 per $",
    ...                      "..", "=HYPERLINK(1)"])).tolist()
    [False, True, True, False, True, True]
    """
    return names.astype(STRING).str.contains(_BAD_NAME).fillna(False).to_numpy(dtype=bool)


def bad_unit_codes(units: pd.Series) -> np.ndarray:
    """Mask of unit codes breaking `UNIT_CODE_RULE` (NA is not flagged here)."""
    return units.astype(STRING).str.contains(_BAD_UNIT_CODE).fillna(False).to_numpy(dtype=bool)


def name_ok(name: str) -> bool:
    return not _BAD_NAME.search(name)


# ---- near misses ---------------------------------------------------------------------------
_DASHES = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
_AND = re.compile(r"\s*&\s*|\s+(?:och|and|o)\s+")
_PUNCT = re.compile(r"[^\w\s/-]")


def near_key(text: str) -> str:
    """A name as compared for "did you mean": `header_key`, every dash as '-', '&' as 'och',
    punctuation dropped.

    >>> near_key("HR-stöd & rekrytering") == near_key("HR–stöd och rekrytering")
    True
    """
    key = _DASHES.sub("-", header_key(text))
    key = _AND.sub(" och ", key)
    key = _PUNCT.sub("", key)
    return re.sub(r"\s+", " ", key).strip()


# ---- params/units.yaml -----------------------------------------------------------------------
def load_units_file(params: Path | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """(aliases, renames) of `params/units.yaml`: {name as HR writes it: unit (code, name or
    path)} and {new path: old path} (a renamed unit keeps its generated code). Keys compared
    with `header_key`."""
    path = (params or params_dir()) / UNITS_FILE
    if not path.exists():
        return {}, {}
    data = read_mapping(path, "a mapping with 'aliases:' and/or 'renamed:'")
    out = []
    for key in ("aliases", "renamed"):
        part = data.get(key) or {}
        if not isinstance(part, dict) or not all(
                isinstance(k, str) and isinstance(v, str | int) for k, v in part.items()):
            from hme_core.errors import ConfigError

            raise ConfigError(f"{path}: key '{key}': expected a mapping of text -> text, e.g. "
                              f"'\"HR-stöd och rekrytering\": \"HR-stöd & rekrytering\"'")
        out.append({header_key(k): str(v) for k, v in part.items()})
    unknown = set(data) - {"aliases", "renamed"}
    if unknown:
        from hme_core.errors import ConfigError

        raise ConfigError(f"{path}: unknown key(s) {sorted(unknown)}; expected 'aliases' and "
                          f"'renamed'")
    return out[0], out[1]


def split_path(text: str) -> list[str]:
    """'A / B/C' -> ['A', 'B', 'C'] (blank parts dropped)."""
    return [p.strip() for p in str(text).split("/") if p.strip()]


# ---- the lookup ----------------------------------------------------------------------------
class UnitLookup:
    """Unit cells -> codes, in the order of precedence: a unit code; a path of names from the
    root ('Region / HSF / Avd 32' or 'Region/HSF/Avd 32'; the first unit of the tree file when
    two paths are alike) or from any level below it when one unit's path ends so (or, levels
    between left out, when one unit's ancestors hold its names in order); an alias of
    `params/units.yaml`; a name unique in the tree. All compared as `header_key`.

    Linear in units: paths are not listed for every unit (units x depth); a cell is matched
    as a path by its possible last names, each candidate's path built on demand."""

    def __init__(self, org: pd.DataFrame, aliases: Mapping[str, str] | None = None):
        units = org["unit"].tolist()
        self.parent = dict(zip(units, org["parent"], strict=True))
        self.name = dict(zip(units, org["name"], strict=True))
        self.row = {u: i for i, u in enumerate(units)}
        self.codes: dict[str, str] = {header_key(u): u for u in units}
        self.by_name: dict[str, list[str]] = {}
        self.by_near: dict[str, list[str]] = {}
        for unit in units:
            self.by_name.setdefault(header_key(self.name[unit]), []).append(unit)
            self.by_near.setdefault(near_key(self.name[unit]), []).append(unit)
        self.aliases = {}
        for written, target in (aliases or {}).items():
            code, _ = self._resolve(header_key(target))
            if code is not None:
                self.aliases[header_key(written)] = code

    def names(self, unit: str) -> list[str]:
        chain, node = [], unit
        while isinstance(node, str):
            chain.append(self.name[node])
            node = self.parent.get(node)
        return list(reversed(chain))

    def path(self, unit: str) -> str:
        return PATH_SEPARATOR.join(self.names(unit))

    def _ends_with(self, unit: str, key: str, full: bool) -> bool:
        names = self.names(unit)
        starts = [0] if full else range(len(names))
        return any(key in (header_key(PATH_SEPARATOR.join(names[s:])),
                           header_key("/".join(names[s:]))) for s in starts)

    def by_path(self, key: str, full: bool = True) -> list[str]:
        """Units (in tree-file order) whose path from the root (`full`) or from any level
        reads `key`."""
        cuts = [0] + [i + 1 for i, c in enumerate(key) if c == "/"]
        candidates = {u for cut in cuts for u in self.by_name.get(key[cut:].strip(), [])}
        return sorted((u for u in candidates if self._ends_with(u, key, full)),
                      key=self.row.__getitem__)

    def by_levels(self, key: str) -> list[str]:
        """Units named by the path's last name whose ancestors hold its other names in order,
        levels between them left out: HR's 'Förvaltning / Enhet' for a unit under an
        avdelning."""
        parts = [header_key(p) for p in split_path(key)]
        out = []
        for unit in self.by_name.get(parts[-1], []) if parts else []:
            names, want = [header_key(n) for n in self.names(unit)[:-1]], parts[:-1]
            for name in names:
                if want and name == want[0]:
                    want = want[1:]
            if not want:
                out.append(unit)
        return sorted(out, key=self.row.__getitem__)

    def _resolve(self, key: str) -> tuple[str | None, list[str]]:
        code = self.codes.get(key)
        if code is not None:
            return code, []
        if "/" in key:
            found = self.by_path(key)
            if found:
                return found[0], []
            found = self.by_path(key, full=False) or self.by_levels(key)
            if len(found) == 1:
                return found[0], []
            if found:
                return None, found
            last = split_path(key)[-1] if split_path(key) else ""
            if last in self.codes:  # level columns ending in a code: 'Vård / a1'
                return self.codes[last], []
        named = self.by_name.get(key, [])
        return (named[0], []) if len(named) == 1 else (None, named)

    def resolve(self, key: str) -> tuple[str | None, list[str]]:
        """(code or None, the units an ambiguous name or path names) for a cell's
        `header_key`."""
        code, named = self._resolve(key)
        if code is not None or named:
            return code, named
        if key in self.aliases:
            return self.aliases[key], []
        parts = split_path(key)  # a path ending in an alias: 'Förvaltning / HR:s name'
        alias = self.aliases.get(header_key(parts[-1])) if len(parts) > 1 else None
        if alias is not None and alias in self.by_levels(
                "/".join([*parts[:-1], self.name[alias]])):
            return alias, []
        return None, []

    def suggestions(self, text: str, limit: int = 3) -> list[str]:
        """Units whose name (or path's end) nearly matches `text`: same `near_key`, else the
        closest names by `difflib` (ratio ≥ 0.85)."""
        last = split_path(text)[-1] if split_path(text) else text
        near = self.by_near.get(near_key(last), [])
        if not near:
            close = difflib.get_close_matches(near_key(last), list(self.by_near), n=limit,
                                              cutoff=0.85)
            near = [u for c in close for u in self.by_near[c]]
        return near[:limit]


def _alias_line(written: str, unit: str, lookup: UnitLookup) -> str:
    written = split_path(written)[-1] if split_path(written) else written
    target = lookup.path(unit) if len(lookup.by_name.get(header_key(lookup.name[unit]), [])) > 1 \
        else lookup.name[unit]
    return f"{json.dumps(written, ensure_ascii=False)}: {json.dumps(target, ensure_ascii=False)}"


_ALIAS_LINE = re.compile(r'the line ("(?:[^"\\]|\\.)*": "(?:[^"\\]|\\.)*")$')


def suggested_aliases(issues) -> dict[str, str]:
    """{name as written: unit} of the "did you mean" issues (the line each one proposes)."""
    out = {}
    for issue in issues:
        m = _ALIAS_LINE.search(issue.expected)
        if m:
            written, target = json.loads("[" + m.group(1).replace('": "', '", "', 1) + "]")
            out[written] = target
    return out


def accept_aliases(pairs: Mapping[str, str], params: Path | None = None,
                   key: str = "aliases") -> Path:
    """Add `pairs` under `key` (aliases, or renamed: new path -> old path) in
    `params/units.yaml` (kept entries stay; the file is rewritten with its explanation on
    top)."""
    import yaml

    from hme_core.atomic import atomic_write

    path = (params or params_dir()) / UNITS_FILE
    data = read_mapping(path) if path.exists() else {}
    parts = {k: dict(data.get(k) or {}) for k in ("aliases", "renamed")}
    parts[key].update(pairs)
    body = yaml.safe_dump(parts, allow_unicode=True, sort_keys=False, width=200)
    atomic_write(path, UNITS_HEADER + body)
    return path


UNITS_HEADER = """\
# Units as the organisation's own files name them (README: "Org tree ..."). Keys and values
# are compared ignoring case and repeated spaces.
# aliases: a name HR's files use -> the unit it means (its code, name or path); added by
#   `hme validate ... --accept-aliases` for the "did you mean" pairs, or by hand.
# renamed: new path -> old path. A unit known only by its path keeps the code generated from
#   its old path (and so its history, narratives and targets).
"""


def resolve_units(raw: RawTable, header: str, values: pd.Series, org: pd.DataFrame,
                  aliases: Mapping[str, str] | None = None, tree: str = "the org tree"):
    """Unit cells -> codes (see `UnitLookup`); issues otherwise, one per cell (grouped when
    shown): an ambiguous name lists its candidates, a near miss says "did you mean"."""
    lookup = UnitLookup(org, load_units_file()[0] if aliases is None else aliases)
    positions, uniques = pd.factorize(values, use_na_sentinel=True)
    out, problems = [], {}
    for u in uniques:
        code, named = lookup.resolve(header_key(u))
        out.append(code if code is not None else pd.NA)
        if code is None:
            problems[u] = unit_problem(u, named, lookup, org, tree)
    table = np.array([*out, pd.NA], dtype=object)
    resolved = pd.Series(table[positions], index=values.index, dtype=STRING)
    cells = values.to_numpy(dtype=object)
    issues = [raw.issue(int(raw.row_numbers[p]), header, raw.frame[header].iat[p]
                        if header in raw.frame else cells[p], problems[cells[p]])
              for p in np.flatnonzero(resolved.isna().to_numpy() & values.notna().to_numpy())]
    return resolved, issues


def unit_problem(cell: str, named: list[str], lookup: UnitLookup, org: pd.DataFrame,
             tree: str) -> str:
    if named:
        codes = ", ".join(f"'{c}'" for c in named[:6])
        paths = "; ".join(f"'{lookup.path(c)}'" for c in named[:6])
        return (f"a unit name that is unique in {tree}; it names the units {codes} "
                f"({paths}): write the code or the path instead, or give HR's level columns "
                f"(e.g. 'Förvaltning;Enhet')")
    near = lookup.suggestions(cell)
    if near:
        listed = " or ".join(f"'{lookup.name[u]}' ({lookup.path(u)}, code {u})" for u in near)
        return (f"a unit of {tree}; did you mean {listed}? Fix: correct the cell, or "
                f"accept the name once by adding under 'aliases:' in params/{UNITS_FILE} the "
                f"line {_alias_line(cell, near[0], lookup)}")
    return (f"a unit code of {tree}, or a unit name or path ('... / Unit') in it ({len(org)} "
            f"units, e.g. '{org['unit'].iat[0]}'; `hme units --year YEAR` lists them). Fix: "
            f"correct the org tree file or the cell")


def units_named(org: pd.DataFrame, written: list[str], option: str = "--units",
                tree: str = "the org tree", params: Path | None = None) -> list[str]:
    """Codes of the units an option names, in the order written (each once): every entry a
    code (exactly as stored), a path of names, an alias of `params/units.yaml` or a name
    unique in the tree, as `UnitLookup` reads a file's cell. An entry naming no unit or
    several is an `HMEError` (exit 2) naming it, with the near names or the candidates.

    >>> org = pd.DataFrame({"unit": ["R", "a1", "a2"], "parent": [None, "R", "R"],
    ...                     "name": ["Kommunen", "Vård och omsorg", "Skola"]})
    >>> units_named(org, ["Vård och omsorg", "R", "Kommunen / Skola", "a1"])
    ['a1', 'R', 'a2']
    """
    from hme_core.errors import HMEError

    lookup = UnitLookup(org, load_units_file(params)[0])
    found, problems = [], []
    for text in written:
        code, named = (text, []) if text in lookup.row else lookup.resolve(header_key(text))
        if code is not None:
            found += [code] if code not in found else []
        elif named:
            problems.append(f"'{text}' names {len(named)} units (" + "; ".join(
                f"{u}: {lookup.path(u)}" for u in named[:6]) + "): give the code or the path")
        else:
            near = lookup.suggestions(text)
            problems.append(f"'{text}' is no unit code, name or path of {tree}" + (
                "; did you mean " + " or ".join(f"'{lookup.name[u]}' ({lookup.path(u)}, code "
                                                f"{u})" for u in near) + "?" if near else ""))
    if problems:
        raise HMEError(f"{option}: " + "; ".join(problems) + ". 'hme units --year YEAR' lists "
                       "the units with their codes and paths.")
    return found


def level_headers(headers: list[str]) -> list[str]:
    """HR's level columns in file order ('Förvaltning', 'Enhet'), when there are two or more."""
    found = [h for h in headers if header_key(h) in LEVEL_WORDS]
    return found if len(found) >= 2 else []


def unit_cells(raw: RawTable, unit_header: str | None,
               clean) -> tuple[str | None, pd.Series | None]:
    """(header to name in messages, cell texts) of a file's units: HR's level columns joined
    as a path ('Förvaltning;Enhet' -> 'Kultur / Administration') when there are two or more,
    else the unit column."""
    levels = level_headers(list(raw.frame.columns))
    if levels:
        parts = [clean(raw.frame[h]).reset_index(drop=True) for h in levels]
        joined = []
        for row in zip(*parts, strict=True):
            names = [str(v) for v in row if v is not pd.NA and v is not None]
            joined.append(PATH_SEPARATOR.join(names) if names else pd.NA)
        return ";".join(levels), pd.Series(joined, dtype=STRING)
    if unit_header is None:
        return None, None
    return unit_header, clean(raw.frame[unit_header]).reset_index(drop=True)
