"""outputs/reports/<year>/index.html: every unit of the year as a sortable, searchable row.

English (and any other language) writes `index.en.html` beside it, linking `report.en.*`.

Self-contained (inline CSS and a few lines of inline script, no network); without script it is
still a plain readable table. Values come from the stored, already suppressed results.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections import Counter
from pathlib import Path

from hme_core.atomic import atomic_write
from hme_core.i18n import fmt_date, fmt_int, fmt_number, fmt_signed, sort_key, t, trend_arrow
from hme_core.instruments import load_instruments
from hme_core.orgtree import levels, tree_order
from hme_core.report.hidden import reason_for
from hme_core.report.html import esc, paragraph
from hme_core.store.duckdb_store import Store
from hme_core.unit_files import index_file, report_file

_SCRIPT = """
const q = document.getElementById('q'), rows = [...document.querySelectorAll('#units tbody tr')];
q.addEventListener('input', () => { const v = q.value.toLowerCase();
  rows.forEach(r => r.hidden = !r.dataset.search.includes(v)); });
document.querySelectorAll('#units th[data-col]').forEach(th => th.addEventListener('click', () => {
  const i = +th.dataset.col, num = th.dataset.type === 'num', dir = th.dataset.dir === 'asc' ? -1 : 1;
  th.dataset.dir = dir === 1 ? 'asc' : 'desc';
  const key = r => r.children[i].dataset.sort;
  const cmp = (a, b) => num ? ((parseFloat(key(a)) || -1e9) - (parseFloat(key(b)) || -1e9))
                            : key(a).localeCompare(key(b), document.documentElement.lang);
  const body = document.querySelector('#units tbody');
  rows.sort((a, b) => dir * cmp(a, b)).forEach(r => body.appendChild(r)); }));
"""

_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:0;color:#1f2a33;background:#f4f6f8}
main{max-width:1100px;margin:0 auto;padding:20px;background:#fff}
h1{color:#1b5e8c;margin:.2em 0}
input{font-size:1em;padding:6px 10px;width:100%;max-width:420px;margin:8px 0 12px;border:1px solid #b8c3cc;border-radius:4px}
.wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{padding:5px 8px;border-bottom:1px solid #d5dde3;text-align:left;white-space:nowrap}
thead th{border-bottom:2px solid #1f2a33;cursor:pointer;user-select:none}
thead th:after{content:" \\2195";color:#9aa6af;font-size:.8em}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.name{white-space:normal}
.lvl1 td.name{font-weight:bold}.lvl2 td.name{padding-left:20px}.lvl3 td.name{padding-left:36px}
.lvl4 td.name{padding-left:52px}.lvl5 td.name{padding-left:68px}
.failed{color:#a3242b;font-weight:bold}.muted{color:#5b6770}
td.failed,td.muted{white-space:normal;min-width:14em}
table.heatmap th{cursor:default}table.heatmap thead th:after{content:none}
table.heatmap td .change{display:block;font-size:.78em;color:#3d4852}
td.band-low{background:#f6c9c4}td.band-mid{background:#fbe7a6}td.band-good{background:#d5ecc6}
td.band-high{background:#a9d79a}.footnote{font-size:.85em;color:#5b6770}
"""


def _memo(fn):
    """`fn` of one number, remembered per value (NaN as one value): the index page formats
    the same few values for thousands of units."""
    cache: dict = {}

    def formatted(x):
        key = "nan" if isinstance(x, float) and math.isnan(x) else x
        if key not in cache:
            cache[key] = fn(x)
        return cache[key]

    return formatted


EMPTY_STATUS = {"primary": "status_suppressed", "category": "status_suppressed",
                "secondary": "status_suppressed_secondary", "no_data": "status_no_answers"}


def _status(outcome, rendered: list[str], empty: str, lang: str) -> tuple[str, str]:
    """The status cell: failed, not made, done, or done with an empty report and its true
    reason (`empty`: the reason of its hidden HME total, `report.hidden.reason_for`; '' when
    something of the unit is published)."""
    if outcome is not None and not outcome.ok:
        return t("status_failed", lang), "failed"
    if not rendered:
        return t("status_not_rendered", lang), "muted"
    return (t(EMPTY_STATUS[empty], lang), "muted") if empty else (t("status_ok", lang), "")


