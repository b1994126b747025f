"""Importing question sets: check a file into a dry run kept in storage, then publish it on the
admin's word. Publishing stores the new version, bumps the contest's revision and regrades the
answers whose key it corrects in one unit of work: a corrected key never meets old scores."""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from quiz.aiken import RawQuestion
from quiz.drafts import Draft, Stale, new_token
from quiz.imports import ImportPlan, check_target, make_plan
from quiz.model import QuestionSet
from quiz.ports import UnitOfWork, UowFactory
from quiz.problems import Problem
from quiz.questions import Publication
from quiz.regrade import corrected_keys, judge_again
from quiz.services.live import LiveContest
from quiz.services.playing import Play
from quiz.services.standings import Standings

DRAFT_KIND = "import"
Reader = Callable[[], tuple[Sequence[RawQuestion], Sequence[Problem]]]


@dataclass(frozen=True, slots=True)
class Pending:
    """A dry run waiting for "Xuất bản": whose it is, what it would change, until when."""

    token: str
    owner: str
    name: str
    plan: ImportPlan
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Published:
    publication: Publication
    rekeyed: int  # questions whose correct answer changed
    answers_regraded: int
    attempts_regraded: int
    frozen_rounds: tuple[str, ...] = ()  # closed rounds whose published winners the regrade left as they were


class Imports:
    TTL = timedelta(minutes=30)

    def __init__(self, *, live: LiveContest, uow: UowFactory, read: UowFactory, standings: Standings,
                 play: Play) -> None:
        self._live, self._uow, self._read = live, uow, read
        self._standings, self._play = standings, play

    def targets(self) -> tuple[list[str], list[str]]:
        """The question sets published so far, and the contest's topic codes."""
        runtime = self._live.runtime
        return sorted(runtime.sets), list(runtime.contest.topics)

    async def plan(self, read: Reader, *, file: str, set_name: str, default_topic: str | None) -> ImportPlan:
        """Validate a file (read in a thread) against the contest; Invalid with every problem."""
        runtime = self._live.runtime
        check_target(set_name=set_name, default_topic=default_topic, topics=runtime.contest.topics, file=file)
        raws, problems = await asyncio.to_thread(read)
        used = {q.id for (name, _v), qs in runtime.archive.items() if name == set_name for q in qs.questions}
        return make_plan(raws, problems, set_name=set_name, file=file, topics=runtime.contest.topics,
                         current=runtime.sets.get(set_name), used_ids=used)

    async def check(self, read: Reader, *, file: str, set_name: str, default_topic: str | None, owner: str,
                    now: datetime) -> Pending:
        """A dry run kept for `owner` for TTL; any worker can publish it."""
        plan = await self.plan(read, file=file, set_name=set_name, default_topic=default_topic)
        draft = Draft(new_token(), DRAFT_KIND, owner, {"name": file, "plan": plan.to_json()}, now + self.TTL)
        async with self._uow() as uow:
            await uow.drafts.put(draft, now=now)
            await uow.commit()
        return Pending(draft.token, owner, file, plan, draft.expires_at)

    async def pending(self, token: str, *, owner: str, now: datetime) -> Pending | None:
        async with self._read() as uow:
            draft = await uow.drafts.get(token)
        if draft is None or draft.kind != DRAFT_KIND or not draft.usable_by(owner, now):
            return None
        return Pending(draft.token, owner, str(draft.payload["name"]), ImportPlan.from_json(draft.payload["plan"]),
                       draft.expires_at)

    async def cancel(self, token: str, *, owner: str, now: datetime) -> bool:
        if await self.pending(token, owner=owner, now=now) is None:
            return False
        async with self._uow() as uow:
            await uow.drafts.take(token)
            await uow.commit()
        return True

    async def publish(self, token: str, *, owner: str, now: datetime) -> Published:
        """Publish the owner's dry run as the set's next version; Stale if it cannot be trusted any more
        (expired, someone else's, already published, or the set changed since)."""
        async with self._uow() as uow:
            draft = await uow.drafts.take(token)
            if draft is None or draft.kind != DRAFT_KIND or not draft.usable_by(owner, now):
                raise Stale(token)
            done = await self._publish(uow, ImportPlan.from_json(draft.payload["plan"]), now=now)
        return await self._served(done)

    async def publish_plan(self, plan: ImportPlan, *, now: datetime) -> Published:
        """Publish a plan checked just now (the command line); Stale if the set changed meanwhile."""
        async with self._uow() as uow:
            done = await self._publish(uow, plan, now=now)
        return await self._served(done)

    async def _publish(self, uow: UnitOfWork, plan: ImportPlan, *, now: datetime) -> tuple[Published, set[int]]:
        if await uow.sets.latest_version(plan.set_name) != plan.current_version:
            raise Stale(plan.set_name)  # another publication came first: the diff shown is no longer true
        pub = await uow.sets.publish(QuestionSet(plan.set_name, 0, plan.questions), now=now)
        changes: list[tuple[int, int, bool]] = []
        if pub.changed:
            changes = await self._regrade(uow, plan)
            await uow.revision.bump()
        await uow.commit()
        attempts = {c[0] for c in changes}
        return Published(pub, len(plan.diff.rekeyed), len(changes), len(attempts)), attempts

    async def _regrade(self, uow: UnitOfWork, plan: ImportPlan) -> list[tuple[int, int, bool]]:
        """Judge past answers to the rekeyed questions again; store the changed ones."""
        earlier = [qs for (name, _v), qs in self._live.runtime.archive.items() if name == plan.set_name]
        keys = corrected_keys(earlier, plan.questions)
        if not keys:
            return []
        ids = sorted({qid for per in keys.values() for qid in per})
        changes = []
        for a in await uow.attempts.answers_to(set_name=plan.set_name, versions=sorted(keys), question_ids=ids):
            right = keys[a.set_version].get(a.item.question_id)
            if right is None:
                continue
            now_correct = judge_again(a, right)
            if now_correct != a.correct:
                changes.append((a.attempt_id, a.position, now_correct))
        await uow.attempts.rescore(changes=changes)
        return changes

    async def _served(self, done: tuple[Published, set[int]]) -> Published:
        """Serve the new version here at once (other workers follow the revision); say which closed
        rounds kept their published winners despite a regrade."""
        published, attempts = done
        if not published.publication.changed:
            return published
        await self._live.reload()
        self._play.forget(attempts)
        if not published.answers_regraded:
            return published
        name = published.publication.name
        async with self._read() as uow:
            states = await uow.rounds.states()
        frozen = tuple(s.round.code for s in states if s.closed and s.round.ranked and s.round.question_set == name)
        return Published(published.publication, published.rekeyed, published.answers_regraded,
                         published.attempts_regraded, frozen)
