"""Storing a contest pack and reading the running contest back."""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage import tables as t
from bot.storage.codec import (content_to_json, faq_from_json, round_from_json, round_to_json, rules_from_json,
                               tips_from_json, unit_from_row)
from bot.storage.repositories import ContestScope
from quiz.model import Contest, Difficulty, Prizes, Question, QuestionSet
from quiz.pack import ContestPack
from quiz.runtime import ContestRuntime
from quiz.units import UnitTree


def set_hash(questions: tuple[Question, ...]) -> str:
    """A fingerprint of a question set's content, to publish a version only when it changed."""
    data = [[q.id, q.topic, q.text, list(q.options), q.correct, q.explanation, q.source, q.difficulty.value]
            for q in questions]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Publication:
    name: str
    version: int
    changed: bool
    count: int


async def _contest_id(conn: AsyncConnection, slug: str) -> int | None:
    return (await conn.execute(select(t.contests.c.id).where(t.contests.c.slug == slug))).scalar()


async def publish_set(conn: AsyncConnection, *, contest_id: int, qs: QuestionSet, now: datetime) -> Publication:
    """Store the set as a new version unless the latest version has the same content."""
    digest = set_hash(qs.questions)
    latest = (await conn.execute(
        select(t.question_sets.c.version, t.question_sets.c.content_hash)
        .where(t.question_sets.c.contest_id == contest_id, t.question_sets.c.name == qs.name)
        .order_by(t.question_sets.c.version.desc()).limit(1))).first()
    if latest is not None and latest.content_hash == digest:
        return Publication(qs.name, latest.version, False, len(qs.questions))
    version = (latest.version + 1) if latest else 1
    set_id = (await conn.execute(insert(t.question_sets).values(
        contest_id=contest_id, name=qs.name, version=version, content_hash=digest, published_at=now)
        .returning(t.question_sets.c.id))).scalar_one()
    await conn.execute(insert(t.questions), [
        {"set_id": set_id, "qid": q.id, "position": i, "topic": q.topic, "difficulty": q.difficulty.value,
         "text": q.text, "options": list(q.options), "correct": q.correct, "explanation": q.explanation,
         "source": q.source} for i, q in enumerate(qs.questions)])
    return Publication(qs.name, version, True, len(qs.questions))


async def publish_question_set(engine: AsyncEngine, *, contest: str, qs: QuestionSet, now: datetime) -> Publication:
    """Publish one set for the contest `contest` in its own transaction."""
    async with engine.begin() as conn:
        cid = await _contest_id(conn, contest)
        if cid is None:
            raise LookupError(contest)
        return await publish_set(conn, contest_id=cid, qs=qs, now=now)


async def store_pack(engine: AsyncEngine, pack: ContestPack, *, now: datetime) -> list[Publication]:
    """Create or update the contest from a validated pack, all in one transaction."""
    c = pack.contest
    config = content_to_json(title=dict(c.title), organiser=dict(c.organiser), timezone=c.timezone,
                             topics={k: dict(v) for k, v in c.topics.items()}, prizes=c.prizes,
                             collective_prizes=c.collective_prizes, rules_version=pack.rules_version,
                             rules=pack.rules, tips=pack.tips, faq=pack.faq)
    async with engine.begin() as conn:
        cid = await _contest_id(conn, c.slug)
        if cid is None:
            cid = (await conn.execute(insert(t.contests).values(slug=c.slug, config=config, updated_at=now)
                                      .returning(t.contests.c.id))).scalar_one()
        else:
            await conn.execute(update(t.contests).where(t.contests.c.id == cid).values(config=config, updated_at=now))
        existing = {r.code: r.id for r in await conn.execute(select(t.rounds.c.code, t.rounds.c.id)
                                                               .where(t.rounds.c.contest_id == cid))}
        for pos, r in enumerate(c.rounds):
            values = {"position": pos, "config": round_to_json(r)}
            if r.code in existing:
                await conn.execute(update(t.rounds).where(t.rounds.c.id == existing[r.code]).values(**values))
            else:
                await conn.execute(insert(t.rounds).values(contest_id=cid, code=r.code, **values))
        await conn.execute(delete(t.units).where(t.units.c.contest_id == cid))
        await conn.execute(insert(t.units), [
            {"contest_id": cid, "code": u.code, "name": u.name, "parent_code": u.parent, "kind": u.kind,
             "population": u.population, "position": i} for i, u in enumerate(pack.units)])
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
        scope = ContestScope(row.id)
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
                                             q.source, Difficulty(q.difficulty)))
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
        collective_prizes=cfg["collective_prizes"])
    runtime = ContestRuntime(contest, latest, cfg["rules_version"], rules_from_json(cfg["rules"]),
                             tips_from_json(cfg["tips"]), faq_from_json(cfg["faq"]),
                             UnitTree(unit_from_row(u) for u in unit_rows), archive=archive)
    return runtime, scope


async def count_rows(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(t.metadata.tables[table]))).scalar_one())
