"""Rows in the official layout, from XLSX or CSV alike: headers matched, rows → raw questions.

Rows are numbered as the spreadsheet shows them (the header is usually row 1), and
each raw question's index is its row number minus one, so the core's problems read
"#7" for row 7.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from typing import Any

from bot.importers.layout import COLUMNS, EXAMPLES, REQUIRED, ErrorValue, column_letter
from quiz.aiken import RawQuestion
from quiz.model import LETTERS
from quiz.problems import Problem
from quiz.text import fold, squash

MAX_ROWS = 10_000  # a question bank is hundreds of rows; this stops a runaway sheet early
HEADER_SEARCH = 10  # rows above the header may hold a title such as "BỘ CÂU HỎI …"
_NAMES = {squash(name): c for c in COLUMNS for name in (c.header, *c.aliases)}
_NOTE = re.compile(r"\(.*?\)|\[.*?\]")
_LETTER = re.compile(r"^(?:dap an\s*)?([a-f])\s*[.):]?$")
_DIFFICULTY = {"de": "easy", "trung binh": "medium", "kho": "hard"}
_EXAMPLE_TEXTS = {squash(e["text"]) for e in EXAMPLES}


def _header_key(cell: str) -> str:
    return squash(_NOTE.sub(" ", cell))


def _find_header(rows: Iterable[tuple[int, Sequence[str]]]) -> tuple[int, Sequence[str]] | None:
    """The first row naming the question column, else the first non-empty row."""
    first: tuple[int, Sequence[str]] | None = None
    for seen, (number, cells) in enumerate(rows):
        if any(c.strip() for c in cells):
            first = first or (number, cells)
            keys = {_NAMES[k].key for c in cells if (k := _header_key(c)) in _NAMES}
            if "text" in keys:
                return number, cells
        if seen >= HEADER_SEARCH:
            break
    return first


def _blank_heading(cell: str) -> bool:
    return not cell.strip() or isinstance(cell, ErrorValue) or _header_key(cell) not in _NAMES


def _subheading(header: Sequence[str], below: Sequence[str]) -> bool:
    """Whether the row under the header names two or more answer columns the header leaves unnamed
    (a heading merged over them), and holds nothing else: a heading in two rows."""
    named = [(i, _NAMES[k].key) for i, cell in enumerate(below) if (k := _header_key(cell)) in _NAMES]
    options = [i for i, key in named if key in LETTERS and i < len(header) and _blank_heading(header[i])]
    others = [cell for i, cell in enumerate(below) if cell.strip() and i not in options]
    return len(options) >= 2 and not others


class _Layout:
    """Which column holds what, and the problems of the header row."""

    def __init__(self, file: str, number: int, cells: Sequence[str]) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.keys: dict[int, str] = {}
        self.reported: set[int] = set()  # columns already named in a problem
        self.merges_named: set[tuple[str, str]] = set()
        at: dict[str, str] = {}
        for i, cell in enumerate(cells):
            if not cell.strip() or isinstance(cell, ErrorValue):
                continue  # a title merged over the header's columns, or an empty heading
            column = _NAMES.get(_header_key(cell))
            letter = column_letter(i)
            if column is None:
                self.reported.add(i)
                self.add(f"#{number}", "unknown_column", column=cell.strip()[:60], letter=letter)
            elif column.key in at:
                self.reported.add(i)
                self.add(f"#{number}", "duplicate_column", column=column.header, letters=f"{at[column.key]}, {letter}")
            else:
                at[column.key] = letter
                self.keys[i] = column.key
        self.missing = [c.header for c in COLUMNS if c.key in REQUIRED and c.key not in at]
        for header in self.missing:
            self.add("", "missing_column", column=header)

    def add(self, where: str, code: str, **params: object) -> None:
        self.problems.append(Problem(self.file, where, code, params))

    def row(self, number: int, cells: Sequence[str], default_topic: str | None) -> dict[str, Any] | None:
        """The raw question in one row; None (with problems added) when the row cannot be one."""
        values: dict[str, str] = {}
        clean = True
        for i, cell in enumerate(cells):
            key = self.keys.get(i)
            if key is None and cell.strip() and i not in self.reported:
                self.reported.add(i)
                self.add(f"#{number}", "unnamed_column", letter=column_letter(i))
            elif key is None or (key == "number" and isinstance(cell, ErrorValue)):
                continue  # a broken STT only costs the row its number in problems
            elif isinstance(cell, ErrorValue):
                if (cell.code, str(cell)) not in self.merges_named:  # a merged range is named once
                    self.add(f"#{number}", cell.code, cell=f"{column_letter(i)}{number}", value=str(cell))
                if cell.code == "merged_cells":
                    self.merges_named.add((cell.code, str(cell)))
                clean = False
            else:
                values[key] = cell.strip()
        if squash(values.get("text", "")) in _EXAMPLE_TEXTS:
            self.add(f"#{number}", "template_example")
            return None
        if not values.get("answer"):
            self.add(f"#{number}", "missing_answer")
            return None
        return _raw(values, default_topic) if clean else None


def _answer_letter(written: str, options: Sequence[str]) -> str:
    """The right option as a letter, however the file names it: "B", "b.", "Đáp án B", "2", or its text."""
    letter = _LETTER.match(fold(written).strip())
    if letter:
        return letter.group(1).upper()
    if written.strip().isascii() and written.strip().isdigit() and 1 <= int(written.strip()) <= len(options):
        return LETTERS[int(written.strip()) - 1]
    same = [i for i, option in enumerate(options) if option and squash(option) == squash(written)]
    return LETTERS[same[0]] if len(same) == 1 else written


def _raw(values: dict[str, str], default_topic: str | None) -> dict[str, Any]:
    options = [values.get(letter, "") for letter in LETTERS]
    while options and not options[-1]:
        options.pop()
    raw: dict[str, Any] = {
        "text": values.get("text", ""), "options": options, "answer": _answer_letter(values["answer"], options),
        "explanation": values.get("explanation", ""), "source": values.get("source", ""),
        "topic": values.get("topic") or default_topic,
    }
    if values.get("difficulty"):
        raw["difficulty"] = _DIFFICULTY.get(fold(values["difficulty"]).strip(), values["difficulty"].lower())
    if values.get("id"):
        raw["id"] = values["id"]
    for key in ("valid_from", "valid_until"):
        if values.get(key):
            raw[key] = values[key]
    if values.get("number"):
        raw["number"] = values["number"]  # STT: the organiser's own numbering, to name the row by in problems
    return raw


def read_table(
    rows: Iterable[tuple[int, Sequence[str]]], *, file: str, default_topic: str | None
) -> tuple[list[RawQuestion], list[Problem]]:
    """Raw questions and row problems from numbered rows of cell texts, header first."""
    rows = iter(rows)
    header = _find_header(rows)
    if header is None:
        return [], [Problem(file, "", "empty_file")]
    number, cells = header
    below = next(rows, None)
    if below is not None and _subheading(cells, below[1]):  # "Phương án trả lời" over A | B | C | D
        cells = [b if _blank_heading(h) and _NAMES.get(_header_key(b)) else h
                 for h, b in itertools.zip_longest(cells, below[1], fillvalue="")]
    elif below is not None:
        rows = itertools.chain([below], rows)
    layout = _Layout(file, number, cells)
    if layout.missing:
        return [], layout.problems
    raws: list[RawQuestion] = []
    data_rows = 0
    for number, cells in rows:
        if not any(c.strip() for i, c in enumerate(cells) if layout.keys.get(i) != "number"):
            continue  # blank rows, or rows numbered in advance but never filled
        data_rows += 1
        if data_rows > MAX_ROWS:
            layout.add(f"#{number}", "too_many_rows", limit=MAX_ROWS)
            break
        raw = layout.row(number, cells, default_topic)
        if raw is not None:
            raws.append((file, number - 1, raw))
    if not raws and not layout.problems:
        layout.add("", "empty_file")
    return raws, layout.problems
