"""Regrading: when a question's answer key is corrected, past answers are judged again."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from quiz.attempts import PaperItem
from quiz.model import Question, QuestionSet


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    attempt_id: int
    set_version: int
    position: int
    choice: int  # shown position
    item: PaperItem
    correct: bool


@dataclass(frozen=True, slots=True)
class Regrade:
    """The corrected keys by earlier version: question id → the correct option's text now."""

    set_name: str
    keys: Mapping[int, Mapping[str, str]]

    @property
    def question_ids(self) -> set[str]:
        return {qid for per_version in self.keys.values() for qid in per_version}


def corrected_keys(earlier: Iterable[QuestionSet], new: Sequence[Question]) -> dict[int, dict[str, str]]:
    """Per earlier version, the questions whose correct option (by text) differs from `new`."""
    right_now = {q.id: q.options[q.correct] for q in new}
    out: dict[int, dict[str, str]] = {}
    for qs in earlier:
        changed = {q.id: right_now[q.id] for q in qs.questions
                   if q.id in right_now and q.options[q.correct] != right_now[q.id]}
        if changed:
            out[qs.version] = changed
    return out


def judge_again(answer: StoredAnswer, old: Question, right_text: str) -> bool:
    """Whether the option the citizen chose is, by its text, the corrected right answer."""
    return old.options[answer.item.order[answer.choice]] == right_text
