"""Data-driven starting points for the analysis dialogue (questions: docs/sources.md).

From one unit's stored results (`ReportData`, where every suppressed value is already NaN):

- strongest / weakest HME statements against the unit's own results (`top_n` each);
- statements furthest above / below the parent unit (`parent_n` each);
- the largest changes from last year, up and down (`changes_n`), noting the margin of error;
- statements with a high share of disagreement: codes `disagreement_codes` (1–2) at least
  `disagreement_share` (25 %), from the publishable distribution rows only;
- a response rate below `low_response_rate` (60 %);
- with the store at hand, the unit's focus areas and strengths to keep (`narratives/focus.py`:
  the organisation's driver weights × the unit's shortfall beyond the margin of error).

Thresholds live in ``params/analysis.yaml``. A suppressed unit gets one line without any
number; a NaN value is never formatted. Output is plain text lines, grouped by kind.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from hme_core.i18n import fmt_number, fmt_percent, fmt_signed, t, trend_arrow
from hme_core.instruments import InstrumentSet
from hme_core.narratives.focus import focus_lines, load_focus
from hme_core.paths import params_dir
from hme_core.results.unit_data import ReportData
from hme_core.store.duckdb_store import Store
from hme_core.yaml_files import parse_model, read_mapping

KINDS: tuple[str, ...] = ("focus_strengths", "strengths", "above_parent", "improved",
                          "focus_areas", "focus_drivers", "areas_to_improve", "below_parent",
                          "declined",
                          "disagreement", "low_response", "no_results")
# Which suggestions belong under which analysis question (keep / improve / raise).
SECTION_SUGGESTIONS: dict[str, tuple[str, ...]] = {
    "keep": ("focus_strengths", "strengths", "above_parent", "improved"),
    "improve": ("focus_areas", "focus_drivers", "areas_to_improve", "below_parent", "declined",
                "disagreement", "low_response", "no_results"),
}


class SuggestionRules(BaseModel):
    """Thresholds of ``params/analysis.yaml`` (defaults chosen for this project)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    top_n: int = Field(3, ge=0)
    parent_n: int = Field(2, ge=0)
    changes_n: int = Field(3, ge=0)
    disagreement_codes: list[int] = [1, 2]
    disagreement_share: float = Field(0.25, gt=0, le=1)
    low_response_rate: float = Field(0.60, ge=0, le=1)


def load_rules(path: Path | None = None) -> SuggestionRules:
    """Read ``params/analysis.yaml``; errors name the file and the key."""
    path = Path(path) if path else params_dir() / "analysis.yaml"
    if not path.exists():
        return SuggestionRules()
    return parse_model(SuggestionRules, read_mapping(path), path)


def disagreement_shares(distributions: pd.DataFrame, statements: pd.DataFrame,
                        instruments: InstrumentSet, codes: list[int]) -> pd.Series:
    """Share of answers with `codes` per statement, from publishable distribution rows only.

    Reversed items count the mirrored codes (their unfavourable answers). Statements whose
    distribution is not shown (`distribution_shown` false) are left out.
    """
    if distributions.empty or statements.empty:
        return pd.Series(dtype=float)
    shown = set(statements.loc[statements["distribution_shown"].astype(bool), "item"])
    bad_codes: dict[str, set] = {}  # item -> its "disagree" codes, items in stored order
    for item in dict.fromkeys(distributions["item"].astype(str)):
        if item not in shown:
            continue
        ins = instruments.instrument_of_item(item)
        if ins.scale_of(item) != instruments.instruments[0].scale:
            continue  # "disagree" codes are those of the agreement scale (not yes/no, frequency)
        scale_codes = ins.scale_of(item).codes
        bad = set(codes)
        if ins.item(item).reversed:
            bad = {scale_codes[len(scale_codes) - 1 - scale_codes.index(c)]
                   for c in codes if c in scale_codes}
        bad_codes[item] = bad
    out: dict[str, float] = {}
    for item, code, share in zip(distributions["item"].astype(str), distributions["code"],
                                 distributions["share"], strict=True):
        if item in bad_codes:  # the sum of its shares of those codes (missing shares count 0)
            out[item] = out.get(item, 0.0) + (float(share) if code in bad_codes[item]
                                              and pd.notna(share) else 0.0)
    return pd.Series({i: v for i, v in out.items() if np.isfinite(v)}, dtype=float)


