"""Small generated org trees with the counts of one measure: the cases on which the
suppression heuristic is compared with the exact optimum (`disclosure.optimum`, tests and
`make bench`).

Each tree has 6-15 units, each unit's parent among the first half of the units before it (so
depths of 2-5), leaf units with 1-40 answers (many small, as in real organisations), non-leaf
units with 0-6 respondents of their own (managers coded to the department), and, in every
other tree, a breakdown by sex (two groups and the unpublished "uppgift saknas").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hme_core.disclosure.secondary import DIRECT, Lattice, build_lattice
from hme_core.orgtree import closure

LEAF_SIZES = (1, 2, 3, 4, 6, 8, 10, 12, 15, 20, 27, 40)
OWN_SIZES = (0, 0, 1, 2, 3, 4, 6)


def small_tree(seed: int) -> tuple[pd.DataFrame, Lattice, np.ndarray]:
    """(org, lattice, n per cell) of generated tree number `seed` (deterministic)."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(6, 16))
    parents: list[str | None] = [None]
    for i in range(1, k):
        parents.append(f"u{int(rng.integers(0, max(1, (i + 1) // 2)))}")
    org = pd.DataFrame({"unit": [f"u{i}" for i in range(k)], "parent": parents})
    nonleaf = {p for p in parents if p}
    own = {u: int(rng.choice(OWN_SIZES if u in nonleaf else LEAF_SIZES)) for u in org["unit"]}
    grouped = seed % 2 == 1
    groups = {"sex": ["kvinna", "man", "?"]} if grouped else {}
    lattice = build_lattice(org, groups, ["?"])
    c = closure(org)
    shares = {u: rng.multinomial(m, [0.55, 0.4, 0.05]) for u, m in own.items()}
    cells = lattice.cells
    n = np.zeros(len(cells))
    for layer, g in enumerate([None, "kvinna", "man", "?"] if grouped else [None]):
        own_g = {u: (m if g is None else int(shares[u][layer - 1])) for u, m in own.items()}
        sub = c.assign(k=c["unit"].map(own_g)).groupby("ancestor")["k"].sum()
        at = (cells["group"] == ("" if g is None else g)).to_numpy()
        direct = (cells["kind"] == DIRECT).to_numpy()
        n[at & ~direct] = cells.loc[at & ~direct, "unit"].map(sub).to_numpy(float)
        n[at & direct] = cells.loc[at & direct, "unit"].map(own_g).to_numpy(float)
    return org, lattice, n


SMALL_UNIT_SIZES = (2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 17, 20, 24, 27, 33)


def small_units_survey(seed: int = 25) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(org, responses as CSV-ready text) of a municipality with many small units: a
    kommunstyrelse with 4 förvaltningar of 2-4 avdelningar of 2-6 enheter; enheter have 2-33
    answers (a third below 10), förvaltningar and avdelningar 0-5 managers coded to
    themselves. Respondents answer HME (codes 1-5, some "Vet ej" left blank) and eNPS (0-10),
    with sex and role. Made to try privacy rules where they bite."""
    rng = np.random.default_rng(seed)
    units, names, parents, own = ["K"], ["Kommunen"], [None], {"K": 0}
    for f in range(6):
        fu = f"K.F{f + 1}"
        units.append(fu), names.append(f"Förvaltning {f + 1}"), parents.append("K")
        own[fu] = int(rng.integers(0, 6))
        for a in range(int(rng.integers(2, 6))):
            au = f"{fu}.A{a + 1}"
            units.append(au), names.append(f"Avdelning {f + 1}.{a + 1}"), parents.append(fu)
            own[au] = int(rng.integers(0, 6))
            for e in range(int(rng.integers(3, 8))):
                eu = f"{au}.E{e + 1}"
                units.append(eu), names.append(f"Enhet {f + 1}.{a + 1}.{e + 1}")
                parents.append(au)
                own[eu] = int(rng.choice(SMALL_UNIT_SIZES))
    org = pd.DataFrame({"unit": units, "name": names, "parent": parents})
    rows = []
    for unit, k in own.items():
        level = rng.normal(0, 0.5)
        leaf = unit.count(".") == 3
        for i in range(k):
            codes = np.clip(np.round(3.7 + level + rng.normal(0, 0.8, 9)), 1, 5).astype(int)
            answers = [("" if rng.random() < 0.02 else str(c)) for c in codes]
            rows.append([f"{len(rows) + 1:06d}", unit,
                         "Kvinna" if rng.random() < 0.7 else "Man",
                         "Medarbetare" if leaf or i >= 2 else "Chef", *answers,
                         str(int(np.clip(np.round(7 + 2 * level + rng.normal(0, 2)), 0, 10)))])
    columns = ["respondent_id", "unit", "sex", "role", *(f"hme{i}" for i in range(1, 10)), "enps"]
    return org, pd.DataFrame(rows, columns=columns)
