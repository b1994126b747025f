"""Group commit for answers: one transaction for every answer waiting, each caller
released only once that transaction is committed."""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage import tables as t
from quiz.attempts import AttemptStatus, takes_answers

log = logging.getLogger(__name__)
MAX_BATCH = 1000
_A = t.attempts.c


@dataclass(slots=True)
class _Pending:
    attempt_id: int
    position: int
    question_id: str
    choice: int
    correct: bool
    at: datetime
    done: asyncio.Future[bool] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class GroupCommitAnswers:
    """An AnswerLog: `record` returns True when this answer is stored, False when the
    position was answered already or the attempt is no longer open."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        """Answers queued for the next batch (the queue depth /metrics shows)."""
        return self._queue.qsize()

    async def record(self, *, attempt_id: int, position: int, question_id: str, choice: int, correct: bool,
                     now: datetime) -> bool:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_forever(), name="answer-group-commit")
        item = _Pending(attempt_id, position, question_id, choice, correct, now)
        await self._queue.put(item)
        return await item.done

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            try:
                await self._writer
            except asyncio.CancelledError:
                pass

    async def _write_forever(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                async with self._engine.connect() as conn:
                    stored = await self._write(conn, batch)
                    await conn.commit()
            except Exception as exc:  # nothing in this batch is durable: every caller hears so
                log.exception("answer batch of %d failed", len(batch))
                for item in batch:
                    if not item.done.done():
                        item.done.set_exception(exc)
                continue
            for item, ok in zip(batch, stored, strict=True):
                if not item.done.done():
                    item.done.set_result(ok)

    async def _write(self, conn: AsyncConnection, batch: list[_Pending]) -> list[bool]:
        """Decide every answer of the batch against the locked attempt rows, then write in bulk.

        Set-based on purpose: five statements per batch whatever its size. The attempt rows
        are locked (FOR UPDATE on PostgreSQL, the write lock on SQLite), so finishing an
        attempt and answering it cannot interleave, in this process or another."""
        await conn.begin()
        ids = sorted({item.attempt_id for item in batch})
        query = select(_A.id, _A.status, _A.deadline).where(_A.id.in_(ids))
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        rows_now = {r.id: (AttemptStatus(r.status), r.deadline) for r in await conn.execute(query)}
        taken = {(r.attempt_id, r.position) for r in await conn.execute(
            select(t.answers.c.attempt_id, t.answers.c.position).where(t.answers.c.attempt_id.in_(ids)))}
        stored: list[bool] = []
        rows: list[dict[str, object]] = []
        gained: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for item in batch:
            key = (item.attempt_id, item.position)
            held = rows_now.get(item.attempt_id)
            ok = held is not None and takes_answers(*held, item.at) and key not in taken
            stored.append(ok)
            if ok:
                taken.add(key)
                rows.append({"attempt_id": item.attempt_id, "position": item.position,
                             "question_id": item.question_id, "choice": item.choice,
                             "correct": item.correct, "answered_at": item.at})
                gained[item.attempt_id][0] += 1
                gained[item.attempt_id][1] += int(item.correct)
        if rows:
            await conn.execute(insert(t.answers), rows)
            await conn.execute(
                update(t.attempts).where(_A.id == bindparam("aid"))
                .values(answered=_A.answered + bindparam("n"), correct=_A.correct + bindparam("k")),
                [{"aid": a, "n": n, "k": k} for a, (n, k) in gained.items()])
        return stored
