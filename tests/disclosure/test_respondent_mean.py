"""Person-mean indices (`respondent_mean`) as relations: where everyone
answered every statement of an index, as the public counts show, the index is the mean of its
statements; such a cell is never hidden as a complement while its statements are published
(it would protect nothing), and over generated trees no hidden index follows from them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hme_core.config import Settings
from hme_core.disclosure.publish import decide_publication
from tests.fixtures import hme_row, make_responses


def _case(seed: int):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(4, 12))
    parents = [None] + [f"u{int(rng.integers(0, max(1, (i + 1) // 2)))}" for i in range(1, k)]
    org = pd.DataFrame({"unit": [f"u{i}" for i in range(k)], "name": [f"u{i}" for i in range(k)],
                        "parent": parents}).astype("string")
    nonleaf = {p for p in parents if p}
    rows = []
    skip = 0.04  # some people skip a statement: complete cells beside incomplete ones
    for u in org["unit"]:
        size = int(rng.choice([0, 2, 4]) if u in nonleaf else rng.choice([2, 3, 4, 6, 8, 12, 20]))
        for _ in range(size):
            codes = [None if rng.random() < skip else int(c) for c in rng.integers(1, 6, 9)]
            rows.append(hme_row(u, codes,
                                sex=str(rng.choice(["kvinna", "man"])),
                                role=str(rng.choice(["chef", "medarbetare", "medarbetare"]))))
    return org, make_responses(rows)


def test_no_hidden_person_mean_index_is_the_mean_of_published_statements(instruments):
    # without the relation, 17 such hidden cells over 40 of these trees (8 over these 20)
    leaks, complete_cells = [], 0
    for seed in range(20):
        org, responses = _case(seed)
        pub = decide_publication(responses, org, instruments, Settings(method="respondent_mean"))
        st = pub.statements.set_index(["unit", "variable", "group", "item"])
        for r in pub.indices[pub.indices["index"] != "enps"].itertuples():
            items = instruments["hme"].items_of(r.index)
            parts = st.reindex([(r.unit, r.variable, r.group, i) for i in items])
            known = (parts["n"] == r.n).all() and (parts["suppression"] == "").all()
            complete_cells += bool(known)
            if known and r.suppression == "secondary":
                leaks.append((seed, r.unit, r.variable, r.group, r.index))
    assert leaks == []
    assert complete_cells > 100  # the case occurs: indices that are the mean of their parts
