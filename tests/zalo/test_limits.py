"""Zalo's limits: the app's rate kept, "too many requests" waited out, and no message dropped unlogged."""
from __future__ import annotations

import logging

import pytest

from bot.channels.zalo.bucket import TokenBucket

from .fake_server import FakeZalo
from .fixtures import Sleeps
from .harness import ZaloWorld

RATE_LIMITED = {"error": -32, "message": "Exceeded the rate limit"}


async def test_a_rate_limit_error_is_retried_after_a_pause(world: ZaloWorld, fake_zalo: FakeZalo,
                                                           sleeps: Sleeps) -> None:
    fake_zalo.answers += [(200, RATE_LIMITED), (429, {"error": -32, "message": "Too many requests"})]
    an = world.citizen()
    await an.follow()
    assert "Nghị định 13/2023" in an.texts_since(0)
    assert [s for s in sleeps if s >= 0.1] == [1.0, 2.0]  # backing off, doubling (and the bucket drained)


async def test_a_message_that_never_gets_through_is_logged_not_dropped_silently(
        world: ZaloWorld, fake_zalo: FakeZalo, caplog: pytest.LogCaptureFixture) -> None:
    fake_zalo.answers += [(200, RATE_LIMITED)] * 10  # five tries for each of the greeting's two messages
    an = world.citizen()
    await an.follow()
    assert an.screen == []
    assert f"message to user {an.user_id} not delivered: -32" in caplog.text


async def test_a_refused_message_is_logged_and_the_next_one_still_goes(
        world: ZaloWorld, fake_zalo: FakeZalo, caplog: pytest.LogCaptureFixture) -> None:
    an = world.citizen()
    await an.follow()
    await an.tap("Tôi đồng ý")
    await an.tap("Đồng ý liên hệ khi đoạt giải")
    await an.tap("Không, cảm ơn")
    await an.send("Nguyễn Văn An")
    fake_zalo.answers.append((200, {"error": -201, "message": "Invalid parameters"}))
    await an.send("1990")  # the question is refused; the share-your-number form after it still goes
    assert f"message to user {an.user_id} not delivered: -201" in caplog.text
    assert [r.levelno for r in caplog.records if "not delivered" in r.message] == [logging.ERROR]
    assert an.last.template == "request_user_info"


async def test_the_bucket_spaces_calls_at_the_rate_after_a_burst() -> None:
    now = [0.0]
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)
        now[0] += seconds

    bucket = TokenBucket(2.0, 3, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        await bucket.take()
    assert waited == [0.5, 0.5]  # three at once, then one every half second
    bucket.drain()
    await bucket.take()
    assert waited[-1] == 0.5
