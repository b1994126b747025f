"""Value objects of a contest: questions, rounds, units, rules, tips, FAQ."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from quiz.identity import VerifiedRule

Localized = Mapping[str, str]
"""Text per locale code, e.g. {"vi": "…", "en": "…"}."""

DEFAULT_LOCALE = "vi"
LOCALES = ("vi", "en")
LETTERS = "ABCDEF"


def pick(text: Localized, locale: str) -> str:
    """The text for `locale`, falling back to Vietnamese."""
    return text.get(locale) or text.get(DEFAULT_LOCALE) or next(iter(text.values()), "")


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    topic: str
    text: str
    options: tuple[str, ...]
    correct: int
    explanation: str = ""
    source: str = ""
    difficulty: Difficulty = Difficulty.MEDIUM
    valid_from: date | None = None  # first day (contest time) the question is right; None = always was
    valid_until: date | None = None  # last day it is right; None = still is


@dataclass(frozen=True, slots=True)
class QuestionSet:
    name: str
    version: int
    questions: tuple[Question, ...]

    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}


@dataclass(frozen=True, slots=True)
class Round:
    code: str
    title: Localized
    question_set: str
    questions_per_attempt: int
    time_limit: timedelta
    opens: datetime | None = None
    closes: datetime | None = None
    attempts_per_round: int | None = None
    attempts_per_day: int | None = None
    practice: bool = False
    prediction: bool = False
    topic_quotas: Mapping[str, int] = field(default_factory=dict)
    difficulty_quotas: Mapping[str, int] = field(default_factory=dict)  # easy/medium/hard → questions per paper

    def is_open(self, now: datetime) -> bool:
        """True while `now` lies between the opening and closing times."""
        return (self.opens is None or now >= self.opens) and (self.closes is None or now < self.closes)

    @property
    def ranked(self) -> bool:
        return not self.practice


@dataclass(frozen=True, slots=True)
class Prizes:
    nhat: int = 1
    nhi: int = 2
    ba: int = 3
    khuyen_khich: int = 10

    def ladder(self) -> list[tuple[str, int]]:
        """Prize names in award order with how many of each."""
        return [("nhat", self.nhat), ("nhi", self.nhi), ("ba", self.ba), ("khuyen_khich", self.khuyen_khich)]


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name: str
    parent: str | None
    kind: str = ""
    population: int | None = None


@dataclass(frozen=True, slots=True)
class RulesSection:
    id: str
    title: Localized
    body: Localized


@dataclass(frozen=True, slots=True)
class Tip:
    id: str
    topic: str
    text: Localized


@dataclass(frozen=True, slots=True)
class FaqEntry:
    id: str
    question: Localized
    answer: Localized
    paraphrases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Contest:
    slug: str
    title: Localized
    organiser: Localized
    timezone: str
    topics: Mapping[str, Localized]
    rounds: tuple[Round, ...]
    prizes: Prizes = Prizes()
    collective_prizes: int = 3
    verified_phones: VerifiedRule = VerifiedRule.OPTIONAL  # whether a typed number may rank, or win
    data_kept_days: int = 90  # after the last round closes, personal data left (erased numbers' keys) is deleted

    def round(self, code: str) -> Round | None:
        return next((r for r in self.rounds if r.code == code), None)

    def open_rounds(self, now: datetime) -> list[Round]:
        return [r for r in self.rounds if r.is_open(now)]
