"""Whether papers are alike in difficulty: how many hard (and easy) questions a round's papers hold,
from many draws by the round's own rules; and the quotas that would make every paper the same."""
from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence

from quiz.attempts import DrawError, draw_paper
from quiz.bank.findings import Finding
from quiz.model import Difficulty, Question, Round

DRAWS = 200  # papers drawn to see the spread; fixed seed, so a report never changes by chance
SPREAD = 3  # hard questions per paper varying by this much or more (between the 5% and 95% of papers)


def suggested_levels(questions: Sequence[Question], count: int) -> dict[str, int]:
    """Per-paper difficulty quotas in the bank's own proportions, adding up to `count`."""
    have = {d.value: sum(1 for q in questions if q.difficulty is d) for d in Difficulty}
    total = sum(have.values()) or 1
    share = {d: count * n / total for d, n in have.items()}
    out = {d: int(s) for d, s in share.items()}
    for d in sorted(share, key=lambda d: out[d] - share[d])[: count - sum(out.values())]:
        out[d] += 1
    return {d: n for d, n in out.items() if n}


def _spread(questions: Sequence[Question], r: Round, level: Difficulty) -> tuple[int, int]:
    rng = random.Random(12)
    by_id = {q.id: q for q in questions}
    counts = sorted(sum(1 for item in draw_paper(questions, count=r.questions_per_attempt, quotas=r.topic_quotas,
                                                 levels=r.difficulty_quotas, rng=rng)
                        if by_id[item.question_id].difficulty is level) for _ in range(DRAWS))
    return counts[len(counts) // 20], counts[-1 - len(counts) // 20]


def difficulty_findings(questions: Sequence[Question], rounds: Iterable[Round]) -> list[Finding]:
    """A round whose papers differ by SPREAD or more hard questions, with quotas that would even them."""
    out = []
    for r in rounds:
        if sum(r.difficulty_quotas.values()) >= r.questions_per_attempt:
            continue  # every paper has exactly the quotas
        try:
            low, high = _spread(questions, r, Difficulty.HARD)
        except DrawError:
            continue  # the round cannot draw at all: a fit problem, reported where rounds are checked
        if high - low >= SPREAD:
            levels: Mapping[str, int] = suggested_levels(questions, r.questions_per_attempt)
            out.append(Finding("uneven_difficulty", (), {
                "round": r.title.get("vi") or r.code, "low": low, "high": high,
                "suggested": ", ".join(f"{d}={n}" for d, n in levels.items())}))
    return out
