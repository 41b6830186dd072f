"""Choosing a unit on the HR partner's page: the org tree in tree order, and search by name.

The tree is the year's stored org tree (`Store.load_org`), in `orgtree.tree_order` (each unit
followed by its children, siblings by code), each unit indented by its level. A search matches
every word of the query in the unit's name, its path of names or its code, ignoring case and
accents ("ost" finds "Öst", "vard" finds "Vårdcentral"): HR types what it remembers.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pandas as pd

from hme_core.orgtree import Tree, levels, tree_order

INDENT = "\u2003"  # an em space per level: the tree's depth without any markup


@dataclass(frozen=True)
class UnitChoice:
    """One unit to choose: its code, name, level (root = 1), parent code and path of names."""

    code: str
    name: str
    level: int
    parent: str | None
    path: tuple[str, ...]

    @property
    def label(self) -> str:
        """The tree line: indented by level, the name and the code ('  Avdelning 1 (a1)')."""
        return f"{INDENT * (self.level - 1)}{self.name} ({self.code})"


def unit_choices(org: pd.DataFrame) -> list[UnitChoice]:
    """Every unit of the org tree (columns unit, name, parent) in tree order."""
    tree = Tree(org)
    lv = levels(org)
    names = dict(zip(org["unit"].astype(str), org["name"].astype(str), strict=True))
    parents = {str(u): (None if pd.isna(p) else str(p))
               for u, p in zip(org["unit"], org["parent"], strict=True)}
    return [UnitChoice(u, names[u], int(lv[u]), parents[u], tuple(tree.path_names(u)))
            for u in tree_order(org)]


def _fold(text: str) -> str:
    """Lower case without accents: 'Östra Vård' -> 'ostra vard'."""
    text = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


def search_units(choices: list[UnitChoice], query: str) -> list[UnitChoice]:
    """The units whose name, path or code contains every word of `query` (case and accents
    ignored), in tree order; every unit for an empty query.

    >>> cs = [UnitChoice("R", "Region", 1, None, ("Region",)),
    ...       UnitChoice("a2", "Avdelning Öst", 2, "R", ("Region", "Avdelning Öst"))]
    >>> [c.code for c in search_units(cs, "avd ost")]
    ['a2']
    """
    words = _fold(query).split()
    if not words:
        return list(choices)
    out = []
    for c in choices:
        hay = _fold(" ".join([*c.path, c.code]))
        if all(w in hay for w in words):
            out.append(c)
    return out