def heatmap_depth(units_per_level: list[int], max_rows: int) -> int:
    """The deepest level (root = 1) of the organisation heat map: as many whole levels from
    the root as hold at most `max_rows` units together, and never fewer than two (the root and
    its children: the root report's own heat map). `units_per_level[i]`: units at level i + 1.

    >>> heatmap_depth([1, 50, 2_000, 48_000], 1_000)  # 51 rows; with level 3 it would be 2,051
    2
    >>> heatmap_depth([1, 3, 9, 27], 1_000), heatmap_depth([1, 5_000, 9], 1_000)
    (4, 2)
    """
    depth, rows = 0, 0
    for count in units_per_level:
        if depth >= 2 and rows + count > max_rows:
            break
        depth, rows = depth + 1, rows + count
    return depth


def heatmap_units(order: list[str], level: dict[str, int], max_rows: int
                  ) -> tuple[list[str], int, int]:
    """(the organisation heat map's units in tree order, the deepest level shown, the deepest
    level of the tree), for units in tree order `order` and their levels (root = 1).

    >>> heatmap_units(["R", "A", "a1", "B"], {"R": 1, "A": 2, "a1": 3, "B": 2}, 2)
    (['R', 'A', 'B'], 2, 3)
    """
    per_level = Counter(level.values())
    deepest = max(per_level)
    depth = heatmap_depth([per_level[k] for k in range(1, deepest + 1)], max_rows)
    return [u for u in order if level[u] <= depth], depth, deepest


def organisation_heatmap(year: int, units: list[str], names: dict[str, str], depth: int,
                          deepest: int, total: int, scores, prev, settings, lang: str) -> str:
    """The heat map of the organisation's upper levels (`units`, tree order, levels 1 to
    `depth`); when levels below are left out (`depth` < `deepest`), its caption names the
    levels shown and a sentence before it says where the other units are."""
    from hme_core.report.children import heatmap_table
    from hme_core.report.to_html import render_html

    instruments = load_instruments()
    caption = t("heatmap_org_heading", lang) + f" {year}"
    intro = ""
    if depth < deepest:
        caption += ", " + t("heatmap_org_levels", lang, level=depth)
        intro = paragraph(t("heatmap_org_upper_levels", lang, levels=depth,
                            shown=fmt_int(len(units), lang), units=fmt_int(total, lang),
                            below=depth + 1))
    table_html = render_html(heatmap_table(
        units, names, scores, prev, lambda ix: instruments.index_name(ix, lang), lang,
        settings.decimals, settings.heatmap_bands, settings.heatmap_enps_bands, caption,
        settings.min_n_index, instruments.theme_ids))
    table_html = table_html.replace('<div class="table-wrap">', '<div class="wrap" tabindex="0" '
                                    f'role="region" aria-label="{esc(t("scroll_region_table", lang))}">')
    return f'<h2>{esc(t("heatmap_org_heading", lang))}</h2>{intro}{table_html}'


