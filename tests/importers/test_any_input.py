"""Whatever an organiser uploads, the reader answers with questions or with problems they can read."""
from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .files import HEADER, csv_text, load, shown, xlsx

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Excel refuses control characters, so cells draw from printable text, Vietnamese and line breaks.
letters = st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệĐ\n ")
words = st.text(letters, max_size=30)
special = st.sampled_from(["=1+1", "=A1*2", "=SUM(", "#N/A", "#REF!", "A", "b", " C ", "Đáp án B", "E", "G", "AB",
                           "", " ", "ANSWER: A", "{=a ~b}", "Dễ", "khó", "vneid", "dvc", "0", "-1", "1e10"])
long_text = st.builds(lambda w, n: (w or "Câu hỏi dài ") * n, words, st.integers(10, 400))
cell = st.one_of(st.none(), words, special, long_text, st.integers(-10**12, 10**12),
                 st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
                 st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 1, 1)))
rows = st.lists(st.lists(cell, max_size=14), max_size=8)


def _data_rows(rows: list[list[Any]]) -> set[int]:
    """Row numbers (header = 1) an organiser would call filled in: any cell besides STT."""
    filled = set()
    for number, row in enumerate(rows, start=2):
        cells = [c for i, c in enumerate(row) if i != 0 and i < len(HEADER)]
        if any(c is not None and str(c).strip() for c in cells):
            filled.add(number)
    return filled


def _told(questions: list[Any], problems: list[Any]) -> None:
    assert questions or problems
    shown(problems, "vi"), shown(problems, "en")  # every problem has both messages and its parameters
    assert all(p.where == "" or p.where.startswith("#") for p in problems)


def _accounted_rows(questions: list[Any], problems: list[Any]) -> set[int]:
    return {int(q.id[1:]) for q in questions} | {int(m.group(1)) for p in problems if (m := re.match(r"#(\d+)",
                                                                                                     p.where))}


@SETTINGS
@given(rows)
def test_every_filled_row_of_a_sheet_becomes_a_question_or_a_problem_naming_it(body: list[list[Any]]) -> None:
    questions, problems = load(xlsx([HEADER, *body]), "a.xlsx", topics=None)

    _told(questions, problems)
    assert _data_rows(body) <= _accounted_rows(questions, problems)


@SETTINGS
@given(rows)
def test_every_filled_row_of_a_csv_becomes_a_question_or_a_problem_naming_it(body: list[list[Any]]) -> None:
    text_rows = [["" if c is None else str(c).replace("\r", " ") for c in row] for row in body]
    questions, problems = load(csv_text([HEADER, *text_rows], ";"), "a.csv", topics=None)

    _told(questions, problems)
    assert _data_rows(text_rows) <= _accounted_rows(questions, problems)  # type: ignore[arg-type]


@SETTINGS
@given(rows)
def test_a_sheet_with_any_header_never_crashes_the_reader(sheet: list[list[Any]]) -> None:
    _told(*load(xlsx(sheet), "a.xlsx", topics=None))


pieces = st.one_of(words, st.sampled_from([
    "ANSWER: A", "ANSWER:", "A. Có", "B) Không", "C. Ba", "a) thường", "Câu hỏi?", "{", "}", "=đúng", "~sai",
    "~%50%nửa", "#phản hồi", "####chung", "// ghi chú", "$CATEGORY: $course$/vneid", "::Câu 1::", "[html]", "{T}",
    "->", "\\{", "\\=", "\\\\", "", "   "]))


@SETTINGS
@given(st.lists(st.lists(pieces, max_size=4).map(" ".join), max_size=20).map("\n".join),
       st.sampled_from(["a.txt", "a.aiken", "a.gift"]))
def test_any_text_given_as_aiken_or_gift_gets_questions_or_problems(text: str, name: str) -> None:
    questions, problems = load(text, name, topics=None)
    if text.strip():
        _told(questions, problems)


json_values = st.recursive(st.none() | st.booleans() | st.integers() | words | special,
                           lambda inner: st.lists(inner, max_size=5) | st.dictionaries(
                               st.sampled_from(["id", "text", "options", "answer", "topic", "difficulty",
                                                "explanation", "source", "questions", "x"]), inner, max_size=8),
                           max_leaves=30)


@SETTINGS
@given(json_values)
def test_any_json_or_yaml_document_gets_questions_or_problems(doc: Any) -> None:
    text = json.dumps(doc, ensure_ascii=False)
    for name in ("a.json", "a.yaml"):  # JSON is also YAML
        _told(*load(text, name, topics=None))


@SETTINGS
@given(st.binary(max_size=600), st.sampled_from(["a.xlsx", "a.csv", "a.json", "a.yaml", "a.txt", "a.gift"]))
def test_random_bytes_under_any_name_get_problems_not_a_crash(data: bytes, name: str) -> None:
    questions, problems = load(data, name, topics=None)
    if data.strip():
        _told(questions, problems)
