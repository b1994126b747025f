"""Integrity: scan a round for flags, and organisers' decisions. A disqualified participant leaves
the round's ranking at once (quiz.ranking.counts), here and, within a board's life, on other workers."""
from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from quiz.integrity import REVIEW_STATUSES, Review, Thresholds, scan
from quiz.ports import UowFactory
from quiz.services.standings import Standings


class Integrity:
    RULES = Thresholds()

    def __init__(self, *, uow: UowFactory, read: UowFactory, standings: Standings) -> None:
        self._uow, self._read, self._standings = uow, read, standings

    async def scan(self, *, round_code: str, now: datetime) -> int:
        """Flag what the rules find in the round's finished attempts; how many flags are new."""
        async with self._read() as uow:
            traces = await uow.stats.traces(round_code=round_code)
            registrations = await uow.stats.referrals()
        flags = await asyncio.to_thread(scan, traces, registrations, self.RULES)
        async with self._uow() as uow:
            added = await uow.reviews.add(round_code=round_code, flags=flags, now=now)
            await uow.commit()
        return added

    async def reviews(self, round_code: str, *, statuses: Sequence[str] = REVIEW_STATUSES,
                      limit: int = 500) -> list[Review]:
        async with self._read() as uow:
            return await uow.reviews.of_round(round_code, statuses=statuses, limit=limit)

    async def disqualified(self, round_code: str) -> set[int]:
        return {r.participant_id for r in await self.reviews(round_code, statuses=("disqualified",), limit=100_000)}

    async def decide(self, *, review_id: int, status: str, user_id: int, now: datetime) -> str | None:
        """Clear, disqualify or reopen; the round it belongs to, or None if there is no such review."""
        if status not in REVIEW_STATUSES:
            raise ValueError(status)
        async with self._uow() as uow:
            review = await uow.reviews.get(review_id)
            if review is None:
                return None
            await uow.reviews.decide(review_id=review_id, status=status, user_id=user_id if status != "open" else None,
                                     now=now)
            await uow.commit()
        await self._standings.exact_board(round_code=review.round_code, now=now)
        return review.round_code