def write_index(root: Path, year: int, db: Path, folders: dict[str, str], outcomes: list,
                lang: str = "sv") -> Path:
    """Write the index page for `year` into `root` and return its path.

    Linear in the organisation's size: every unit is a row of the list (its HME and n read
    from the stored HME rows only); the organisation heat map reads the scores of the upper
    levels it shows (`heatmap_depth`, at most `Settings.heatmap_org_max_rows` rows)."""
    from hme_core.config import load_settings

    settings = load_settings()
    with Store.open(db, read_only=True) as store:
        store.require_current_results(year)
        org = store.load_org(year)
        order = tree_order(org)
        level = levels(org)
        lv = dict(zip(level.index.tolist(), level.tolist(), strict=True))
        shown, depth, deepest = heatmap_units(order, lv, settings.heatmap_org_max_rows)
        some = None if depth >= deepest else shown  # the heat map's units, None: all
        hme = store.load_result("scores", year, index="hme")
        every = store.load_result("scores", year)  # a report is empty only if nothing is shown
        published = set(every.loc[every["value"].notna(), "unit"])
        heat = store.load_result("scores", year, units=some)
        prev_years = [y for y in store.years() if y < year]
        last = max(prev_years) if prev_years else None
        before_hme = (store.load_result("scores", last, index="hme") if last is not None
                      else None)
        prev = store.load_result("scores", last, units=some) if last is not None else None
    values = dict(zip(hme["unit"].tolist(), hme["value"].astype(float).tolist(), strict=True))
    n_hme = dict(zip(hme["unit"].tolist(), hme["n"].astype(float).tolist(), strict=True))
    stored = (dict(zip(hme["unit"].tolist(), hme["suppression"].astype(str).tolist(), strict=True))
              if "suppression" in hme else {})
    min_n = settings.min_n_index
    counts = dict(zip(hme["unit"].tolist(), hme["respondents"].astype(int).tolist(),  # "Antal svar"
                      strict=True))
    previous = (dict(zip(before_hme["unit"].tolist(), before_hme["value"].astype(float).tolist(),
                         strict=True))
                if before_hme is not None and not before_hme.empty else {})
    names = dict(zip(org["unit"].tolist(), org["name"].astype(str).tolist(), strict=True))
    by_unit = {o.unit: o for o in outcomes}
    count = _memo(lambda n: esc(fmt_int(n, lang)))
    number = _memo(lambda v: esc(fmt_number(v, 1, lang)))
    change = _memo(lambda d: f"{esc(fmt_signed(d, 1, lang))} "
                             f"{esc(trend_arrow(d, 1) if not math.isnan(d) else '')}")
    rows, statuses = [], {}
    present = set(os.listdir(root)) if root.is_dir() else set()  # folders made so far
    for unit in order:  # each unit in constant time: lookups in dicts built once
        value = values.get(unit, math.nan)
        n = counts.get(unit, 0)
        diff = value - previous.get(unit, math.nan)
        folder = folders[unit]
        rendered = [ext for ext in ("html", "pdf")
                    if folder in present and (root / folder / report_file(ext, lang)).exists()]
        outcome = by_unit.get(unit)
        empty = "" if unit in published else reason_for(n_hme.get(unit), min_n,
                                                          stored.get(unit))
        state = (outcome is not None and not outcome.ok, bool(rendered), empty)
        if state not in statuses:  # a few distinct cells: escaped once each
            status, cls = _status(outcome, rendered, state[2], lang)
            statuses[state] = f'<td class="{cls}" data-sort="{esc(status)}">{esc(status)}</td>'
        links = " ".join(
            f'<a href="{esc(folder)}/{report_file(ext, lang)}">{ext.upper()}</a>'
            for ext in rendered
        )
        name = names[unit]
        search = f"{name} {unit}".lower()
        rows.append(
            f'<tr class="lvl{lv[unit]}" data-search="{esc(search)}">'
            f'<td class="name" data-sort="{esc(sort_key(name, lang)[0])}">{esc(name)}'
            f' <span class="muted">{esc(unit)}</span></td>'
            f'<td class="num" data-sort="{lv[unit]}">{lv[unit]}</td>'
            f'<td class="num" data-sort="{n}">{count(n)}</td>'
            f'<td class="num" data-sort="{"" if math.isnan(value) else value}">'
            f"{number(value)}</td>"
            f'<td class="num" data-sort="{"" if math.isnan(diff) else diff}">'
            f"{change(diff)}</td>"
            f"{statuses[state]}"
            f"<td>{links}</td></tr>"
        )
    cols = [("index_col_unit", "text"), ("index_col_level", "num"), ("responses", "num"),
            ("index_hme", "num"), ("change_from_last_year", "num"), ("index_col_status", "text")]
    label = {"index_hme": load_instruments().index_name("hme", lang)}
    head = "".join(f'<th data-col="{i}" data-type="{typ}" scope="col">'
                   f"{esc(label[k] if k in label else t(k, lang))}</th>"
                   for i, (k, typ) in enumerate(cols)) + f'<th scope="col">{esc(t("index_col_links", lang))}</th>'
    failed = sum(1 for o in outcomes if not o.ok)
    heatmap = organisation_heatmap(year, shown, names, depth, deepest, len(order), heat,
                                    prev, settings, lang)
    title = t("index_title", lang, year=year)
    html_text = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body><main>"
        f"<h1>{esc(title)}</h1><p class=\"muted\">{esc(t('report_date', lang))}: "
        f"{esc(fmt_date(dt.date.today(), lang))} · {esc(t('index_summary', lang, units=len(rows), failed=failed))}</p>"
        f'<label for="q">{esc(t("index_search", lang))}</label><br>'
        f'<input id="q" type="search" placeholder="{esc(t("index_search", lang))}">'
        f'<div class="wrap"><table id="units"><thead><tr>{head}</tr></thead><tbody>'
        + "".join(rows) + f"</tbody></table></div>{heatmap}</main><script>{_SCRIPT}</script></body></html>"
    )
    return atomic_write(root / index_file(lang), html_text)
