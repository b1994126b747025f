"""The scheduler on an injected clock: rounds close on time, one report a day however many workers run."""
from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from aiogram import Bot

from bot.channels.telegram.sender import Limits, Sender
from bot.compose import App
from bot.scheduler import Scheduler
from bot.service import scheduler_for
from publishing import ADMIN
from rounds.people import play, register

from .conftest import ORGANISERS, TOKEN, FileRecordingSession, PhotoTelegram, sent


def worker(app: App, telegram: PhotoTelegram) -> Scheduler:
    """One worker process: its own bot and sender, the organisers' chat configured."""
    async def no_wait(_seconds: float) -> None:
        return None

    app.settings = app.settings.model_copy(update={"organiser_chat_id": ORGANISERS})
    sender = Sender(Bot(token=TOKEN, session=FileRecordingSession(telegram)), Limits(attempts=1), sleep=no_wait)
    return scheduler_for(app, sender=sender)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 6, day, hour - 7, minute, tzinfo=UTC)  # Hà Giang time


async def tick_all(*schedulers: Scheduler) -> None:
    await asyncio.gather(*(s.tick() for s in schedulers))


async def test_two_workers_close_the_round_on_time_and_send_one_report_a_day(
        make_app, clock, telegram: PhotoTelegram) -> None:  # type: ignore[no-untyped-def]
    first, second = await make_app(), await make_app()
    one, two = worker(first, telegram), worker(second, telegram)
    await first.rounds.change("chinh", {"closes": "2024-06-20 09:00"}, by=ADMIN, now=clock())
    pid = await register(first, clock(), user="a", phone="0911111111")
    await play(first, clock, pid, right=10)

    clock.now = at(20, 9, 9)  # closed at 09:00, but attempts begun at 08:59 run until 09:09
    await tick_all(one, two)
    assert not (await first.rounds.state("chinh")).closed
    clock.now = at(20, 9, 10)
    await tick_all(one, two)
    closed = await second.rounds.state("chinh")
    assert closed.closed and closed.figure == 1
    assert [w.participant_id for w in await first.rounds.winners("chinh")] == [pid]

    clock.now = at(20, 10, 59)
    await tick_all(one, two)
    assert sent(telegram, "sendPhoto") == []
    for minute in (0, 1, 30):
        clock.now = at(20, 11, minute)
        await tick_all(one, two)
    assert len(sent(telegram, "sendPhoto")) == 1
    clock.now = at(21, 11, 0)
    await tick_all(one, two)
    await tick_all(one, two)
    photos = sent(telegram, "sendPhoto")
    assert len(photos) == 2 and "21/06/2024" in photos[1]["caption"]


async def test_a_report_that_fails_to_send_is_sent_by_a_later_tick(
        make_app, clock, telegram: PhotoTelegram, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    scheduler = worker(await make_app(), telegram)
    telegram.fail("sendPhoto", 400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})
    clock.now = at(20, 11)
    with caplog.at_level(logging.ERROR, logger="bot.scheduler"):
        await scheduler.tick()
    assert "daily report failed" in caplog.text
    assert sent(telegram, "sendPhoto") == []
    clock.now = at(20, 11, 4)
    await scheduler.tick()
    assert sent(telegram, "sendPhoto") == []  # waits a few minutes before trying again
    clock.now = at(20, 11, 5)
    await scheduler.tick()
    assert len(sent(telegram, "sendPhoto")) == 1


async def test_a_failing_job_is_logged_and_the_others_still_run(clock, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    ran: list[str] = []

    async def broken(_now: datetime) -> None:
        raise RuntimeError("database went away")

    async def fine(now: datetime) -> None:
        ran.append(now.isoformat())

    scheduler = Scheduler([("broken", broken), ("fine", fine)], clock=clock, interval=0.0)
    with caplog.at_level(logging.ERROR, logger="bot.scheduler"):
        scheduler.start()
        for _ in range(20):
            await asyncio.sleep(0)
        await scheduler.stop()
    assert len(ran) >= 2 and "broken failed" in caplog.text
