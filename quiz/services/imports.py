"""Importing question sets: check a file into a dry run kept in storage, then publish it on the
admin's word. Publishing stores the new version with where it came from, bumps the contest's
revision, regrades the answers whose key it changes and writes the audit log, in one unit of work:
a corrected key never meets old scores. A set that a live round could no longer draw from is never
published, and publishing over a set live rounds use needs those rounds named in a confirmation.
Any earlier version can be brought back, itself as a new version whose regrade restores every score."""
from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from quiz.aiken import RawQuestion
from quiz.audit import Actor
from quiz.bank import BankReport, check_bank
from quiz.drafts import Draft, Stale, new_token
from quiz.imports import ImportPlan, LiveRounds, check_target, guard, live_rounds, make_plan
from quiz.model import Question, QuestionSet, Round
from quiz.ports import UnitOfWork, UowFactory
from quiz.problems import Invalid, Problem
from quiz.questions import Provenance, Publication, VersionInfo, diff_sets
from quiz.regrade import corrected_keys, judge_again
from quiz.services.live import LiveContest
from quiz.services.playing import Play
from quiz.services.standings import Standings

DRAFT_KIND = "import"
Reader = Callable[[], tuple[Sequence[RawQuestion], Sequence[Problem]]]
Change = tuple[int, int, bool, str]  # (attempt, position, now correct, question id)


