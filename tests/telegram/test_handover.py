"""A webhook call waits a moment for its stored update's handling: the press is answered in the reply when
handling ends in time; otherwise, or at once when every handling slot is taken, Telegram hears "received"
and the press is answered by the worker itself once handled. Real aiogram routing and lanes, the Bot API
recorded by the fake."""
from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import CallbackQuery, Update

from bot.channels.telegram.handover import LATER, Handover
from bot.channels.telegram.lanes import Lanes
from bot.channels.telegram.sender import Sender

from .fake_api import FakeTelegram


class Desk:
    """The routers: each press is answered "Đã ghi nhận" once `open` is set; counts how many run at once."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.running = self.most = 0
        self.fail = False
        router = Router()

        @router.callback_query()
        async def on_press(query: CallbackQuery) -> AnswerCallbackQuery:
            self.running += 1
            self.most = max(self.most, self.running)
            try:
                await self.open.wait()
                if self.fail:
                    raise ValueError("handling failed")
                return AnswerCallbackQuery(callback_query_id=query.id, text="Đã ghi nhận")
            finally:
                self.running -= 1
        self.dp = Dispatcher()
        self.dp.include_router(router)


def press(update_id: int, chat: int) -> Update:
    user = {"id": chat, "is_bot": False, "first_name": "An"}
    message = {"message_id": 7, "date": 0, "chat": {"id": chat, "type": "private"}, "text": "Câu 1/10"}
    return Update.model_validate({"update_id": update_id, "callback_query": {
        "id": f"q{update_id}", "from": user, "chat_instance": "c", "message": message, "data": "a:1"}})


def toasts(fake: FakeTelegram) -> dict[Any, Any]:
    return {c.params["callback_query_id"]: c.params.get("text") for c in fake.delivered("answerCallbackQuery")}


@pytest.fixture
def desk() -> Desk:
    return Desk()


def parts(desk: Desk, bot: Bot, sender: Sender, *, at_once: int = 32, quiet: int = 8) -> tuple[Handover, Lanes]:
    handover = Handover(at_once=at_once, quiet=quiet)
    return handover, Lanes(handover.feeder(desk.dp, bot, sender))


async def test_a_press_handled_in_time_is_answered_in_the_reply(
        desk: Desk, bot: Bot, sender: Sender, fake: FakeTelegram) -> None:
    handover, lanes = parts(desk, bot, sender)
    desk.open.set()
    answer = await handover.wait(press(1, chat=42), lanes, within=5.0)
    assert isinstance(answer, AnswerCallbackQuery) and answer.text == "Đã ghi nhận"
    await lanes.drain()
    assert toasts(fake) == {}, "answered in the reply only, not a second time"


async def test_a_press_not_handled_in_time_is_acknowledged_and_answered_by_the_worker_after(
        desk: Desk, bot: Bot, sender: Sender, fake: FakeTelegram) -> None:
    handover, lanes = parts(desk, bot, sender)
    assert await handover.wait(press(2, chat=42), lanes, within=0.05) is LATER
    assert toasts(fake) == {}
    desk.open.set()
    await lanes.drain()
    assert toasts(fake) == {"q2": "Đã ghi nhận"}


async def test_a_busy_worker_does_not_hold_the_call_and_handles_no_more_than_its_slots_at_once(
        desk: Desk, bot: Bot, sender: Sender, fake: FakeTelegram) -> None:
    handover, lanes = parts(desk, bot, sender, at_once=2, quiet=2)
    for n in (1, 2):
        assert await handover.wait(press(n, chat=100 + n), lanes, within=0.05) is LATER
    began = time.monotonic()
    for n in (3, 4):
        assert await handover.wait(press(n, chat=100 + n), lanes, within=30.0) is LATER
    assert time.monotonic() - began < 5, "Telegram's connection is not held while the worker is busy"
    desk.open.set()
    await lanes.drain()
    assert toasts(fake) == {f"q{n}": "Đã ghi nhận" for n in (1, 2, 3, 4)}
    assert desk.most == 2


async def test_a_failure_in_time_reaches_the_call_and_one_after_is_logged_without_an_answer(
        desk: Desk, bot: Bot, sender: Sender, fake: FakeTelegram, caplog: pytest.LogCaptureFixture) -> None:
    handover, lanes = parts(desk, bot, sender)
    desk.fail = True
    desk.open.set()
    with pytest.raises(ValueError):  # the webhook call fails, so Telegram sends the update again
        await handover.wait(press(4, chat=42), lanes, within=5.0)
    desk.open.clear()
    assert await handover.wait(press(5, chat=43), lanes, within=0.05) is LATER
    desk.open.set()
    await lanes.drain()
    assert toasts(fake) == {} and "update 5 failed" in caplog.text
