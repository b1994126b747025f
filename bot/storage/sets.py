"""Question set versions in SQL: a new version only when the content changed. Never commits."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage import tables as t
from bot.storage.repositories import _Repo
from quiz.model import Question, QuestionSet
from quiz.questions import Provenance, Publication, VersionInfo

_S = t.question_sets.c


def set_hash(questions: tuple[Question, ...]) -> str:
    """A fingerprint of a question set's content, to publish a version only when it changed."""
    data = [[q.id, q.topic, q.text, list(q.options), q.correct, q.explanation, q.source, q.difficulty.value,
             *([str(q.valid_from), str(q.valid_until)] if q.valid_from or q.valid_until else [])]  # older hashes hold
            for q in questions]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


async def publish_set(conn: AsyncConnection, *, contest_id: int, qs: QuestionSet, now: datetime,
                      provenance: Provenance | None = None) -> Publication:
    """Store the set as a new version unless the latest version has the same content."""
    digest = set_hash(qs.questions)
    latest = (await conn.execute(
        select(_S.version, _S.content_hash).where(_S.contest_id == contest_id, _S.name == qs.name)
        .order_by(_S.version.desc()).limit(1))).first()
    if latest is not None and latest.content_hash == digest:
        return Publication(qs.name, latest.version, False, len(qs.questions))
    version = (latest.version + 1) if latest else 1
    origin = {} if provenance is None else {
        "published_by": provenance.by[:64], "source_name": provenance.source[:200],
        "source_hash": provenance.source_hash[:64], "summary": dict(provenance.summary),
        "restored_from": provenance.restored_from}
    set_id = (await conn.execute(insert(t.question_sets).values(
        contest_id=contest_id, name=qs.name, version=version, content_hash=digest, published_at=now, **origin)
        .returning(_S.id))).scalar_one()
    rows = [
        {"set_id": set_id, "qid": q.id, "position": i, "topic": q.topic, "difficulty": q.difficulty.value,
         "text": q.text, "options": list(q.options), "correct": q.correct, "explanation": q.explanation,
         "source": q.source, "valid_from": q.valid_from, "valid_until": q.valid_until}
        for i, q in enumerate(qs.questions)]
    if rows:  # a version without questions (the fakes allow one) is a version still
        await conn.execute(insert(t.questions), rows)
    return Publication(qs.name, version, True, len(qs.questions))


class SqlQuestionSets(_Repo):
    async def latest_version(self, name: str) -> int | None:
        return (await self.conn.execute(select(_S.version).where(
            _S.contest_id == self.scope.contest_id, _S.name == name).order_by(_S.version.desc()).limit(1))).scalar()

    async def publish(self, qs: QuestionSet, *, now: datetime, provenance: Provenance | None = None) -> Publication:
        return await publish_set(self.conn, contest_id=self.scope.contest_id, qs=qs, now=now, provenance=provenance)

    async def history(self, name: str) -> list[VersionInfo]:
        counts = (select(t.questions.c.set_id, func.count().label("n")).group_by(t.questions.c.set_id).subquery())
        rows = await self.conn.execute(
            select(t.question_sets, func.coalesce(counts.c.n, 0).label("n"))  # a version without questions too
            .outerjoin(counts, counts.c.set_id == _S.id)
            .where(_S.contest_id == self.scope.contest_id, _S.name == name).order_by(_S.version.desc()))
        return [VersionInfo(r.name, r.version, r.published_at, int(r.n), None if r.published_by is None else Provenance(
            r.published_by, r.source_name or "", r.source_hash or "", dict(r.summary or {}), r.restored_from))
            for r in rows]
