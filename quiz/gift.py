"""GIFT question files, multiple-choice subset → raw questions.

    // comment
    $CATEGORY: $course$/vneid
    ::Câu 1:: Tài khoản định danh điện tử mức 2 được cấp ở đâu? {
      =Cơ quan Công an #Đúng theo Nghị định 69/2024/NĐ-CP
      ~Ủy ban nhân dân xã
      ~Bưu điện
      ####Giải thích chung
    }

One right answer "=", wrong ones "~"; "\\~ \\= \\# \\{ \\} \\: \\\\" are literal characters.
The general feedback "####…" becomes the explanation, else the right answer's "#…".
`$CATEGORY:` sets the topic of the questions after it (its last path segment).
Other GIFT question types (true/false, short answer, numerical, matching, essay,
missing word, weighted answers) are reported, never guessed. Each raw question's
index is its first line minus one, so problems read "#12" for line 12.
"""
from __future__ import annotations

import re
from typing import Any

from quiz.aiken import RawQuestion
from quiz.model import LETTERS
from quiz.problems import Problem

_ESCAPABLE = "~=#{}:\\"
_ESCAPE = re.compile(r"\\([~=#{}:\\])")
_PROTECTED = {chr(0xE000 + i): ch for i, ch in enumerate(_ESCAPABLE)}
_TITLE = re.compile(r"^\s*::(.*?)::", re.DOTALL)
_MARKUP = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_TRUE_FALSE = re.compile(r"^(T|F|TRUE|FALSE)\s*(#.*)?$", re.IGNORECASE | re.DOTALL)
_WEIGHT = re.compile(r"^%-?\d+(?:[.,]\d+)?%")


def _protect(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(0xE000 + _ESCAPABLE.index(m.group(1))), text)


def _plain(text: str) -> str:
    """Restore escaped characters and join wrapped lines."""
    return " ".join("".join(_PROTECTED.get(ch, ch) for ch in text).split())


def _blocks(text: str) -> list[tuple[int, str, str | None]]:
    """(first line, text, topic) of each question; blank lines outside braces separate them."""
    blocks: list[tuple[int, str, str | None]] = []
    lines: list[str] = []
    start, depth, topic = 0, 0, None

    def close() -> None:
        if lines:
            blocks.append((start, "\n".join(lines), topic))
            lines.clear()

    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        if not stripped and depth <= 0:
            close()
            depth = 0
            continue
        if not lines and stripped.upper().startswith("$CATEGORY:"):
            path = stripped.split(":", 1)[1].strip()
            topic = _plain(path.rsplit("/", 1)[-1]) or None
            continue
        if not lines:
            start = number
        lines.append(line)
        depth += line.count("{") - line.count("}")
    close()
    return blocks


def _answers(body: str) -> tuple[dict[str, Any], str | None]:
    """Options, answer letter and feedback from the inside of { }, or a problem code."""
    body, _, general = body.partition("####")
    body = body.strip()
    if not body:
        return {}, "gift_essay"
    if body.startswith("#"):
        return {}, "gift_numerical"
    if _TRUE_FALSE.match(body):
        return {}, "gift_true_false"
    if "->" in body:
        return {}, "gift_matching"
    parts = re.split(r"([=~])", body)
    if parts[0].strip():
        return {}, "gift_answer_marker"
    options: list[str] = []
    right: list[int] = []
    feedback = ""
    for mark, chunk in zip(parts[1::2], parts[2::2], strict=True):
        chunk = chunk.strip()
        if _WEIGHT.match(chunk):
            return {}, "gift_weighted"
        answer, _, note = chunk.partition("#")
        if mark == "=":
            right.append(len(options))
            feedback = feedback or note
        options.append(_plain(answer))
    if len(right) == len(options):
        return {}, "gift_short_answer"
    if len(right) != 1:
        return {"count": len(right)}, "gift_correct_count"
    letter = LETTERS[right[0]] if right[0] < len(LETTERS) else ""
    return {"options": options, "answer": letter, "explanation": _plain(general or feedback)}, None


def _question(block: str) -> tuple[dict[str, Any], str | None]:
    """A raw question from one GIFT block, or a problem code with its parameters."""
    block = _TITLE.sub("", block, count=1)
    markup = _MARKUP.match(block)
    if markup:
        if markup.group(1).lower() == "html":
            return {}, "gift_html"
        block = block[markup.end():]
    opening = block.find("{")
    if opening < 0:
        return {}, "gift_no_answers"
    closing = block.find("}", opening)
    if closing < 0:
        return {}, "gift_unclosed"
    if block[closing + 1:].strip():
        return {}, "gift_text_after_answers"
    fields, code = _answers(block[opening + 1:closing])
    if code:
        return fields, code
    return {"text": _plain(block[:opening]), **fields}, None


def parse_gift(text: str, *, file: str, default_topic: str | None) -> tuple[list[RawQuestion], list[Problem]]:
    """Raw questions and format problems from the text of a GIFT file."""
    raws: list[RawQuestion] = []
    problems: list[Problem] = []
    for line, block, category in _blocks(_protect(text)):
        raw, code = _question(block)
        if code:
            problems.append(Problem(file, f"#{line}", code, raw))
            continue
        topic = category or default_topic
        if topic is not None:
            raw["topic"] = topic
        raws.append((file, line - 1, raw))
    if not raws and not problems:
        problems.append(Problem(file, "", "empty_file"))
    return raws, problems
