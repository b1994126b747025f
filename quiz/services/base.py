"""What every use case shares: the runtime, units of work, and caches of what never changes."""
from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from quiz.attempts import Attempt
from quiz.leaderboard import Board
from quiz.ports import AnswerLog, UnitOfWork
from quiz.runtime import ContestRuntime

UowFactory = Callable[[], UnitOfWork]


class _UowAnswers:
    """An AnswerLog committing each answer in its own unit of work."""

    def __init__(self, uow: UowFactory) -> None:
        self._uow = uow

    async def record(self, *, attempt_id: int, position: int, question_id: str, choice: int, correct: bool,
                     now: datetime) -> bool:
        async with self._uow() as uow:
            att = await uow.attempts.get(attempt_id)
            if att is None or not att.accepting(now):
                return False
            stored = await uow.attempts.record_answer(attempt_id=attempt_id, position=position, question_id=question_id,
                                                      choice=choice, correct=correct, now=now)
            await uow.commit()
            return stored



class ServiceBase:
    """State shared by the use cases: the runtime, the unit-of-work factory, caches."""

    CACHE = 50_000  # attempts whose frozen paper, owner and deadline are kept in memory
    BOARD_TTL = timedelta(seconds=30)  # a large board is at most this stale (plus one rebuild)
    BOARD_SYNC = 20_000  # boards smaller than this are rebuilt at once after a change
    TOP_NAMES = 100  # names kept in memory for the top of each board

    def __init__(self, *, runtime: ContestRuntime, uow: UowFactory, rng: random.Random | None = None,
                 answers: AnswerLog | None = None, read_uow: UowFactory | None = None) -> None:
        self.runtime = runtime
        self._uow = uow
        self._read = read_uow or uow  # for use cases that only read: never holds up writers
        self._rng = rng or random.SystemRandom()
        self._answers = answers or _UowAnswers(uow)
        self._cached: dict[int, Attempt] = {}
        self._boards: dict[str, Board] = {}
        self._dirty: set[str] = set()
        self._rebuilding: dict[str, asyncio.Task[Board]] = {}
        self._names: dict[int, tuple[str, str]] = {}  # public names of those at the top of a board

    def _remember(self, att: Attempt | None) -> Attempt | None:
        if att is not None:
            self._cached.pop(att.id, None)
            self._cached[att.id] = att
            if len(self._cached) > self.CACHE:
                self._cached.pop(next(iter(self._cached)))
        return att

    def _changed(self, round_code: str) -> None:
        self._dirty.add(round_code)
