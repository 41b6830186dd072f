"""One exception hierarchy; the CLI turns every `HMEError` into one clear message and exit 2."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_REPORTED_ISSUES = 50
#: Values and headers quoted in a message are cut to this many characters (a 60 MB cell is
#: named by its length, not echoed).
MAX_QUOTED_CHARS = 80


def quoted(text: str, limit: int = MAX_QUOTED_CHARS) -> str:
    """`text` as `repr` shows it, cut to about `limit` characters with its full length noted.

    >>> quoted("abc")
    "'abc'"
    >>> quoted("x" * 1000) == repr("x" * 80) + "… (1000 characters)"
    True
    """
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text)} characters)"


_LONG_WORD = re.compile(r"\S{" + str(MAX_QUOTED_CHARS + 1) + ",}")


def _cut_long_words(text: str) -> str:
    """`text` with every run of more than `MAX_QUOTED_CHARS` non-space characters (a header or
    value quoted in an explanation) cut to that many, its length noted.

    >>> _cut_long_words("no header resembles " + "h" * 5000) == (
    ...     "no header resembles " + "h" * 80 + "… (5000 characters)")
    True
    """
    return _LONG_WORD.sub(lambda m: f"{m.group()[:MAX_QUOTED_CHARS]}… ({len(m.group())} "
                                    "characters)", text)


class HMEError(Exception):
    """Base of every error the user can act on (bad input, bad config, refused operation)."""


class ConfigError(HMEError):
    """Raised when a file under `params/` (config, instrument, column map) is invalid."""


class LanguageError(HMEError, ValueError):
    """Raised for a language code without a text catalogue (`--lang`, a report's language)."""


class StoreError(HMEError):
    """Raised when the DuckDB store refuses an operation (year present, year missing)."""


@dataclass(frozen=True)
class InputIssue:
    """One problem in an input file, located as a user would find it in a spreadsheet.

    `row` is the row number as shown in the file (header = row 1), or None for a file-level
    problem; `column` is the column header, or None.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            column = self.column
            if len(column) > MAX_QUOTED_CHARS:
                column = f"{column[:MAX_QUOTED_CHARS]}… ({len(column)} characters)"
            where.append(f"column '{column}'")
        got = "" if self.value is None else f"got {quoted(self.value)}, "
        return f"{', '.join(where)}: {got}expected {_cut_long_words(self.expected)}"


class InputError(HMEError):
    """Raised when input files fail validation; carries every issue found (capped when shown)."""

    def __init__(self, issues: list[InputIssue] | InputIssue):
        self.issues = [issues] if isinstance(issues, InputIssue) else list(issues)
        super().__init__(self.format())

    def format(self, limit: int = MAX_REPORTED_ISSUES) -> str:
        """One line per (file, column, value, expected): how many rows, the first few row
        numbers, what was expected (which names the fix); at most `limit` lines."""
        groups: dict[tuple, list[InputIssue]] = {}
        for issue in self.issues:
            key = (issue.file, issue.column, issue.value, issue.expected)
            groups.setdefault(key if issue.row is not None else (id(issue),), []).append(issue)
        lines = [_group_line(g) for g in groups.values()]
        shown = lines[:limit]
        rest = len(lines) - len(shown)
        if rest > 0:
            shown.append(f"... and {rest} more problem(s) not shown")
        head = f"{len(self.issues)} problem(s) in the input:"
        return "\n".join([head, *("  - " + s for s in shown)])


def _group_line(issues: list[InputIssue]) -> str:
    """One issue as is; several with the same value: 'rows 2, 5, 9 (and 30 more; 33 rows)'.

    >>> i = [InputIssue("f.csv", r, "Kön", "X", "kvinna or man") for r in range(2, 10)]
    >>> _group_line(i)
    "f.csv, 8 rows: 2, 3, 4, 5, 6 and 3 more, column 'Kön': got 'X', expected kvinna or man"
    """
    if len(issues) == 1:
        return str(issues[0])
    first = issues[0]
    rows = [str(i.row) for i in issues[:5]]
    more = f" and {len(issues) - 5} more" if len(issues) > 5 else ""
    where = [first.file, f"{len(issues)} rows: {', '.join(rows)}{more}"]
    if first.column is not None:
        where.append(f"column '{first.column}'")
    got = "" if first.value is None else f"got {first.value!r}, "
    return f"{', '.join(where)}: {got}expected {first.expected}"
