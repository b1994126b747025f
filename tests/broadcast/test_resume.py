"""A broadcast survives a crash and a restart: it carries on where it stopped, and nobody gets it twice."""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from aiogram import Bot
from sqlalchemy import select

from bot.broadcasts.runner import Delivery, Outlet
from bot.broadcasts.telegram import TelegramOutlet
from bot.channels.telegram.sender import Limits, Sender
from bot.compose import App, build
from bot.service import serve
from bot.storage import tables as t
from bot.storage.broadcasts import Recipient
from publishing import ADMIN
from telegram.conftest import TOKEN, VirtualTime, settings_for
from telegram.fake_api import FakeTelegram
from telegram.fake_server import FakeBotApiServer
from telegram.recording import RecordingSession
from telegram.test_service import free_port, until

from .conftest import citizen, messaged


class DiesAfter:
    """The real outlet, until the process "dies" right after its n-th message went out, before recording it."""

    def __init__(self, outlet: Outlet, n: int) -> None:
        self.outlet, self.n = outlet, n
        self.sent = self.hung = 0

    def unreachable(self, recipient: Recipient, now: datetime) -> str | None:
        return self.outlet.unreachable(recipient, now)

    async def send(self, recipient: Recipient, text: str) -> Delivery:
        result = await self.outlet.send(recipient, text)
        self.sent += 1
        if self.sent >= self.n:
            self.hung += 1
            await asyncio.Event().wait()  # never returns: the crash
        return result


async def test_a_crash_mid_way_resumes_on_restart_without_messaging_anyone_twice(
        make_app: Callable[..., Any], fake: FakeTelegram, time_: VirtualTime) -> None:
    first: App = await make_app()
    users = [str(2000 + n) for n in range(20)]
    for user in users:
        await citizen(first, user)
    dying = DiesAfter(TelegramOutlet(Sender(Bot(token=TOKEN, session=RecordingSession(fake)), Limits(),
                                            clock=time_, sleep=time_.sleep)), n=5)
    first.broadcaster.connect("telegram", dying)
    b = await first.broadcasts.create(kind="announcement", text_vi="Vòng 2 bắt đầu từ thứ Hai.",
                                      by=ADMIN, now=first.clock())
    running = asyncio.create_task(first.broadcaster.run(b.id))
    async with asyncio.timeout(10):
        while dying.hung < first.broadcaster._workers:  # every worker stuck after a send
            await asyncio.sleep(0)
    running.cancel()  # the process is gone
    crashed = messaged(fake)
    mid = await first.broadcasts.get(b.id)
    assert mid is not None and mid.status == "running" and mid.total == 20 and mid.sent < len(crashed)

    restarted: App = await make_app()  # a new process on the same database
    restarted.broadcaster.connect("telegram", TelegramOutlet(
        Sender(Bot(token=TOKEN, session=RecordingSession(fake)), Limits(), clock=time_, sleep=time_.sleep)))
    assert await restarted.broadcaster.resume() == [b.id]
    async with asyncio.timeout(10):
        while restarted.broadcaster.running(b.id):
            await asyncio.sleep(0.01)

    done = await restarted.broadcasts.get(b.id)
    reached = messaged(fake)
    assert max(reached.values()) == 1, "nobody is messaged twice"
    assert set(reached) == {int(u) for u in users}, "everyone else was reached after the restart"
    assert done is not None and done.status == "done"
    assert (done.total, done.sent + done.failed, done.skipped) == (20, 20, 0)
    interrupted = await restarted.broadcasts.reasons(b.id)
    assert interrupted == {"interrupted": dying.hung} and done.failed == dying.hung, \
        "claims of messages in flight at the crash are not resent: counted as failed, interrupted"
    async with restarted.engine.connect() as conn:
        rows = (await conn.execute(select(t.broadcast_deliveries.c.status)
                                   .where(t.broadcast_deliveries.c.broadcast_id == b.id))).scalars().all()
    assert len(rows) == 20 and "sending" not in rows


async def test_the_service_resumes_unfinished_broadcasts_when_it_starts(tmp_path: Path,
                                                                       bot_api: FakeBotApiServer) -> None:
    settings = settings_for(tmp_path, telegram_api_base=bot_api.base, web_host="127.0.0.1", web_port=free_port(),
                            web_secret="test")
    offline = await build(settings.model_copy(update={"telegram_bot_token": None}), migrate=True)
    try:
        for user in ("3001", "3002", "3003"):
            await citizen(offline, user)
        b = await offline.broadcasts.create(kind="tip", text_vi="Mẹo: giữ bí mật mã OTP.",
                                            by=ADMIN, now=offline.clock())
        assert not offline.broadcaster.launch(b.id), "no channel connected: it waits"
    finally:
        await offline.close()

    stop = asyncio.Event()
    running = asyncio.create_task(serve(settings, stop=stop))
    await until(lambda: len(bot_api.fake.delivered("sendMessage")) >= 3)
    await asyncio.sleep(0.2)
    stop.set()
    await asyncio.wait_for(running, timeout=10)

    assert messaged(bot_api.fake) == {3001: 1, 3002: 1, 3003: 1}
    after = await build(settings.model_copy(update={"telegram_bot_token": None}))
    try:
        done = await after.broadcasts.get(b.id)
        assert done is not None and (done.status, done.sent) == ("done", 3)
    finally:
        await after.close()
