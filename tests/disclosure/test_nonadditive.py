"""Means of published parts are relations too: a psychosocial dimension is the mean of its
themes in every cell (unit totals and breakdown groups), so it is hidden exactly where one of its
themes is, and its n is the smallest n of its themes (docs/sources.md, "Statistical
disclosure control")."""

from __future__ import annotations

import numpy as np
import pytest

from hme_core.config import Settings
from hme_core.demo.generator import write_demo
from hme_core.disclosure.publish import decide_publication
from hme_core.orgtree import closure
from hme_core.results.pipeline import read_inputs


@pytest.fixture(scope="module")
def publication(instruments, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    write_demo(out, seed=7, years=(2025,))
    inputs = read_inputs(out / "responses_2025.csv", out / "org_2025.csv", None, 2025,
                         instruments, Settings())
    org, responses = inputs.org, inputs.responses
    c = closure(org)
    part = set(c.loc[c["ancestor"] == "R.KT", "unit"]) | {"R"}  # one area, with its root
    org = org[org["unit"].isin(part)].reset_index(drop=True)
    responses = responses[responses["unit"].isin(part)].reset_index(drop=True)
    return decide_publication(responses, org, instruments, Settings()), instruments


@pytest.fixture(scope="module")
def instruments():
    from hme_core.instruments import load_instruments

    return load_instruments()


def test_a_dimension_is_hidden_exactly_where_one_of_its_themes_is(publication):
    pub, instruments = publication
    ix = pub.indices.set_index(["unit", "variable", "group", "index"])
    checked = hidden_dims = 0
    for dim in instruments["psychosocial"].indices:
        if not dim.themes:
            continue
        d = ix.xs(dim.id, level="index")
        themes = [ix.xs(t, level="index").reindex(d.index) for t in dim.themes]
        any_theme_hidden = np.logical_or.reduce([t["suppression"].ne("").to_numpy()
                                                 for t in themes])
        assert (d["suppression"].ne("").to_numpy() == any_theme_hidden).all(), dim.id
        assert (d["n"].to_numpy() == np.min([t["n"].to_numpy() for t in themes], axis=0)).all()
        checked += len(d)
        hidden_dims += int(any_theme_hidden.sum())
    assert checked > 100 and 0 < hidden_dims < checked  # both cases occur


def test_a_hidden_dimension_never_has_all_its_themes_published(publication):
    pub, instruments = publication
    ix = pub.indices.set_index(["unit", "variable", "group", "index"])["suppression"]
    for dim in (d for d in instruments["psychosocial"].indices if d.themes):
        hidden = ix.xs(dim.id, level="index").ne("")
        published = np.logical_and.reduce(
            [ix.xs(t, level="index").reindex(hidden.index).eq("").to_numpy()
             for t in dim.themes])
        assert not (hidden.to_numpy() & published).any(), dim.id
