"""Delimited text exports: how their encoding is recognised (byte-order marks, UTF-8, cp1252) and
their separator found (`;` as Swedish exports use, tab or `,`)."""

from __future__ import annotations

import csv
from pathlib import Path

from hme_core.errors import InputError, InputIssue

DELIMITERS = (";", "\t", ",")
_SNIFF_BYTES = 64 * 1024
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def not_tabular(path: Path, kind: str, found: str) -> InputError:
    """The file cannot be read as a table of the kind its suffix promises."""
    return InputError(InputIssue(str(path), None, None, None, f"{kind}; {found}"))


def decode(path: Path, raw: bytes) -> tuple[str, str]:
    """A BOM decides (UTF-16/32, UTF-8); else UTF-8 tried strictly, then cp1252 (Windows exports).
    Binary data (NUL bytes, control characters) is refused; stray BOMs are removed."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(encoding).replace("\ufeff", ""), encoding
            except UnicodeDecodeError as exc:
                raise not_tabular(path, f"a delimited text table in {encoding} (it starts with "
                                   f"that BOM)", f"byte {exc.start} is not {encoding}") from exc
    head = raw[:_SNIFF_BYTES]
    if b"\x00" in raw:
        row = raw[:raw.index(b"\x00")].count(b"\n") + 1
        found = "the file holds binary data, not text" if b"\x00" in head else (
            f"a NUL byte (binary data) on row {row}")
        raise not_tabular(path, "a delimited text table (CSV/TXT)", found)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        sample = text[:_SNIFF_BYTES]
        controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
        if controls > max(2, len(sample) // 100):
            break
        return text.replace("\ufeff", ""), encoding
    raise not_tabular(path, "a delimited text table (CSV/TXT) in UTF-8 or cp1252",
                       "the file is not readable as text")


def sniff_delimiter(text: str) -> str | None:
    """The delimiter among `;`, tab, `,` that splits the first lines into the most columns
    consistently (a decimal comma in `;` files does not fool it); None for one column."""
    lines = text[:_SNIFF_BYTES].splitlines()
    if len(text) > _SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # last line may be cut off
    lines = [ln for ln in lines[:50] if ln.strip()]
    best, best_width = None, 1
    for delim in DELIMITERS:
        widths = [len(r) for r in csv.reader(lines, delimiter=delim)]
        if not widths:
            continue
        header_width = widths[0]
        consistent = all(w == header_width for w in widths)
        if header_width > best_width and (consistent or best is None and len(widths) == 1):
            best, best_width = delim, header_width
    if best is None:
        # Fall back to the header line alone (ragged files get a clear parser message later).
        counts = {d: lines[0].count(d) for d in DELIMITERS} if lines else {}
        best = max(counts, key=counts.get) if counts and max(counts.values()) else None
    return best
