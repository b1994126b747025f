"""Figures organisers read on the dashboard and in exports: by day, per question, the people on a row."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from quiz.ports import UowFactory
from quiz.services.live import LiveContest
from quiz.services.standings import Standings
from quiz.statistics import DayCount, Person, QuestionCount
from quiz.units import COMPARED_LEVEL, UnitStats, roll_up

BATCH = 1000


class Figures:
    def __init__(self, *, live: LiveContest, read: UowFactory, standings: Standings) -> None:
        self._live, self._read, self._standings = live, read, standings

    async def by_day(self, *, since: date | None = None) -> list[DayCount]:
        async with self._read() as uow:
            return await uow.stats.by_day(since=since)

    async def question_counts(self, *, round_code: str | None = None) -> list[QuestionCount]:
        async with self._read() as uow:
            return await uow.stats.question_counts(round_code=round_code)

    async def people(self, ids: Sequence[int]) -> dict[int, Person]:
        """Name, phone and unit of each participant, read in batches."""
        out: dict[int, Person] = {}
        async with self._read() as uow:
            for start in range(0, len(ids), BATCH):
                out.update(await uow.stats.people(ids[start:start + BATCH]))
        return out

    async def find(self, text: str, *, by_phone: bool) -> set[int]:
        """Participants whose name contains `text` (accents and case folded), or, with `by_phone`,
        whose phone number contains its digits."""
        async with self._read() as uow:
            return await uow.stats.find(text, by_phone=by_phone)

    async def units_at_level(self, *, day: date | None = None) -> list[UnitStats]:
        """Units at the compared level with their totals: over the whole contest, or active on `day`."""
        if day is None:
            stats = await self._standings.unit_stats()
        else:
            async with self._read() as uow:
                participants, attempts = await uow.stats.activity_by_unit(day=day)
            stats = roll_up(self._live.runtime.units, participants=participants, attempts=attempts)
        return [s for s in stats if s.depth == COMPARED_LEVEL]
