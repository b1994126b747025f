"""Citizens who did or did not opt in to news, and a recording Telegram the broadcast goes through."""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import pytest
from aiogram import Bot
from sqlalchemy import update

from bot.broadcasts.runner import Broadcaster
from bot.broadcasts.telegram import TelegramOutlet
from bot.channels.telegram.sender import Limits, Sender
from bot.compose import App
from bot.storage import tables as t
from imports_web.site import admin_, browsers, organiser_, site  # noqa: F401  (the web app, staff signed in)
from quiz.people import Account
from telegram.conftest import TOKEN, VirtualTime, bot_api  # noqa: F401  (the fake Bot API over HTTP)
from telegram.fake_api import FakeTelegram
from telegram.recording import RecordingSession
from zalo.fixtures import fake_zalo  # noqa: F401  (the fake Zalo OA API over HTTP)


@pytest.fixture
def time_() -> VirtualTime:
    return VirtualTime()


@pytest.fixture
def fake(time_: VirtualTime) -> FakeTelegram:
    return FakeTelegram(clock=time_)


@pytest.fixture
def sender(fake: FakeTelegram, time_: VirtualTime) -> Sender:
    return Sender(Bot(token=TOKEN, session=RecordingSession(fake)), Limits(), clock=time_, sleep=time_.sleep)


@pytest.fixture
def broadcaster(app: App, sender: Sender) -> Broadcaster:
    """The application's broadcaster with Telegram connected, as `dcbot run` does."""
    app.broadcaster.connect("telegram", TelegramOutlet(sender))
    return app.broadcaster


async def citizen(app: App, user: str, *, news: bool | None = True, channel: str = "telegram",
                  locale: str = "vi", phone: str | None = None) -> Account:
    """A chat account that answered the 'news' question (or not, with news=None); registered with `phone`."""
    now = app.dispatcher.clock()
    account = await app.people.account(channel=channel, external_id=user, locale=locale, now=now)
    if news is not None:
        await app.people.consent(account_id=account.id, purpose="news", granted=news, now=now)
    if phone is not None:
        await app.people.register(account_id=account.id, full_name="Nguyễn Văn An", birth_year=1990, phone=phone,
                         unit_code="T-A-1", referral=None, now=now)
    return account


async def set_account(app: App, account_id: int, **values: Any) -> None:
    """What another channel records about an account (Zalo's last_seen_at, a linked participant)."""
    async with app.engine.begin() as conn:
        await conn.execute(update(t.accounts).where(t.accounts.c.id == account_id).values(**values))


def messaged(fake: FakeTelegram) -> Counter[int]:
    """How many messages each Telegram chat received."""
    return Counter(int(c.params["chat_id"]) for c in fake.delivered("sendMessage"))


def at(app: App) -> datetime:
    return app.dispatcher.clock()
