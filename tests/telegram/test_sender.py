"""The outbound sender: Telegram's rate limits kept, "retry after" honoured, nothing dropped silently."""
from __future__ import annotations

import asyncio
import logging

import pytest
from aiogram.methods import AnswerCallbackQuery, SendMessage

from bot.channels.telegram.sender import Sender

from .conftest import VirtualTime
from .fake_api import FakeTelegram

FLOOD = {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 3",
         "parameters": {"retry_after": 3}}
DOWN = {"ok": False, "error_code": 502, "description": "Bad Gateway"}


def times(fake: FakeTelegram, method: str = "sendMessage") -> list[float]:
    return [c.at - 1000.0 for c in fake.calls if c.method == method]


async def test_one_private_chat_gets_about_one_message_a_second_after_a_short_burst(
        sender: Sender, fake: FakeTelegram) -> None:
    await asyncio.gather(*(sender.send(SendMessage(chat_id=42, text=f"tin {i}")) for i in range(6)))
    assert times(fake) == pytest.approx([0, 0, 0, 1, 2, 3], abs=0.1)


async def test_a_group_gets_twenty_messages_a_minute(sender: Sender, fake: FakeTelegram) -> None:
    await asyncio.gather(*(sender.send(SendMessage(chat_id=-100500, text=f"tin {i}")) for i in range(24)))
    sent = times(fake)
    assert len(sent) == 24
    assert sum(t < 60 for t in sent) <= 22  # 20 a minute, plus the small burst at the start
    assert sent[-1] == pytest.approx(3 * 21)


async def test_replies_to_many_chats_are_not_held_to_the_broadcast_budget(sender: Sender, fake: FakeTelegram) -> None:
    await asyncio.gather(*(sender.send(SendMessage(chat_id=1000 + i, text="Câu 2/10")) for i in range(90)))
    assert times(fake) == [0.0] * 90  # each chat's first message goes at once, whatever the other chats do


async def test_a_broadcast_to_many_chats_gets_about_thirty_messages_a_second(sender: Sender,
                                                                              fake: FakeTelegram) -> None:
    await asyncio.gather(*(sender.send(SendMessage(chat_id=1000 + i, text="Mẹo"), broadcast=True)
                           for i in range(90)))
    sent = times(fake)
    assert sum(t < 1 - 1e-9 for t in sent) == 30
    assert max(sent) == pytest.approx(89 / 30)


async def test_a_retry_after_for_one_chat_holds_that_chat_only(sender: Sender, fake: FakeTelegram) -> None:
    fake.fail("sendMessage", 429, FLOOD)
    await asyncio.gather(sender.send(SendMessage(chat_id=42, text="Câu 2/10")),  # refused once: again in 3 s
                         sender.send(SendMessage(chat_id=43, text="Câu 1/10")))
    at = {c.params["text"]: c.at - 1000.0 for c in fake.delivered("sendMessage")}
    assert at == {"Câu 1/10": 0, "Câu 2/10": pytest.approx(3)}, "chat 43 never waited for chat 42's hold"


async def test_retry_after_for_several_chats_at_once_holds_the_whole_bot(sender: Sender, fake: FakeTelegram) -> None:
    for _ in range(3):
        fake.fail("sendMessage", 429, FLOOD)
    await asyncio.gather(*(sender.send(SendMessage(chat_id=42 + i, text="Câu 2/10")) for i in range(3)))
    await sender.send(AnswerCallbackQuery(callback_query_id="1", text="Đã ghi nhận"), paced=False)
    pressed = [c.at - 1000.0 for c in fake.delivered("answerCallbackQuery")]
    assert pressed[0] >= 3, "Telegram limits the bot, not one chat: even an unpaced answer waits"


async def test_answering_a_button_press_is_not_held_back(sender: Sender, fake: FakeTelegram,
                                                         time_: VirtualTime) -> None:
    for i in range(10):
        await sender.send(AnswerCallbackQuery(callback_query_id=str(i), text="Đã ghi nhận"), paced=False)
    assert time_.slept == [] and len(fake.delivered("answerCallbackQuery")) == 10


async def test_retry_after_is_waited_out_and_the_message_sent_once(sender: Sender, fake: FakeTelegram) -> None:
    fake.fail("sendMessage", 429, FLOOD)
    sent = await sender.send(SendMessage(chat_id=42, text="Câu 1/10"))

    assert sent is not None
    tries = [c for c in fake.calls if c.method == "sendMessage"]
    assert [c.status for c in tries] == [429, 200]
    assert tries[1].at - tries[0].at >= 3
    assert [c.params["text"] for c in fake.delivered("sendMessage")] == ["Câu 1/10"]


async def test_transient_failures_are_retried_with_growing_pauses(
        sender: Sender, fake: FakeTelegram, time_: VirtualTime) -> None:
    for _ in range(3):
        fake.fail("sendMessage", 502, DOWN)
    assert await sender.send(SendMessage(chat_id=42, text="Kết quả")) is not None
    assert time_.slept == [0.5, 1.0, 2.0]


async def test_a_message_that_never_gets_through_is_an_error_and_a_citizen_who_blocked_the_bot_a_warning(
        sender: Sender, fake: FakeTelegram, caplog: pytest.LogCaptureFixture) -> None:
    for _ in range(5):
        fake.fail("sendMessage", 502, DOWN)
    fake.fail("sendMessage", 403, {"ok": False, "error_code": 403,
                                   "description": "Forbidden: bot was blocked by the user"})

    assert await sender.send(SendMessage(chat_id=42, text="Kết quả")) is None
    assert await sender.send(SendMessage(chat_id=43, text="Mẹo")) is None

    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "blocked" in r.getMessage()]
    assert len(errors) == 1 and "chat 42 not delivered" in errors[0]
    assert len(warnings) == 1 and "chat 43" in warnings[0]  # handled, and nothing for anyone to fix
    assert [c.status for c in fake.calls] == [502] * 5 + [403], "a refusal is not retried"
