"""An import plan: a question file checked against the contest, and what publishing it would change."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from quiz.aiken import RawQuestion
from quiz.matching import identify
from quiz.model import Difficulty, Localized, Question, QuestionSet, Round
from quiz.pack import DEFAULT_TZ
from quiz.problems import Invalid, Problem, sort_problems
from quiz.questions import SLUG, SetDiff, diff_sets, read_questions
from quiz.validity import shortfall

MAX_FILE_BYTES = 5 * 1024 * 1024  # an official set of a few thousand questions is well below this


@dataclass(frozen=True, slots=True)
class ImportPlan:
    set_name: str
    questions: tuple[Question, ...]
    diff: SetDiff
    current_version: int | None  # the version the diff was made against; publishing re-checks it
    likeness: Mapping[str, float] = field(default_factory=dict)  # matched by content, not word for word
    topics: Mapping[str, str] = field(default_factory=dict)  # a topic as the file wrote it → its code

    def to_json(self) -> dict[str, Any]:
        d = self.diff
        return {"set_name": self.set_name, "current_version": self.current_version,
                "questions": [[q.id, q.topic, q.text, list(q.options), q.correct, q.explanation, q.source,
                               q.difficulty.value, _day(q.valid_from), _day(q.valid_until)] for q in self.questions],
                "diff": [list(d.added), list(d.removed), list(d.changed), list(d.rekeyed)],
                "likeness": dict(self.likeness), "topics": dict(self.topics)}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ImportPlan:
        questions = tuple(Question(qid, topic, text, tuple(options), int(correct), explanation, source,
                                   Difficulty(difficulty), *(date.fromisoformat(d) if d else None for d in window))
                          for qid, topic, text, options, correct, explanation, source, difficulty, *window
                          in raw["questions"])
        added, removed, changed, rekeyed = (tuple(ids) for ids in raw["diff"])
        return cls(str(raw["set_name"]), questions, SetDiff(added, removed, changed, rekeyed),
                   raw["current_version"], dict(raw.get("likeness", {})), dict(raw.get("topics", {})))


def _day(d: date | None) -> str | None:
    return d.isoformat() if d else None


def check_target(*, set_name: str, default_topic: str | None, topics: Mapping[str, Localized], file: str) -> None:
    """The set name and default topic an admin chose; Invalid before the file is even read."""
    if not SLUG.match(set_name):
        raise Invalid([Problem(file, "--set", "bad_id", {"value": set_name})])
    if default_topic is not None and default_topic not in topics:
        raise Invalid([Problem(file, "--topic", "unknown_topic", {"topic": default_topic})])


def make_plan(raws: Sequence[RawQuestion], problems: Sequence[Problem], *, set_name: str, file: str,
              topics: Mapping[str, Localized], current: QuestionSet | None, used_ids: Iterable[str] = ()) -> ImportPlan:
    """Validate the questions read from a file; Invalid with every problem, by row. Questions keep
    their identity (quiz.matching): the file's ids, else the stored question each one is by content."""
    parsed = read_questions(raws, topics=topics)
    found = sort_problems([*problems, *parsed.problems])
    if not found and not parsed.questions:
        found.append(Problem(file, "", "no_questions"))
    if found:
        raise Invalid(found)
    stored = current.questions if current else ()
    questions, likeness = identify(parsed.questions, parsed.explicit, stored, used_ids)
    return ImportPlan(set_name, tuple(questions), diff_sets(stored, questions), current.version if current else None,
                      likeness, parsed.topics)


class LiveRounds(Exception):
    """Live rounds draw from this set: publishing over it needs them named in a confirmation."""

    def __init__(self, rounds: tuple[Round, ...]) -> None:
        super().__init__(", ".join(r.code for r in rounds))
        self.rounds = rounds


def live_rounds(rounds: Iterable[tuple[Round, bool]], set_name: str, now: datetime) -> list[Round]:
    """The rounds (each with whether it is closed) that draw from the set now or will: not closed, and
    not past their closing time."""
    return [r for r, closed in rounds if r.question_set == set_name and not closed
            and (r.closes is None or r.closes > now)]


def guard(questions: Sequence[Question], rounds: Iterable[Round], *, file: str, tz: tzinfo | None = None,
          now: datetime | None = None) -> list[Problem]:
    """What publishing these questions would break: a live round that could no longer draw a paper, for
    want of questions, of a topic's or a difficulty's, or of questions right while it is open (from `now`)."""
    found: list[Problem] = []
    for r in rounds:
        title = r.title.get("vi") or r.code
        before = len(found)
        if len(questions) < r.questions_per_attempt:
            found.append(Problem(file, "", "live_set_too_small", {"round": title, "have": len(questions),
                                                                  "need": r.questions_per_attempt}))
        for topic, need in r.topic_quotas.items():
            have = sum(1 for q in questions if q.topic == topic)
            if have < need:
                found.append(Problem(file, "", "live_topic_too_small", {"round": title, "topic": topic,
                                                                        "have": have, "need": need}))
        if len(found) > before:
            continue
        short = shortfall(r, questions, tz=tz or DEFAULT_TZ, now=now)
        if short is not None and short.moment is None:
            found.append(Problem(file, "", "live_levels_unmet", {"round": title}))
        elif short is not None and short.moment is not None:
            found.append(Problem(file, "", "live_valid_too_few", {
                "round": title, "day": short.moment.astimezone(tz or DEFAULT_TZ).strftime("%d/%m/%Y %H:%M"),
                "have": short.have, "need": short.need}))
    return found
