"""Quality checks of a question bank, run before a province signs it: whether the answer shows by its
length, one question gives another away, two ask the same, papers differ in difficulty, or a question
cites a document newer than the round it serves. Each finding names the question and why; none of them
stops a publication (an admin reads them and decides)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo

from quiz.bank.balance import difficulty_findings
from quiz.bank.documents import document_findings
from quiz.bank.findings import Finding
from quiz.bank.lengths import LONGEST_LIMIT, length_findings, longest_option_score
from quiz.bank.overlap import Overlap
from quiz.model import Difficulty, Question, Round

__all__ = ["LONGEST_LIMIT", "BankReport", "Finding", "check_bank"]


@dataclass(frozen=True, slots=True)
class BankReport:
    """The figures of a bank and what its checks found, most serious kinds first."""

    questions: int
    longest: float  # expected share right when always picking the longest option
    chance: float  # expected share right when picking at random
    levels: Mapping[str, int] = field(default_factory=dict)  # questions per difficulty
    findings: tuple[Finding, ...] = ()

    def count(self, code: str) -> int:
        return sum(1 for f in self.findings if f.code == code)


def check_bank(questions: Sequence[Question], *, rounds: Iterable[Round] = (), tz: tzinfo) -> BankReport:
    """Every check over `questions`; `rounds` are those drawing from them (for difficulty and dates)."""
    served = list(rounds)
    longest, chance = longest_option_score(questions)
    overlap = Overlap(questions)
    findings = [*length_findings(questions), *overlap.giveaways(), *overlap.near_duplicates(),
                *difficulty_findings(questions, served), *document_findings(questions, served, tz=tz)]
    levels = {d.value: sum(1 for q in questions if q.difficulty is d) for d in Difficulty}
    return BankReport(len(questions), longest, chance, levels, tuple(findings))