def data_suggestions(data: ReportData, instruments: InstrumentSet, lang: str = "sv",
                     rules: SuggestionRules | None = None,
                     texts: dict[str, str] | None = None,
                     store: Store | None = None) -> dict[str, list[str]]:
    """Suggestion lines by kind (`KINDS`) for one unit; kinds without content are left out.
    `texts`: the organisation's wording of the statements (its file's), where it has one.

    With `store` (the one `data` was read from), also the focus areas and strengths to keep.
    """
    rules = rules or load_rules()
    if data.suppressed:
        return {"no_results": [t("suggest_suppressed", lang, n=data.settings.min_n_index)]}
    dec = data.settings.decimals
    org = data.settings.organisation_name
    num = lambda x: fmt_number(x, dec, lang)  # noqa: E731
    out: dict[str, list[str]] = {}
    if store is not None:
        block = load_focus(store, data, instruments)
        if block is not None:
            out.update(focus_lines(block, instruments, lang, dec, org or ""))

    def text(item: str) -> str:  # without the final full stop: a value or ':' follows
        own = (texts or {}).get(item)
        return (own or instruments.instrument_of_item(item).item(item).text(lang, org)
                ).rstrip(". ")

    st = data.statements
    hme = st[(st["instrument"] == "hme") & st["value"].notna()] if len(st) else st
    if len(hme):
        ranked = hme.sort_values("value", ascending=False)
        out["strengths"] = [t("suggest_value", lang, statement=text(r.item), value=num(r.value))
                            for r in ranked.head(rules.top_n).itertuples()]
        out["areas_to_improve"] = [
            t("suggest_value", lang, statement=text(r.item), value=num(r.value))
            for r in ranked.tail(rules.top_n).iloc[::-1].itertuples()]
        parent_name = data.path[-2] if len(data.path) > 1 else ""
        vs = hme[hme["parent_value"].notna()].assign(gap=lambda f: f["value"] - f["parent_value"])
        for kind, part in (("above_parent", vs[vs["gap"] > 0].nlargest(rules.parent_n, "gap")),
                           ("below_parent", vs[vs["gap"] < 0].nsmallest(rules.parent_n, "gap"))):
            out[kind] = [t("suggest_parent", lang, statement=text(r.item), value=num(r.value),
                           parent=num(r.parent_value), parent_name=parent_name,
                           diff=fmt_signed(r.gap, dec, lang))
                         for r in part.itertuples()]
        ch = hme[hme["diff"].notna()]
        ch = ch.reindex(ch["diff"].abs().sort_values(ascending=False).index).head(rules.changes_n)
        for kind, part in (("improved", ch[ch["diff"] > 0]), ("declined", ch[ch["diff"] < 0])):
            out[kind] = [t("suggest_change", lang, statement=text(r.item),
                           diff=fmt_signed(r.diff, dec, lang), arrow=trend_arrow(r.diff, dec),
                           year=data.previous_year)
                         + (f" ({t('within_margin', lang)})" if r.within_noise else "")
                         for r in part.itertuples()]
    shares = disagreement_shares(data.distributions, st, instruments, rules.disagreement_codes)
    high = shares[shares >= rules.disagreement_share].sort_values(ascending=False)
    out["disagreement"] = [t("suggest_disagreement", lang, statement=text(str(item)),
                             share=fmt_percent(share, 0, lang))
                           for item, share in high.items()]
    rr = data.response_rate
    if np.isfinite(rr) and rr < rules.low_response_rate:
        out["low_response"] = [t("suggest_low_response", lang, rate=fmt_percent(rr, dec, lang),
                                 limit=fmt_percent(rules.low_response_rate, 0, lang))]
    return {k: v for k, v in out.items() if v}
