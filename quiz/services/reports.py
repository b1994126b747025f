"""The organisers' daily figures: the same standings and unit figures the dashboard shows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from quiz.model import pick
from quiz.ports import UowFactory
from quiz.services.live import LiveContest
from quiz.services.standings import Standings
from quiz.statistics import DayCount
from quiz.units import COMPARED_LEVEL, UnitStats, roll_up, top_and_bottom

TOP = 5


@dataclass(frozen=True, slots=True)
class UnitDay:
    """A unit's participants today and yesterday (distinct people who started a ranked attempt)."""

    name: str
    today: int
    yesterday: int


@dataclass(frozen=True, slots=True)
class DailyFigures:
    title: str
    day: date
    as_of: datetime  # local time the figures were read: "today" runs until then
    participants: int  # registered, whole contest
    attempts: int  # ranked attempts, whole contest
    all_correct: int  # participants with every answer right in some counted attempt
    today: DayCount
    yesterday: DayCount
    units: tuple[UnitDay, ...]  # compared units, most active today first
    by_rate: bool  # top and bottom ranked by participation rate (every population known), else by participants
    top: tuple[UnitStats, ...]
    bottom: tuple[UnitStats, ...]  # lowest last


class Reports:
    def __init__(self, *, live: LiveContest, read: UowFactory, standings: Standings) -> None:
        self._live, self._read, self._standings = live, read, standings

    async def daily(self, *, now: datetime) -> DailyFigures:
        runtime = self._live.runtime
        local = now.astimezone(runtime.tz)
        today, yesterday = local.date(), local.date() - timedelta(days=1)
        totals = await self._standings.unit_stats()
        roots = [s for s in totals if s.depth == 0]
        active: dict[str, list[int]] = {}  # unit code → [today, yesterday]
        names: dict[str, str] = {}
        async with self._read() as uow:
            days = {d.day: d for d in await uow.stats.by_day(since=yesterday)}
            for k, day in enumerate((today, yesterday)):
                participants, attempts = await uow.stats.activity_by_unit(day=day)
                for s in roll_up(runtime.units, participants=participants, attempts=attempts):
                    if s.depth == COMPARED_LEVEL:
                        names[s.code] = s.name
                        active.setdefault(s.code, [0, 0])[k] = s.participants
        units = sorted((UnitDay(names[code], t, y) for code, (t, y) in active.items()),
                       key=lambda u: (-u.today, -u.yesterday, u.name))
        by_rate, top, bottom = top_and_bottom(totals, depth=COMPARED_LEVEL, n=TOP)
        return DailyFigures(
            title=pick(runtime.contest.title, "vi") or runtime.contest.slug, day=today, as_of=local,
            participants=sum(s.participants for s in roots), attempts=sum(s.attempts for s in roots),
            all_correct=await self._standings.all_correct(now=now), today=days.get(today) or DayCount(today, 0, 0, 0),
            yesterday=days.get(yesterday) or DayCount(yesterday, 0, 0, 0), units=tuple(units), by_rate=by_rate,
            top=tuple(top), bottom=tuple(bottom))
