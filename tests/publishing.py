"""Publishing questions as an admin's file would: through the import use case (one transaction)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from quiz.audit import Actor
from quiz.imports import ImportPlan
from quiz.model import Question
from quiz.questions import diff_sets
from quiz.services.imports import Imports, Published
from quiz.services.live import LiveContest

ADMIN = Actor("staff:quantri", "127.0.0.1")


async def publish_questions(imports: Imports, live: LiveContest, set_name: str, questions: Sequence[Question], *,
                            now: datetime, by: Actor = ADMIN) -> Published:
    """Publish `questions` as the set's next version, the admin confirming every round that uses it."""
    current = live.runtime.sets.get(set_name)
    plan = ImportPlan(set_name, tuple(questions), diff_sets(current.questions if current else (), questions),
                      current.version if current else None)
    return await imports.publish_plan(plan, by=by, now=now, source=f"{set_name}.xlsx",
                                      confirmed=[r.code for r in live.runtime.contest.rounds])
