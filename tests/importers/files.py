"""Build question files as organisers make them, and read back what they would be told."""
from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from babel.messages.pofile import read_po
from openpyxl import Workbook

from bot.importers import read_question_bytes
from quiz.model import Question
from quiz.problems import Problem, sort_problems
from quiz.questions import parse_questions

ROOT = Path(__file__).resolve().parent.parent.parent
TOPICS = frozenset({"vneid", "dvc"})
HEADER = ["STT", "Câu hỏi", "Đáp án A", "Đáp án B", "Đáp án C", "Đáp án D", "Đáp án E", "Đáp án F",
          "Đáp án đúng", "Giải thích", "Chủ đề"]


def _catalog(locale: str) -> dict[str, str]:
    with (ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


VI, EN = _catalog("vi"), _catalog("en")


def shown(problems: Iterable[Problem], locale: str = "vi") -> list[str]:
    """Problems as an organiser reads them: "#7: Thiếu đáp án đúng." (formatting must not fail)."""
    catalog = VI if locale == "vi" else EN
    return [f"{p.where}: {catalog[p.message_id].format(**p.params)}".lstrip(": ") for p in problems]


def xlsx(rows: Sequence[Sequence[object]], *, title: str = "Câu hỏi", merged: Sequence[str] = ()) -> bytes:
    """An .xlsx workbook with these rows from A1, as Excel would save it (with `merged` ranges merged,
    their text in the first cell)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for cells in merged:
        sheet.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(rows: Sequence[Sequence[object]], delimiter: str = ",") -> str:
    import csv
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def load(data: bytes | str, name: str, *, default_topic: str | None = "vneid",
         topics: frozenset[str] | None = TOPICS) -> tuple[list[Question], list[Problem]]:
    """Read a file the way the import pipeline does: format reader, then the core's validation."""
    raw_bytes = data.encode("utf-8") if isinstance(data, str) else data
    raws, problems = read_question_bytes(raw_bytes, name=name, default_topic=default_topic)
    questions, more = parse_questions(raws, topics=topics)
    return questions, sort_problems(problems + more)  # as the import use case reports them


def q(qid: str, text: str, options: Sequence[str], correct: int, *, topic: str = "vneid", **extra: object) -> Question:
    return Question(id=qid, topic=topic, text=text, options=tuple(options), correct=correct, **extra)  # type: ignore[arg-type]
