"""One asyncio task for timed work: rounds close when their time is up, the daily report goes out.

Every worker process runs one. Each tick first reads the rounds from the database, so a
change an admin made through another worker reaches this one within a tick. A job that
fails is logged and the next tick runs it again; the database keeps two workers from doing
the same close or sending the same report twice."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, time
from typing import TYPE_CHECKING

from bot.channels.telegram.sender import Sender
from bot.reports.daily import DailyReporter, reports_for
from bot.storage.daily_reports import ReportLog
from bot.storage.rounds import round_admin

if TYPE_CHECKING:
    from bot.compose import App

log = logging.getLogger(__name__)
Job = Callable[[datetime], Awaitable[object]]
TICK = 30.0  # seconds between ticks


class Scheduler:
    def __init__(self, jobs: Sequence[tuple[str, Job]], *, clock: Callable[[], datetime], interval: float = TICK,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.jobs, self.clock, self.interval, self._sleep = list(jobs), clock, interval, sleep
        self._task: asyncio.Task[None] | None = None

    async def tick(self) -> None:
        """Run every job once, in order; one failing does not stop the others."""
        for name, job in self.jobs:
            try:
                await job(self.clock())
            except Exception:
                log.exception("scheduler: %s failed; next tick tries again", name)

    async def run(self) -> None:
        while True:
            await self.tick()
            await self._sleep(self.interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


def build_scheduler(application: App, *, sender: Sender | None, interval: float = TICK) -> Scheduler:
    """Round closing always; the daily report when there is a sender and ORGANISER_CHAT_ID."""
    settings, rounds = application.settings, round_admin(application)

    async def close_rounds(now: datetime) -> object:
        """Read the rounds (another worker may have changed them) and close those whose time is up."""
        for closing in await rounds.close_due(now=now):
            log.info("round %s closed: figure %s, %d winners frozen, %d open attempts ended",
                     closing.round_code, closing.figure, len(closing.winners), closing.stopped)
        return None

    jobs: list[tuple[str, Job]] = [("round closing", close_rounds)]
    if sender is not None and settings.organiser_chat_id is not None:
        reporter = DailyReporter(reports=reports_for(application), sender=sender, chat_id=settings.organiser_chat_id,
                                 log=ReportLog(application.engine, contest_id=application.scope.contest_id),
                                 at=time(settings.report_hour, settings.report_minute),
                                 tz=application.services.runtime.tz)
        jobs.append(("daily report", reporter.tick))
    else:
        log.info("daily report: off (%s)", "no ORGANISER_CHAT_ID" if sender is not None else "Telegram is off")
    return Scheduler(jobs, clock=application.dispatcher.clock, interval=interval)
