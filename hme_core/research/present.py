"""Tables of the research workbook as a researcher pastes them into a paper.

Rules: no row index; labels instead of ids; n as integers; p as "< 0,001" below 0.001, else
three decimals ("0,012"); intervals as "[0,31; 0,52]" (sv) or "[0.31, 0.52]" (en); the decimal
sign follows the language (`hme_core.i18n`). Every table carries a method note and is also
written, unformatted (full precision), to one sheet of `tables.xlsx` and one CSV each.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hme_core.atomic import atomic_write
from hme_core.i18n import MISSING, TEXTS, _is_missing, fmt_int, fmt_number, t


def fmt_p(p: float | None, lang: str = "sv") -> str:
    """A p-value: '< 0,001' below 0.001, else three decimals.

    >>> fmt_p(0.0004), fmt_p(0.0123), fmt_p(0.0123, "en"), fmt_p(1.0, "en")
    ('< 0,001', '0,012', '0.012', '1.000')
    """
    if _is_missing(p):
        return MISSING
    if p < 0.001:
        return "< " + fmt_number(0.001, 3, lang)
    return fmt_number(p, 3, lang)


def fmt_ci(low: float | None, high: float | None, decimals: int = 2, lang: str = "sv") -> str:
    """An interval: '[0,31; 0,52]' (sv; the comma is the decimal sign) or '[0.31, 0.52]' (en).

    >>> fmt_ci(0.314, 0.52), fmt_ci(0.314, 0.52, lang="en")
    ('[0,31; 0,52]', '[0.31, 0.52]')
    """
    if _is_missing(low) or _is_missing(high):
        return MISSING
    sep = "; " if lang == "sv" else ", "
    return f"[{fmt_number(low, decimals, lang)}{sep}{fmt_number(high, decimals, lang)}]"


def label(name: str, labels: Mapping[str, str], lang: str) -> str:
    """A variable's label: from `labels`, the text catalogue (`research_var_<name>`), or the id
    with spaces ('staff_turnover' -> 'Staff turnover')."""
    if name in labels:
        return labels[name]
    if f"research_var_{name}" in TEXTS:
        return t(f"research_var_{name}", lang)
    return str(name).replace("_", " ").capitalize()


@dataclass
class Table:
    """One table: `key` (sheet and CSV name), `title`, `data` (raw), `shown` (formatted), `note`."""

    key: str
    title: str
    data: pd.DataFrame
    shown: pd.DataFrame
    note: str = ""

    def _repr_html_(self) -> str:
        """Plain HTML: text columns left-aligned, number columns right-aligned, no wrapping."""
        def cell(tag: str, value: object, numeric: bool) -> str:
            style = ("text-align:right;white-space:nowrap" if numeric else "text-align:left") \
                + ";padding:2px 8px;vertical-align:top"
            return f'<{tag} style="{style}">{html.escape(str(value))}</{tag}>'

        numeric = [bool(self.shown[c].map(lambda v: bool(NUMERIC.match(str(v)))).all())
                   for c in self.shown.columns]
        head = "".join(cell("th", c, k) for c, k in zip(self.shown.columns, numeric, strict=True))
        rows = "".join("<tr>" + "".join(cell("td", v, k) for v, k in zip(r, numeric, strict=True))
                       + "</tr>" for r in self.shown.itertuples(index=False))
        note = f'<p class="table-note">{html.escape(self.note)}</p>' if self.note else ""
        return (f'<p class="table-title"><strong>{html.escape(self.title)}</strong></p>'
                f'<table class="research-table"><thead><tr>{head}</tr></thead>'
                f"<tbody>{rows}</tbody></table>{note}")


#: a formatted number, interval or p-value (right-aligned in tables)
NUMERIC = re.compile(r"^(<\s)?[\[\]\d\s\u00a0,.;\u2212+%–-]*$")


@dataclass
class Formatter:
    """Column formatters in one language; `table()` builds a `Table` from raw data."""

    lang: str = "sv"
    labels: Mapping[str, str] = field(default_factory=dict)

    def labels_for(self) -> dict[str, str]:
        """Labels of every variable the charts may show (indices, statements, outcomes)."""
        keys = [k[len("research_var_"):] for k in TEXTS if k.startswith("research_var_")]
        return {**{k: label(k, {}, self.lang) for k in keys}, **self.labels}

    def num(self, decimals: int) -> Callable[[object], str]:
        return lambda x: fmt_number(x, decimals, self.lang)

    def integer(self, x: object) -> str:
        return MISSING if _is_missing(x) else fmt_int(int(x), self.lang)  # type: ignore[arg-type]

    def p(self, x: object) -> str:
        return fmt_p(x, self.lang)  # type: ignore[arg-type]

    def name(self, x: object) -> str:
        return MISSING if _is_missing(x) else label(str(x), self.labels, self.lang)

    def table(self, key: str, data: pd.DataFrame, columns: Mapping[str, tuple[str, Callable]],
              ci: Mapping[str, tuple[str, str, int]] | None = None, note: str = "") -> Table:
        """`columns`: raw column -> (header text key, formatter); `ci`: header text key ->
        (low column, high column, decimals), placed after the column before it in `columns`."""
        shown = pd.DataFrame(index=data.index)
        for column, (header, fmt) in columns.items():
            shown[t(header, self.lang)] = data[column].map(fmt) if column in data else MISSING
            for ci_header, (low, high, dec) in (ci or {}).items():
                if ci_header.startswith(column + ":"):
                    shown[t(ci_header.split(":", 1)[1], self.lang)] = [
                        fmt_ci(a, b, dec, self.lang) for a, b in zip(data[low], data[high], strict=True)]
        return Table(key, t(f"research_table_{key}", self.lang), data.reset_index(drop=True),
                     shown.reset_index(drop=True), note)


def sheet_name(key: str, used: set[str]) -> str:
    """An Excel sheet name (<= 31 characters, no []:*?/\\), unique among `used`."""
    base = re.sub(r"[\[\]:*?/\\]", "_", key)[:31]
    name, k = base, 2
    while name in used:
        name = f"{base[:28]}_{k}"
        k += 1
    used.add(name)
    return name


def write_tables(tables: list[Table], folder: str | Path) -> list[Path]:
    """Every table to `folder/tables.xlsx` (one sheet each, formatted as shown) and to
    `folder/tables/<key>.csv` (raw values, full precision). Returns the files written."""
    folder = Path(folder)
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    written = []
    for table in tables:
        path = folder / "tables" / f"{table.key}.csv"
        atomic_write(path, table.data.to_csv(index=False))
        written.append(path)
    xlsx = folder / "tables.xlsx"
    used: set[str] = set()
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for table in tables:
            sheet = sheet_name(table.key, used)
            table.shown.to_excel(writer, sheet_name=sheet, index=False, startrow=1)
            ws = writer.sheets[sheet]
            ws.cell(row=1, column=1, value=table.title)
            ws.cell(row=len(table.shown) + 3, column=1, value=table.note)
    atomic_write(xlsx, buffer.getvalue())
    written.append(xlsx)
    return written
