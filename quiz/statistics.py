"""Figures organisers read: participation by day, answers per question, the people behind a row."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    registered: int  # new participants that day
    participants: int  # distinct participants who started a ranked attempt that day
    attempts: int  # ranked attempts started that day


@dataclass(frozen=True, slots=True)
class QuestionCount:
    question_id: str
    answers: int
    correct: int

    @property
    def share(self) -> float:
        return self.correct / self.answers if self.answers else 0.0


@dataclass(frozen=True, slots=True)
class Person:
    """A participant as staff see them on a row: name, phone (shown or masked by role), unit."""

    id: int
    full_name: str
    phone: str | None
    unit_code: str | None
    phone_verified: bool = False  # proven by the platform or a code (quiz.identity), not just typed


def filled(days: list[DayCount]) -> list[DayCount]:
    """Every day from the first to the last, quiet days included with zeros."""
    if not days:
        return []
    known = {d.day: d for d in days}
    first, last = days[0].day, days[-1].day
    return [known.get(first + timedelta(n), DayCount(first + timedelta(n), 0, 0, 0))
            for n in range((last - first).days + 1)]
