"""One asyncio task for timed work: the contest follows changes, rounds close when their time is up,
the daily report goes out.

Every worker process runs one. Each tick first follows the contest's revision, so a change an
admin made through another worker or the CLI reaches this one within a tick. A job that
fails is logged and the next tick runs it again; the database keeps two workers from doing
the same close or sending the same report twice."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, time, timedelta

from bot.channels.telegram.sender import Sender
from bot.reports.daily import DailyReporter, DailyReports
from bot.storage.daily_reports import ReportLog
from quiz.services.housekeeping import Housekeeping
from quiz.services.live import LiveContest
from quiz.services.rounds import RoundAdmin

log = logging.getLogger(__name__)
Job = Callable[[datetime], Awaitable[object]]
TICK = 30.0  # seconds between ticks of the slow jobs (closing rounds, the report)
FOLLOW = 2.0  # seconds between looks at the contest's revision: a change reaches every worker this fast
SWEEP_EVERY = timedelta(hours=1)  # deleting what retention periods have run out on


class Scheduler:
    """Runs `jobs` every `interval` seconds and `quick` ones every `quick_interval` seconds."""

    def __init__(self, jobs: Sequence[tuple[str, Job]], *, clock: Callable[[], datetime], interval: float = TICK,
                 quick: Sequence[tuple[str, Job]] = (), quick_interval: float = FOLLOW,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.jobs, self.clock, self.interval, self._sleep = list(jobs), clock, interval, sleep
        self.quick, self.quick_interval = list(quick), quick_interval
        self._task: asyncio.Task[None] | None = None

    async def _run(self, jobs: Sequence[tuple[str, Job]]) -> None:
        for name, job in jobs:
            try:
                await job(self.clock())
            except Exception:
                log.exception("scheduler: %s failed; next tick tries again", name)

    async def tick(self) -> None:
        """Run every job once, in order; one failing does not stop the others."""
        await self._run([*self.quick, *self.jobs])

    async def run(self) -> None:
        waited = self.interval  # the slow jobs run at once on start
        while True:
            await self._run(self.quick)
            if waited >= self.interval:
                await self._run(self.jobs)
                waited = 0.0
            step = min(self.quick_interval, self.interval) if self.quick else self.interval
            await self._sleep(step)
            waited += step

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


def build_scheduler(*, live: LiveContest, rounds: RoundAdmin, clock: Callable[[], datetime],
                    reports: DailyReports | None = None, report_log: ReportLog | None = None,
                    sender: Sender | None = None, organiser_chat_id: int | None = None,
                    report_at: time = time(11, 0), interval: float = TICK,
                    housekeeping: Housekeeping | None = None, jobs: bool = True) -> Scheduler:
    """Following the contest always; with `jobs`, closing rounds, deleting what is kept no longer
    (hourly) and the daily report when there is a sender and an organisers' chat.

    Each of those jobs is safe on every worker at once: the database lets one close a round (the others
    find it closed), a second retention sweep finds nothing, and the report log sends one report a day.
    `dcbot run --workers N` still gives them to worker 0 only (`jobs=False` elsewhere), so N workers
    do not run N times the queries; following the contest runs on every worker, as it must."""
    swept_at: list[datetime] = []

    async def sweep(now: datetime) -> object:
        if housekeeping is None or (swept_at and now - swept_at[-1] < SWEEP_EVERY):
            return None
        swept_at[:] = [now]
        swept = await housekeeping.sweep(now=now)
        if swept:
            log.info("retention: deleted %d processed events, %d link codes, %d phone codes, %d idle accounts; "
                     "%d participants' data", swept.events, swept.link_codes, swept.phone_codes, swept.accounts,
                     swept.participants)
        return swept

    async def follow(now: datetime) -> object:
        return await live.follow()

    async def close_rounds(now: datetime) -> object:
        """Close the rounds whose time is up (any worker may; the database lets one close each)."""
        for closing in await rounds.close_due(now=now):
            if not closing.already:
                log.info("round %s closed: figure %s, %d winners frozen, %d open attempts ended",
                         closing.round_code, closing.figure, len(closing.winners), closing.stopped)
        return None

    following: list[tuple[str, Job]] = [("contest revision", follow)]
    if not jobs:
        return Scheduler([], clock=clock, interval=interval, quick=following)
    timed: list[tuple[str, Job]] = [("round closing", close_rounds), ("retention", sweep)]
    if sender is not None and organiser_chat_id is not None and reports is not None and report_log is not None:
        reporter = DailyReporter(reports=reports, sender=sender, chat_id=organiser_chat_id, log=report_log,
                                 at=report_at, tz=live.runtime.tz)
        timed.append(("daily report", reporter.tick))
    else:
        log.info("daily report: off (%s)", "no ORGANISER_CHAT_ID" if sender is not None else "Telegram is off")
    return Scheduler(timed, clock=clock, interval=interval, quick=following)
