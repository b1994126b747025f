"""Group commit for answers: one transaction for every answer waiting, each caller
released only once that transaction is committed, with what the caller needs next (every answer the
attempt now holds, and whether the account it trusted is still as it saw it): one round trip's worth of
work per answer, shared by the batch."""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, any_, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage import tables as t
from quiz.attempts import AttemptStatus, Written, takes_answers
from quiz.people import Account

log = logging.getLogger(__name__)
MAX_BATCH = 1000
_A, _ANS = t.attempts.c, t.answers.c


def _among(column: ColumnElement[int], postgresql: bool) -> ColumnElement[bool]:
    if postgresql:
        return column == any_(bindparam("ids", type_=ARRAY(BigInteger)))
    return column.in_(bindparam("ids", expanding=True))


class _Reads:
    """The batch's reads, each built once for one dialect. SQLite: bound lists expand at execution.
    PostgreSQL: one array parameter (`= ANY(:ids)`), so the text is the same whatever the batch's size:
    one prepared statement per connection instead of one per size, and nothing rewritten per batch; the
    answers the attempts hold come as one row per attempt (two arrays), not one row per answer."""

    def __init__(self, postgresql: bool) -> None:
        lock = select(_A.id, _A.status, _A.deadline).where(_among(_A.id, postgresql))
        self.lock = lock.with_for_update() if postgresql else lock  # SQLite's writer already holds the database
        held = (_ANS.attempt_id, func.array_agg(_ANS.position), func.array_agg(_ANS.choice)) if postgresql else \
            (_ANS.attempt_id, _ANS.position, _ANS.choice)
        self.held: Select[tuple[int, Any, Any]] = select(*held).where(_among(_ANS.attempt_id, postgresql))
        if postgresql:
            self.held = self.held.group_by(_ANS.attempt_id)
        self.grouped = postgresql
        self.bound = select(t.accounts.c.id, t.accounts.c.participant_id, t.accounts.c.locale).where(
            _among(t.accounts.c.id, postgresql))


_READS = {"postgresql": _Reads(True), "sqlite": _Reads(False)}
_ADD_ANSWERS = insert(t.answers)
_GAINED = update(t.attempts).where(_A.id == bindparam("aid")).values(answered=_A.answered + bindparam("n"),
                                                                      correct=_A.correct + bindparam("k"))


@dataclass(slots=True)
class _Pending:
    attempt_id: int
    position: int
    question_id: str
    choice: int
    correct: bool
    at: datetime
    account: Account | None
    done: asyncio.Future[Written] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class GroupCommitAnswers:
    """An AnswerLog: `record` says whether this answer is stored (not when the position was answered
    already, the attempt is no longer open, or the account moved) and what the attempt now holds."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        """Answers queued for the next batch (the queue depth /metrics shows)."""
        return self._queue.qsize()

    async def record(self, *, attempt_id: int, position: int, question_id: str, choice: int, correct: bool,
                     now: datetime, account: Account | None = None) -> Written:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_forever(), name="answer-group-commit")
        item = _Pending(attempt_id, position, question_id, choice, correct, now, account)
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
                    written = await self._write(conn, batch)
                    await conn.commit()
            except Exception as exc:  # nothing in this batch is durable: every caller hears so
                log.exception("answer batch of %d failed", len(batch))
                for item in batch:
                    if not item.done.done():
                        item.done.set_exception(exc)
                continue
            for item, outcome in zip(batch, written, strict=True):
                if not item.done.done():
                    item.done.set_result(outcome)

    async def _write(self, conn: AsyncConnection, batch: list[_Pending]) -> list[Written]:
        """Decide every answer of the batch against the locked attempt rows, then write in bulk.

        Set-based on purpose: four to six statements per batch whatever its size. The attempt rows
        are locked (FOR UPDATE on PostgreSQL, the write lock on SQLite), so finishing an
        attempt and answering it cannot interleave, in this process or another. The answers
        read after the lock are complete: answers are only ever added under that lock."""
        await conn.begin()
        reads = _READS[conn.dialect.name]
        ids = sorted({item.attempt_id for item in batch})
        rows_now = {r.id: (AttemptStatus(r.status), r.deadline) for r in await conn.execute(reads.lock, {"ids": ids})}
        held: dict[int, dict[int, int]] = {i: {} for i in ids}
        if reads.grouped:
            for attempt_id, positions, choices in await conn.execute(reads.held, {"ids": ids}):
                held[attempt_id] = dict(zip(positions, choices, strict=True))
        else:
            for attempt_id, position, choice in await conn.execute(reads.held, {"ids": ids}):
                held[attempt_id][position] = choice
        bound = await _accounts(conn, reads, {item.account.id for item in batch if item.account is not None})
        outcomes: list[tuple[bool, bool]] = []  # stored, moved
        rows: list[dict[str, object]] = []
        gained: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for item in batch:
            seen = item.account
            moved = seen is not None and bound.get(seen.id) != (seen.participant_id, seen.locale)
            state = rows_now.get(item.attempt_id)
            ok = not moved and state is not None and takes_answers(*state, item.at) and \
                item.position not in held[item.attempt_id]
            outcomes.append((ok, moved))
            if ok:
                held[item.attempt_id][item.position] = item.choice
                rows.append({"attempt_id": item.attempt_id, "position": item.position,
                             "question_id": item.question_id, "choice": item.choice,
                             "correct": item.correct, "answered_at": item.at})
                gained[item.attempt_id][0] += 1
                gained[item.attempt_id][1] += int(item.correct)
        if rows:
            await conn.execute(_ADD_ANSWERS, rows)
            await conn.execute(_GAINED, [{"aid": a, "n": n, "k": k} for a, (n, k) in gained.items()])
        return [Written(False, moved=True) if moved else Written(ok, dict(held[item.attempt_id]))
                for item, (ok, moved) in zip(batch, outcomes, strict=True)]


async def _accounts(conn: AsyncConnection, reads: _Reads, ids: set[int]) -> dict[int, tuple[int | None, str | None]]:
    """The accounts' participant and locale as stored now (one statement, only when a caller trusted one)."""
    if not ids:
        return {}
    return {r.id: (r.participant_id, r.locale) for r in await conn.execute(reads.bound, {"ids": sorted(ids)})}
