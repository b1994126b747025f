"""The day's figures, read through the same services and queries as the dashboard's overview."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.storage.stats import DayCount
from quiz.services import Services
from quiz.units import UnitStats, roll_up

LEVEL = 1  # the units organisers compare: districts below the province (communes after 7/2025)
TOP = 5


class DayStats(Protocol):
    """What the report reads besides the services (bot.storage.stats.DashboardStats)."""

    async def by_day(self, *, since: date | None = None) -> list[DayCount]: ...
    async def activity_by_unit(self, *, day: date) -> tuple[dict[str, int], dict[str, int]]: ...
    async def all_correct(self, *, round_code: str | None = None) -> int: ...


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
    all_correct: int  # participants with every answer right in some finished ranked attempt
    today: DayCount
    yesterday: DayCount
    units: tuple[UnitDay, ...]  # LEVEL units, most active today first
    by_rate: bool  # top and bottom ranked by participation rate (every population known), else by participants
    top: tuple[UnitStats, ...]
    bottom: tuple[UnitStats, ...]  # lowest last


def top_and_bottom(units: list[UnitStats], *, n: int = TOP) -> tuple[bool, list[UnitStats], list[UnitStats]]:
    """The n best and n worst units by rate (by participants if a population is missing); no unit twice."""
    by_rate = bool(units) and all(u.rate is not None for u in units)
    ranked = sorted(units, key=lambda u: (-(u.rate or 0.0) if by_rate else -u.participants, u.name))
    top = ranked[:n]
    bottom = ranked[len(top):][-n:]
    return by_rate, top, bottom


async def gather(services: Services, stats: DayStats, *, now: datetime) -> DailyFigures:
    runtime = services.runtime
    local = now.astimezone(runtime.tz)
    today, yesterday = local.date(), local.date() - timedelta(days=1)
    totals = await services.unit_stats()
    roots = [s for s in totals if s.depth == 0]
    days = {d.day: d for d in await stats.by_day(since=yesterday)}
    active: dict[str, list[int]] = {}  # unit code → [today, yesterday]
    names: dict[str, str] = {}
    for k, day in enumerate((today, yesterday)):
        participants, attempts = await stats.activity_by_unit(day=day)
        for s in roll_up(runtime.units, participants=participants, attempts=attempts):
            if s.depth == LEVEL:
                names[s.code] = s.name
                active.setdefault(s.code, [0, 0])[k] = s.participants
    units = sorted((UnitDay(names[code], t, y) for code, (t, y) in active.items()),
                   key=lambda u: (-u.today, -u.yesterday, u.name))
    by_rate, top, bottom = top_and_bottom([s for s in totals if s.depth == LEVEL])
    return DailyFigures(
        title=runtime.contest.title.get("vi") or runtime.contest.slug, day=today, as_of=local,
        participants=sum(s.participants for s in roots), attempts=sum(s.attempts for s in roots),
        all_correct=await stats.all_correct(), today=days.get(today) or DayCount(today, 0, 0, 0),
        yesterday=days.get(yesterday) or DayCount(yesterday, 0, 0, 0), units=tuple(units), by_rate=by_rate,
        top=tuple(top), bottom=tuple(bottom))
