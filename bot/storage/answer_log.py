"""Group commit for answers: one transaction for every answer waiting (bot.storage.answer_batch), each
caller released only once that transaction is committed, with what the caller needs next (every answer the
attempt now holds, and whether the account it trusted is still as it saw it): one round trip's worth of
work per answer, shared by the batch."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.answer_batch import Pending, write
from quiz.attempts import Written
from quiz.people import Account

log = logging.getLogger(__name__)
MAX_BATCH = 1000


class GroupCommitAnswers:
    """An AnswerLog: `record` says whether this answer is stored (not when the position was answered
    already, the attempt is no longer open, or the account moved) and what the attempt now holds."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._queue: asyncio.Queue[Pending] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        """Answers queued for the next batch (the queue depth /metrics shows)."""
        return self._queue.qsize()

    async def record(self, *, attempt_id: int, position: int, question_id: str, choice: int, correct: bool,
                     now: datetime, account: Account | None = None) -> Written:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_forever(), name="answer-group-commit")
        item = Pending(attempt_id, position, question_id, choice, correct, now, account)
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
                    written = await write(conn, batch)
            except Exception as exc:  # nothing in this batch is durable: every caller hears so
                log.exception("answer batch of %d failed", len(batch))
                for item in batch:
                    if not item.done.done():
                        item.done.set_exception(exc)
                continue
            for item, outcome in zip(batch, written, strict=True):
                if not item.done.done():
                    item.done.set_result(outcome)
