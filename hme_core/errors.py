"""One exception hierarchy; the CLI turns every `HMEError` into one clear message and exit 2."""

from __future__ import annotations

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
        return f"{', '.join(where)}: {got}expected {self.expected}"


class InputError(HMEError):
    """Raised when input files fail validation; carries every issue found (capped when shown)."""

    def __init__(self, issues: list[InputIssue] | InputIssue):
        self.issues = [issues] if isinstance(issues, InputIssue) else list(issues)
        super().__init__(self.format())

    def format(self, limit: int = MAX_REPORTED_ISSUES) -> str:
        shown = [str(i) for i in self.issues[:limit]]
        rest = len(self.issues) - len(shown)
        if rest > 0:
            shown.append(f"... and {rest} more problem(s) not shown")
        head = f"{len(self.issues)} problem(s) in the input:"
        return "\n".join([head, *("  - " + s for s in shown)])
