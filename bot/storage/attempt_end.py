"""Handing in an attempt on PostgreSQL in two statements, each committed alone: one finishes the attempt, if
still open, and returns its entry for the live board (the UPDATE in a CTE); the other reads the rounds'
states (whether the result may show the keys). Through a unit of work (quiz.services.playing.UowEnds) it was
five round trips (BEGIN, the update, the entry, the states, COMMIT). The read needs no transaction with the
write: a round's state is as current either way, at READ COMMITTED."""
from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.attempts import SqlAttempts
from bot.storage.engine import AUTOCOMMIT
from bot.storage.repositories import ContestScope
from bot.storage.rounds import SqlRounds
from quiz.attempts import Attempt, AttemptStatus
from quiz.ranking import Entry
from quiz.rounds import RoundState


class PgEnds:
    """AttemptEnds on PostgreSQL (SQLite keeps the unit of work's: one write transaction)."""

    def __init__(self, engine: AsyncEngine, scope: ContestScope) -> None:
        self._engine, self._scope = engine, scope

    async def end(self, attempt: Attempt, *, at: datetime) -> tuple[Attempt, list[Entry], list[RoundState]] | None:
        async with self._engine.connect() as conn:
            await conn.execution_options(isolation_level=AUTOCOMMIT)
            entry = await SqlAttempts(conn, self._scope).end_told(
                attempt_id=attempt.id, participant_id=attempt.participant_id, round_code=attempt.round_code, at=at)
            if entry is None:
                return None
            rounds = await SqlRounds(conn, self._scope).states()
        ended = dataclasses.replace(attempt, status=AttemptStatus.FINISHED, finished_at=entry.finished_at,
                                    correct=entry.correct, prediction=entry.prediction)
        return ended, [] if ended.practice else [entry], rounds
