"""Reading official question files of every format into raw questions for the core to validate.

    raws, problems = read_question_file(path, default_topic="vneid")
    questions, more = quiz.questions.parse_questions(raws, topics=contest.topics)

Problems name the file and where: "#7" is row 7 of a spreadsheet, line 7 of an Aiken or
GIFT file, and the 7th entry of a JSON or YAML list. Any problem means: store nothing.
"""
from __future__ import annotations

import re
from pathlib import Path

from bot.importers.delimited import read_csv
from bot.importers.layout import COLUMNS, EXAMPLES
from bot.importers.spreadsheet import read_xlsx
from bot.importers.structured import read_structured
from quiz.aiken import RawQuestion, parse_aiken
from quiz.gift import parse_gift
from quiz.problems import Problem

__all__ = ["COLUMNS", "EXAMPLES", "SUFFIXES", "RawQuestion", "read_question_bytes", "read_question_file"]

SUFFIXES = (".xlsx", ".xlsm", ".csv", ".json", ".yaml", ".yml", ".txt", ".aiken", ".gift")
_AIKEN_ANSWER = re.compile(r"^\s*ANSWER\s*:", re.IGNORECASE | re.MULTILINE)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

Result = tuple[list[RawQuestion], list[Problem]]


def _decode(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 text (a BOM allowed), or a problem naming the first line that is not."""
    if data.startswith(_UTF16_BOMS):
        return None, [Problem(file, "#1", "not_utf8", {"line": "1"})]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [Problem(file, f"#{line}", "not_utf8", {"line": str(line)})]


def _read_text(text: str, suffix: str, file: str, default_topic: str | None) -> Result:
    if suffix == ".csv":
        return read_csv(text, file=file, default_topic=default_topic)
    if suffix in {".json", ".yaml", ".yml"}:
        return read_structured(text, json_syntax=suffix == ".json", file=file, default_topic=default_topic)
    if suffix == ".txt":  # Moodle exports both Aiken and GIFT as .txt
        if _AIKEN_ANSWER.search(text):
            suffix = ".aiken"
        elif "{" in text:
            suffix = ".gift"
        else:
            return [], [Problem(file, "", "unknown_format", {"suffix": suffix, "suffixes": ", ".join(SUFFIXES)})]
    parse = parse_aiken if suffix == ".aiken" else parse_gift
    return parse(text, file=file, default_topic=default_topic)


def read_question_bytes(data: bytes, *, name: str, default_topic: str | None) -> Result:
    """Raw questions and format problems from an uploaded file's bytes; `name` picks the format."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        return [], [Problem(name, "", "old_excel")]
    if suffix not in SUFFIXES:
        return [], [Problem(name, "", "unknown_format", {"suffix": suffix or "—", "suffixes": ", ".join(SUFFIXES)})]
    if not data.strip():
        return [], [Problem(name, "", "empty_file")]
    if suffix in {".xlsx", ".xlsm"}:
        return read_xlsx(data, file=name, default_topic=default_topic)
    text, problems = _decode(data, name)
    if text is None:
        return [], problems
    return _read_text(text, suffix, name, default_topic)


def read_question_file(path: Path, *, default_topic: str | None, name: str | None = None) -> Result:
    """Raw questions ready for quiz.questions.parse_questions, and format-level problems.

    `name` is the file name organisers know (an upload's original name); it defaults to
    the path's and chooses the format by its extension.
    """
    name = name or path.name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], [Problem(name, "", "missing_file")]
    except OSError as exc:
        return [], [Problem(name, "", "unreadable_file", {"detail": exc.strerror or type(exc).__name__})]
    return read_question_bytes(data, name=name, default_topic=default_topic)
