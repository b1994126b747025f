"""Whether the right answer shows by its length: the score of always picking the longest option."""
from __future__ import annotations

from collections.abc import Sequence

from quiz.bank.findings import Finding
from quiz.model import Question

LONGEST_LIMIT = 0.32  # above this the longest-option strategy beats chance (25% with four options) visibly


def _longest_pick(q: Question) -> float:
    """The chance of the longest option being right (ties split evenly)."""
    top = max(len(o) for o in q.options)
    tied = [i for i, o in enumerate(q.options) if len(o) == top]
    return 1 / len(tied) if q.correct in tied else 0.0


def longest_option_score(questions: Sequence[Question]) -> tuple[float, float]:
    """The expected share of right answers when always picking the longest option, and by chance."""
    if not questions:
        return 0.0, 0.0
    return (sum(_longest_pick(q) for q in questions) / len(questions),
            sum(1 / len(q.options) for q in questions) / len(questions))


def length_findings(questions: Sequence[Question]) -> list[Finding]:
    """When the strategy beats LONGEST_LIMIT: the bank's figure, and each question whose key is the
    single longest option, by how much, longest gap first."""
    score, chance = longest_option_score(questions)
    if score <= LONGEST_LIMIT:
        return []
    carrying = [q for q in questions if _longest_pick(q) == 1.0]
    out = [Finding("length_bias", (), {"score": round(100 * score), "chance": round(100 * chance),
                                       "limit": round(100 * LONGEST_LIMIT), "count": len(carrying)})]
    gaps = []
    for q in carrying:
        key = len(q.options[q.correct])
        other = max(len(o) for i, o in enumerate(q.options) if i != q.correct)
        gaps.append((other - key, q.id, key, other))
    out += [Finding("longest_key", (qid,), {"key": key, "other": other}) for _g, qid, key, other in sorted(gaps)]
    return out