@dataclass(frozen=True, slots=True)
class Pending:
    """A dry run waiting for "Xuất bản": whose it is, what it would change, until when."""

    token: str
    owner: str
    name: str  # the file, or what is being restored
    plan: ImportPlan
    expires_at: datetime
    live: tuple[Round, ...] = ()  # rounds drawing from the set now or later: publishing needs them confirmed
    regrades: Mapping[str, int] = field(default_factory=dict)  # question id → answers publishing would regrade
    source_hash: str = ""
    restores: int | None = None  # the version this dry run brings back


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
                    by: Actor, now: datetime, source_hash: str = "") -> Pending:
        """A dry run kept for `owner` for TTL; any worker can publish it. Invalid when the file has
        problems or would leave a live round unable to draw a paper."""
        plan = await self.plan(read, file=file, set_name=set_name, default_topic=default_topic)
        return await self._keep(plan, name=file, owner=owner, by=by, now=now, source_hash=source_hash)

    async def restore(self, set_name: str, version: int, *, owner: str, by: Actor, now: datetime) -> Pending:
        """A dry run of bringing back an earlier version: the same questions, ids and keys."""
        earlier = self._live.runtime.archive.get((set_name, version))
        current = self._live.runtime.sets.get(set_name)
        if earlier is None or current is None or version == current.version:
            raise Stale(f"{set_name} v{version}")
        plan = ImportPlan(set_name, earlier.questions, diff_sets(current.questions, earlier.questions),
                          current.version)
        return await self._keep(plan, name=f"{set_name} v{version}", owner=owner, by=by, now=now, restores=version)

    async def _keep(self, plan: ImportPlan, *, name: str, owner: str, by: Actor, now: datetime,
                    source_hash: str = "", restores: int | None = None) -> Pending:
        async with self._read() as uow:
            live = await self._guarded(uow, plan, now=now, file=name)
            changes = await self._changes(uow, plan)
        by_question = Counter(question for _a, _p, _c, question in changes)
        draft = Draft(new_token(), DRAFT_KIND, owner, {
            "name": name, "plan": plan.to_json(), "regrades": dict(by_question), "source_hash": source_hash,
            "restores": restores, "live": [r.code for r in live]}, now + self.TTL)
        async with self._uow() as uow:
            await uow.drafts.put(draft, now=now)
            await uow.audit.add(by.entry(now, "questions.check", plan.set_name, {
                "file": name, "source_hash": source_hash, "questions": len(plan.questions),
                **_counts(plan), "restores": restores}))
            await uow.commit()
        return Pending(draft.token, owner, name, plan, draft.expires_at, tuple(live), dict(by_question),
                       source_hash, restores)

    async def pending(self, token: str, *, owner: str, now: datetime) -> Pending | None:
        async with self._read() as uow:
            draft = await uow.drafts.get(token)
        if draft is None or draft.kind != DRAFT_KIND or not draft.usable_by(owner, now):
            return None
        shown = [self._live.runtime.contest.round(code) for code in draft.payload.get("live", [])]
        return _pending(draft, [r for r in shown if r is not None])

    async def cancel(self, token: str, *, owner: str, now: datetime) -> bool:
        if await self.pending(token, owner=owner, now=now) is None:
            return False
        async with self._uow() as uow:
            await uow.drafts.take(token)
            await uow.commit()
        return True

    async def publish(self, token: str, *, owner: str, by: Actor, now: datetime,
                      confirmed: Collection[str] = ()) -> Published:
        """Publish the owner's dry run as the set's next version. Stale if it cannot be trusted any more
        (expired, someone else's, already published, or the set changed since); Invalid if a live round
        could no longer draw a paper; LiveRounds if live rounds use the set and are not all `confirmed`."""
        async with self._uow() as uow:
            draft = await uow.drafts.take(token)
            if draft is None or draft.kind != DRAFT_KIND or not draft.usable_by(owner, now):
                raise Stale(token)
            pending = _pending(draft, ())
            done = await self._publish(uow, pending.plan, now=now, confirmed=confirmed, by=by, provenance=Provenance(
                by.name, pending.name, pending.source_hash, {}, pending.restores))
        return await self._served(done)

    async def publish_plan(self, plan: ImportPlan, *, by: Actor, now: datetime, source: str, source_hash: str = "",
                           confirmed: Collection[str] = ()) -> Published:
        """Publish a plan checked just now (the command line), with the same guard and confirmation."""
        async with self._uow() as uow:
            done = await self._publish(uow, plan, now=now, confirmed=confirmed, by=by,
                                       provenance=Provenance(by.name, source, source_hash, {}))
        return await self._served(done)

    def findings(self, questions: Sequence[Question], *, set_name: str) -> BankReport:
        """The bank checks (quiz.bank) on `questions` as set `set_name`, for the rounds drawing from it;
        CPU work of a fraction of a second: pages run it in a thread."""
        runtime = self._live.runtime
        rounds = [r for r in runtime.contest.rounds if r.question_set == set_name]
        return check_bank(questions, rounds=rounds, tz=runtime.tz)

    async def versions(self, set_name: str) -> list[VersionInfo]:
        """Every version of the set, newest first, with who published it from what."""
        async with self._read() as uow:
            return await uow.sets.history(set_name)

    async def _guarded(self, uow: UnitOfWork, plan: ImportPlan, *, now: datetime, file: str) -> list[Round]:
        """The live rounds using the set; Invalid if the plan would leave one unable to draw a paper."""
        live = live_rounds(((s.round, s.closed) for s in await uow.rounds.states()), plan.set_name, now)
        problems = guard(plan.questions, live, file=file, tz=self._live.runtime.tz, now=now)
        if problems:
            raise Invalid(problems)
        return live

    async def _publish(self, uow: UnitOfWork, plan: ImportPlan, *, now: datetime, confirmed: Collection[str],
                       by: Actor, provenance: Provenance) -> tuple[Published, set[int]]:
        if await uow.sets.latest_version(plan.set_name) != plan.current_version:
            raise Stale(plan.set_name)  # another publication came first: the diff shown is no longer true
        live = await self._guarded(uow, plan, now=now, file=provenance.source)
        unconfirmed = [r for r in live if r.code not in confirmed]
        if unconfirmed:
            raise LiveRounds(tuple(live))
        changes = await self._changes(uow, plan)
        attempts = {c[0] for c in changes}
        summary = {**_counts(plan), "answers_regraded": len(changes), "attempts_regraded": len(attempts)}
        pub = await uow.sets.publish(QuestionSet(plan.set_name, 0, plan.questions), now=now,
                                     provenance=Provenance(provenance.by, provenance.source, provenance.source_hash,
                                                           summary, provenance.restored_from))
        if pub.changed:
            await uow.attempts.rescore(changes=[(a, p, c) for a, p, c, _q in changes])
            await uow.revision.bump()
            action = "questions.restore" if provenance.restored_from else "questions.publish"
            await uow.audit.add(by.entry(now, action, plan.set_name, {
                "version": pub.version, "file": provenance.source, "source_hash": provenance.source_hash,
                "restored_from": provenance.restored_from, "live_rounds": [r.code for r in live], **summary}))
            if changes:
                await uow.audit.add(by.entry(now, "questions.regrade", plan.set_name, {
                    "version": pub.version, "answers": len(changes), "attempts": len(attempts)}))
        else:
            changes, attempts = [], set()
        await uow.commit()
        return Published(pub, len(plan.diff.rekeyed), len(changes), len(attempts)), attempts

    async def _changes(self, uow: UnitOfWork, plan: ImportPlan) -> list[Change]:
        """The stored answers a publication of `plan` would judge differently (quiz.regrade)."""
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
                changes.append((a.attempt_id, a.position, now_correct, a.item.question_id))
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
        await self._standings.changed()  # scores moved: every board is built again
        name = published.publication.name
        async with self._read() as uow:
            states = await uow.rounds.states()
        frozen = tuple(s.round.code for s in states if s.closed and s.round.ranked and s.round.question_set == name)
        return Published(published.publication, published.rekeyed, published.answers_regraded,
                         published.attempts_regraded, frozen)


def _counts(plan: ImportPlan) -> dict[str, int]:
    d = plan.diff
    return {"added": len(d.added), "removed": len(d.removed), "changed": len(d.changed), "rekeyed": len(d.rekeyed)}


def _pending(draft: Draft, live: Sequence[Round]) -> Pending:
    payload = draft.payload
    return Pending(draft.token, draft.owner, str(payload["name"]), ImportPlan.from_json(payload["plan"]),
                   draft.expires_at, tuple(live), dict(payload.get("regrades", {})),
                   str(payload.get("source_hash", "")), payload.get("restores"))
