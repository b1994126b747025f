"""Regrading: when a question's answer key is corrected, past answers are judged again."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from quiz.attempts import PaperItem
from quiz.matching import rekeyed, right_options
from quiz.model import Question, QuestionSet


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    attempt_id: int
    set_version: int
    position: int
    choice: int  # shown position
    item: PaperItem
    correct: bool


def corrected_keys(earlier: Iterable[QuestionSet], new: Sequence[Question]) -> dict[int, dict[str, frozenset[int]]]:
    """Which stored answers to judge again under `new`, and against what: per earlier version, each
    question whose key differs from `new`'s in some version (so answers a past regrade changed come
    back too) → the options of that version's question that are right under `new`."""
    right_now = {q.id: q for q in new}
    versions = list(earlier)
    moved = {q.id for qs in versions for q in qs.questions if q.id in right_now and rekeyed(q, right_now[q.id])}
    out: dict[int, dict[str, frozenset[int]]] = {}
    for qs in versions:
        keys = {q.id: right_options(q, right_now[q.id]) for q in qs.questions if q.id in moved}
        if keys:
            out[qs.version] = keys
    return out


def judge_again(answer: StoredAnswer, right: frozenset[int]) -> bool:
    """Whether the option the citizen chose (as their paper showed it) is right under the new key."""
    return answer.item.order[answer.choice] in right
