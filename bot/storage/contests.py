"""Storing a contest pack and reading the running contest back."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage import tables as t
from bot.storage.codec import (
    content_to_json,
    faq_from_json,
    round_from_json,
    round_to_json,
    rules_from_json,
    tips_from_json,
    unit_from_row,
)
from bot.storage.repositories import ContestScope, _Repo
from bot.storage.sets import publish_set
from quiz.identity import VerifiedRule
from quiz.model import Contest, Difficulty, Prizes, Question, QuestionSet
from quiz.pack import ContestPack
from quiz.questions import Publication
from quiz.runtime import ContestRuntime
from quiz.units import UnitTree


async def _contest_id(conn: AsyncConnection, slug: str) -> int | None:
    return (await conn.execute(select(t.contests.c.id).where(t.contests.c.slug == slug))).scalar()


def _config(pack: ContestPack) -> dict[str, Any]:
    c = pack.contest
    return content_to_json(title=dict(c.title), organiser=dict(c.organiser), timezone=c.timezone,
                           topics={k: dict(v) for k, v in c.topics.items()}, prizes=c.prizes,
                           collective_prizes=c.collective_prizes, verified_phones=c.verified_phones.value,
                           data_kept_days=c.data_kept_days, rules_version=pack.rules_version,
                           rules=pack.rules, tips=pack.tips, faq=pack.faq)


async def _store_units(conn: AsyncConnection, contest_id: int, pack: ContestPack) -> None:
    await conn.execute(delete(t.units).where(t.units.c.contest_id == contest_id))
    await conn.execute(insert(t.units), [
        {"contest_id": contest_id, "code": u.code, "name": u.name, "parent_code": u.parent, "kind": u.kind,
         "population": u.population, "position": i} for i, u in enumerate(pack.units)])


class SqlContestContent(_Repo):
    """A pack's settings, rules, tips, FAQ and units over the contest's (its rounds and sets go through
    their use cases)."""

    async def store(self, pack: ContestPack, *, now: datetime) -> None:
        await self.conn.execute(update(t.contests).where(t.contests.c.id == self.scope.contest_id).values(
            config=_config(pack), updated_at=now))
        await _store_units(self.conn, self.scope.contest_id, pack)


async def store_pack(engine: AsyncEngine, pack: ContestPack, *, now: datetime) -> list[Publication]:
    """Create the contest from a validated pack, all in one transaction (a contest that exists already is
    reloaded through quiz.services.reload, which checks rounds and sets as the dashboard does)."""
    c = pack.contest
    config = _config(pack)
    async with engine.begin() as conn:
        cid = await _contest_id(conn, c.slug)
        if cid is None:
            cid = (await conn.execute(insert(t.contests).values(slug=c.slug, config=config, updated_at=now)
                                      .returning(t.contests.c.id))).scalar_one()
        else:
            await conn.execute(update(t.contests).where(t.contests.c.id == cid).values(
                config=config, updated_at=now, revision=t.contests.c.revision + 1))  # running workers follow
        existing = {r.code: r.id for r in await conn.execute(select(t.rounds.c.code, t.rounds.c.id)
                                                               .where(t.rounds.c.contest_id == cid))}
        for pos, r in enumerate(c.rounds):
            values = {"position": pos, "config": round_to_json(r)}
            if r.code in existing:
                await conn.execute(update(t.rounds).where(t.rounds.c.id == existing[r.code]).values(**values))
            else:
                await conn.execute(insert(t.rounds).values(contest_id=cid, code=r.code, **values))
        await _store_units(conn, cid, pack)
        return [await publish_set(conn, contest_id=cid, qs=qs, now=now) for qs in pack.question_sets]


async def contest_slugs(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        return list((await conn.execute(select(t.contests.c.slug).order_by(t.contests.c.id))).scalars())


async def load_runtime(engine: AsyncEngine, slug: str) -> tuple[ContestRuntime, ContestScope]:
    """The running contest: settings, every published set version (latest in use), content."""
    async with engine.connect() as conn:
        row = (await conn.execute(select(t.contests).where(t.contests.c.slug == slug))).first()
        if row is None:
            raise LookupError(slug)
        cfg = row.config
        scope = ContestScope(row.id, cfg["timezone"])
        round_rows = (await conn.execute(select(t.rounds).where(t.rounds.c.contest_id == row.id)
                                         .order_by(t.rounds.c.position))).all()
        scope.round_ids = {r.code: r.id for r in round_rows}
        set_rows = (await conn.execute(select(t.question_sets).where(t.question_sets.c.contest_id == row.id)
                                       .order_by(t.question_sets.c.version))).all()
        by_set: dict[int, list[Question]] = defaultdict(list)
        q_rows = await conn.execute(select(t.questions).join(t.question_sets)
                                    .where(t.question_sets.c.contest_id == row.id).order_by(t.questions.c.position))
        for q in q_rows:
            by_set[q.set_id].append(Question(q.qid, q.topic, q.text, tuple(q.options), q.correct, q.explanation,
                                             q.source, Difficulty(q.difficulty), q.valid_from, q.valid_until))
        unit_rows = (await conn.execute(select(t.units).where(t.units.c.contest_id == row.id)
                                        .order_by(t.units.c.position))).all()
    archive: dict[tuple[str, int], QuestionSet] = {}
    latest: dict[str, QuestionSet] = {}
    for s in set_rows:
        scope.set_ids[(s.name, s.version)] = s.id
        qs = QuestionSet(s.name, s.version, tuple(by_set[s.id]))
        archive[(s.name, s.version)] = qs
        latest[s.name] = qs
    contest = Contest(
        slug=slug, title=cfg["title"], organiser=cfg["organiser"], timezone=cfg["timezone"], topics=cfg["topics"],
        rounds=tuple(round_from_json(r.code, r.config) for r in round_rows), prizes=Prizes(**cfg["prizes"]),
        collective_prizes=cfg["collective_prizes"],
        verified_phones=VerifiedRule(cfg.get("verified_phones", "optional")),  # contests stored before 0011
        data_kept_days=int(cfg.get("data_kept_days", 90)))
    runtime = ContestRuntime(contest, latest, cfg["rules_version"], rules_from_json(cfg["rules"]),
                             tips_from_json(cfg["tips"]), faq_from_json(cfg["faq"]),
                             UnitTree(unit_from_row(u) for u in unit_rows), archive=archive, revision=row.revision)
    return runtime, scope


class SqlRuntimeSource:
    """Loads the contest for quiz.services.LiveContest and adds new row ids to the scope the units of
    work share, before the new runtime is served, so requests running on the old one keep working."""

    def __init__(self, engine: AsyncEngine, slug: str, scope: ContestScope) -> None:
        self._engine, self._slug, self._scope = engine, slug, scope

    async def load(self) -> ContestRuntime:
        runtime, fresh = await load_runtime(self._engine, self._slug)
        self._scope.round_ids.update(fresh.round_ids)
        self._scope.set_ids.update(fresh.set_ids)
        return runtime


async def count_rows(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(t.metadata.tables[table]))).scalar_one())
