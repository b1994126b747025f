"""Zalo's 48-hour window: replies only to users who wrote within 48 hours, and broadcasts likewise."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.channels.zalo.errors import ZaloError
from bot.channels.zalo.window import REPLY_WINDOW, can_message, within_window
from bot.storage import tables as t
from quiz.conversation.messages import Msg

from .harness import ZaloWorld

NOW = datetime(2024, 6, 20, 1, 30, tzinfo=UTC)


@dataclass
class Row:
    channel: str
    last_seen_at: datetime | None


def test_a_zalo_user_may_be_messaged_for_48_hours_after_writing() -> None:
    assert REPLY_WINDOW == timedelta(hours=48)
    assert can_message(Row("zalo", NOW - timedelta(hours=47, minutes=59)), NOW)
    assert not can_message(Row("zalo", NOW - timedelta(hours=48)), NOW)
    assert not can_message(Row("zalo", NOW - timedelta(hours=49)), NOW)
    assert not can_message(Row("zalo", None), NOW)
    assert not within_window(None, NOW)


def test_other_channels_have_no_window() -> None:
    assert can_message(Row("telegram", None), NOW)
    assert can_message(Row("web", NOW - timedelta(days=30)), NOW)


async def last_seen(world: ZaloWorld, user_id: str) -> datetime | None:
    async with world.app.engine.connect() as conn:
        return (await conn.execute(select(t.accounts.c.last_seen_at).where(  # type: ignore[no-any-return]
            t.accounts.c.channel == "zalo", t.accounts.c.external_id == user_id))).scalar()


async def test_each_event_records_when_the_user_last_wrote(world: ZaloWorld, clock: Any) -> None:
    an = world.citizen()
    await an.follow()
    assert await last_seen(world, an.user_id) == clock()
    clock.advance(hours=3)
    await an.send("/thele")
    assert await last_seen(world, an.user_id) == clock()


async def test_a_user_silent_for_49_hours_is_not_messaged(world: ZaloWorld, clock: Any,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    an = world.citizen()
    await an.follow()
    shown = len(an.screen)
    clock.advance(hours=47)
    assert await world.handle.channel.notify(an.user_id, Msg("menu.title"))
    clock.advance(hours=2)  # 49 hours since the follow
    assert not await world.handle.channel.notify(an.user_id, Msg("menu.title"))
    with pytest.raises(ZaloError, match="48 hours"):
        await world.handle.channel.send_text(an.user_id, "Mẹo tuần này")
    assert len(an.screen) == shown + 1
    assert "over 48 hours ago" in caplog.text
    await an.send("/thele")  # writing again opens the window again
    assert "Thể lệ" in an.last.text


async def test_a_broadcast_text_goes_out_inside_the_window(world: ZaloWorld) -> None:
    an = world.citizen()
    await an.follow()
    await world.handle.channel.send_text(an.user_id, "Mẹo tuần này: cài VNeID.")
    assert an.last.text == "Mẹo tuần này: cài VNeID."


async def test_an_old_event_processed_late_gets_no_reply_outside_the_window(
        world: ZaloWorld, clock: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    an = world.citizen()
    old = an.event("follow")
    await world.handle.inbound.record("follow:late", old, now=clock())  # acknowledged, then the process stopped
    clock.advance(hours=49)
    assert await world.handle.sweep() == 1
    assert an.screen == []
    assert "over 48 hours ago" in caplog.text


async def test_an_unfollow_closes_the_window(world: ZaloWorld) -> None:
    an = world.citizen()
    await an.follow()
    await an.unfollow()
    assert await last_seen(world, an.user_id) is None
    assert not await world.handle.channel.notify(an.user_id, Msg("menu.title"))
    assert len(an.screen) == 2  # the greeting only
