"""One import pipeline for the CLI, the upload page and the bot: read, validate, diff, publish."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.storage.contests import Publication, publish_question_set
from bot.storage.engine import AsyncEngine
from quiz.model import Question, QuestionSet
from quiz.problems import Invalid, Problem
from quiz.questions import SLUG, SetDiff, diff_sets, parse_questions
from quiz.runtime import ContestRuntime


def read_raws(path: Path, *, default_topic: str | None) -> tuple[list[tuple[str, int, Any]], list[Problem]]:
    """Raw questions from any supported file format, with format-level problems."""
    try:
        from bot.importers import read_question_file
    except ImportError:  # pack YAML/JSON only, until the format readers are installed
        from bot.content import read_question_file as read_data
        try:
            doc = read_data(path)
        except (ValueError, FileNotFoundError) as exc:
            return [], [Problem(path.name, "", "unreadable_file", {"detail": str(exc)[:200]})]
        items = doc.get("questions") if isinstance(doc, dict) else doc
        if not isinstance(items, list):
            return [], [Problem(path.name, "", "no_questions")]
        return [(path.name, i, q) for i, q in enumerate(items)], []
    return read_question_file(path, default_topic=default_topic)


@dataclass(frozen=True, slots=True)
class ImportPlan:
    set_name: str
    questions: tuple[Question, ...]
    diff: SetDiff
    current_version: int | None


def plan_import(path: Path, *, set_name: str, runtime: ContestRuntime, default_topic: str | None = None) -> ImportPlan:
    """Validate the file against the contest; raise Invalid with every problem, row by row."""
    if not SLUG.match(set_name):
        raise Invalid([Problem(path.name, "--set", "bad_id", {"value": set_name})])
    raws, problems = read_raws(path, default_topic=default_topic)
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
