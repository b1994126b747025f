"""CSV files in the official layout → raw questions; comma, semicolon or tab, sniffed."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from bot.importers.table import read_table
from quiz.aiken import RawQuestion
from quiz.problems import Problem

_DELIMITERS = ",;\t"  # Excel in a Vietnamese locale saves "CSV" with semicolons


def _delimiter(text: str) -> str:
    """The delimiter used most in the first non-blank line (the header)."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(text: str, *, file: str, default_topic: str | None) -> tuple[list[RawQuestion], list[Problem]]:
    """Raw questions and row problems from decoded CSV text; rows numbered as a spreadsheet shows them."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))

    def rows() -> Iterator[tuple[int, Sequence[str]]]:
        yield from enumerate(reader, start=1)

    try:
        return read_table(rows(), file=file, default_topic=default_topic)
    except csv.Error as exc:
        return [], [Problem(file, f"#{reader.line_num}", "syntax_error",
                            {"line": str(reader.line_num), "column": "—", "detail": str(exc)[:120]})]
