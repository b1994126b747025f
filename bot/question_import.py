"""One import pipeline for the CLI, the upload page and the bot: read, validate, diff, publish."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.importers import read_question_file
from bot.storage.contests import Publication, publish_question_set
from bot.storage.engine import AsyncEngine
from quiz.model import Question, QuestionSet
from quiz.problems import Invalid, Problem
from quiz.questions import SLUG, SetDiff, diff_sets, parse_questions
from quiz.runtime import ContestRuntime


@dataclass(frozen=True, slots=True)
class ImportPlan:
    set_name: str
    questions: tuple[Question, ...]
    diff: SetDiff
    current_version: int | None


def plan_import(path: Path, *, set_name: str, runtime: ContestRuntime, default_topic: str | None = None,
                name: str | None = None) -> ImportPlan:
    """Validate the file (any supported format) against the contest; raise Invalid with
    every problem, row by row. `name` is the file name organisers know (for uploads)."""
    if not SLUG.match(set_name):
        raise Invalid([Problem(name or path.name, "--set", "bad_id", {"value": set_name})])
    if default_topic is not None and default_topic not in runtime.contest.topics:
        raise Invalid([Problem(name or path.name, "--topic", "unknown_topic", {"topic": default_topic})])
    raws, problems = read_question_file(path, default_topic=default_topic, name=name)
    questions, found = parse_questions(raws, topics=runtime.contest.topics)
    problems += found
    if not problems and not questions:
        problems.append(Problem(path.name, "", "no_questions"))
    if problems:
        raise Invalid(problems)
    current = runtime.sets.get(set_name)
    diff = diff_sets(current.questions if current else (), questions)
    return ImportPlan(set_name, tuple(questions), diff, current.version if current else None)


async def publish(engine: AsyncEngine, plan: ImportPlan, *, contest: str, now: datetime) -> Publication:
    """Store the plan as the set's next version, all or nothing."""
    return await publish_question_set(engine, contest=contest, qs=QuestionSet(plan.set_name, 0, plan.questions), now=now)
