"""Building the report and sending it to the organisers' Telegram chat, on demand or once a day.

Once a day, with any number of workers: a worker first claims the day in daily_reports
(its primary key lets exactly one insert succeed), then builds and sends. If sending fails
the claim is deleted, so this or another worker tries again a few minutes later. A worker
killed between claim and send leaves the day claimed and unsent: organisers get no
automatic report that day (never two), and `dcbot report --now` sends it by hand. If the
photo went out but a follow-up text part failed, the retry sends the photo again."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aiogram.methods import SendMessage, SendPhoto
from aiogram.types import BufferedInputFile

from bot.channels.telegram.sender import Sender
from bot.i18n import Translator
from bot.reports.chart import render_chart
from bot.reports.text import report_text, split_for_photo
from bot.storage.daily_reports import ReportLog
from quiz.services.reports import DailyFigures, Reports

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DailyReport:
    figures: DailyFigures
    text: str
    chart: bytes  # PNG


class DailyReports:
    """Builds the report from the day's figures and sends it through the channel's paced sender."""

    def __init__(self, *, reports: Reports, translator: Translator, locale: str = "vi") -> None:
        self._reports, self._translator, self._locale = reports, translator, locale

    async def build(self, *, now: datetime) -> DailyReport:
        figures = await self._reports.daily(now=now)
        chart = await asyncio.to_thread(render_chart, figures, self._translator, self._locale)
        return DailyReport(figures, report_text(figures, self._translator, self._locale), chart)

    async def send(self, sender: Sender, chat_id: int, report: DailyReport) -> None:
        """The chart with as much text as a caption holds, then the rest; raises if not delivered."""
        caption, rest = split_for_photo(report.text)
        photo = BufferedInputFile(report.chart, filename=f"baocao-{report.figures.day:%Y-%m-%d}.png")
        await sender.call(SendPhoto(chat_id=chat_id, photo=photo, caption=caption))
        for part in rest:
            await sender.call(SendMessage(chat_id=chat_id, text=part))


class DailyReporter:
    """Sends the report once a day at `at` (contest time) or at the first tick after it."""

    RETRY = timedelta(minutes=5)

    def __init__(self, *, reports: DailyReports, sender: Sender, chat_id: int, log: ReportLog, at: time,
                 tz: ZoneInfo) -> None:
        self._reports, self._sender, self._chat_id, self._log = reports, sender, chat_id, log
        self._at, self._tz = at, tz
        self._done: date | None = None  # the last day this worker saw claimed
        self._retry_at: datetime | None = None

    async def tick(self, now: datetime) -> bool:
        """True when this call sent today's report."""
        local = now.astimezone(self._tz)
        day = local.date()
        if local.time() < self._at or self._done == day or (self._retry_at is not None and now < self._retry_at):
            return False
        if not await self._log.claim(day, now=now):
            self._done = day  # another worker has it
            return False
        try:
            await self._reports.send(self._sender, self._chat_id, await self._reports.build(now=now))
        except BaseException:
            self._retry_at = now + self.RETRY
            await asyncio.shield(self._log.release(day))
            raise
        self._done = day
        log.info("daily report for %s sent to chat %s", day, self._chat_id)
        return True
