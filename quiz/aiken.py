"""Aiken question files (Moodle's plain-text multiple choice) → raw questions.

    Thủ tục nào được thực hiện trên Cổng Dịch vụ công quốc gia?
    A. Cấp đổi giấy phép lái xe
    B) Đăng ký kết hôn
    ANSWER: A

A question is its text (wrapped lines are joined), options "A. …" or "A) …" in
order, and one "ANSWER: X" line. Questions are told apart by blank lines or by the
ANSWER line. Each raw question's index is its first line minus one, so problems
read "#12" for the question that starts on line 12.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from quiz.model import LETTERS
from quiz.problems import Problem

RawQuestion = tuple[str, int, dict[str, Any]]
"""(file, index, raw mapping) as quiz.questions.parse_questions takes them."""

_OPTION = re.compile(r"^([A-Za-z])\s*[.)]\s+(.*)$")
_ANSWER = re.compile(r"^ANSWER\s*:\s*(.*)$", re.IGNORECASE)


@dataclass(slots=True)
class _Block:
    line: int
    text: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def parse_aiken(text: str, *, file: str, default_topic: str | None) -> tuple[list[RawQuestion], list[Problem]]:
    """Raw questions and format problems from the text of an Aiken file."""
    raws: list[RawQuestion] = []
    problems: list[Problem] = []
    block: _Block | None = None

    def close(answer: str | None) -> None:
        nonlocal block
        if block is None:
            return
        if answer is None:
            block.problems.append(Problem(file, f"#{block.line}", "aiken_no_answer"))
        elif not answer:
            block.problems.append(Problem(file, f"#{block.line}", "missing_answer"))
        if block.problems:
            problems.extend(block.problems)
        else:
            raw: dict[str, Any] = {"text": " ".join(block.text), "options": block.options, "answer": answer}
            if default_topic is not None:
                raw["topic"] = default_topic
            raws.append((file, block.line - 1, raw))
        block = None

    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        answer, option = _ANSWER.match(line), _OPTION.match(line)
        if not line:
            if block is not None and block.options:
                close(None)
        elif answer:
            if block is None:
                problems.append(Problem(file, f"#{number}", "unexpected_line", {"text": line[:60]}))
            else:
                close(answer.group(1).strip().rstrip(".)").upper())
        elif option and (block is not None or option.group(1).upper() == "A"):
            if block is None:
                block = _Block(number)
            letter = option.group(1).upper()
            expected = LETTERS[len(block.options)] if len(block.options) < len(LETTERS) else letter
            if letter != expected:  # a seventh option is left to the option-count check
                block.problems.append(Problem(file, f"#{block.line}", "option_order",
                                              {"line": str(number), "letter": letter, "expected": expected}))
            block.options.append(option.group(2))
        else:
            if block is not None and block.options:
                close(None)
            if block is None:
                block = _Block(number)
            block.text.append(line)
    close(None)
    if not raws and not problems:
        problems.append(Problem(file, "", "empty_file"))
    return raws, problems
