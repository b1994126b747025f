"""Which days' reports went out: the primary key lets one worker claim a day."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import tables as t

_D = t.daily_reports.c


class ReportLog:
    def __init__(self, engine: AsyncEngine, *, contest_id: int) -> None:
        self._engine, self._contest_id = engine, contest_id

    async def claim(self, day: date, *, now: datetime) -> bool:
        """True for the one caller that records `day` first; every other caller gets False."""
        try:
            async with self._engine.begin() as conn:
                await conn.execute(insert(t.daily_reports).values(contest_id=self._contest_id, day=day, sent_at=now))
        except IntegrityError:
            return False
        return True

    async def release(self, day: date) -> None:
        """Give the day back, so that a later try sends it (the send failed)."""
        async with self._engine.begin() as conn:
            await conn.execute(delete(t.daily_reports).where(_D.contest_id == self._contest_id, _D.day == day))
