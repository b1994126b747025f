"""Nothing acknowledged is lost: events recorded but not processed are processed at the next start."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.storage.inbound import InboundEvents

from .fake_server import FakeZalo
from .harness import ZaloWorld


async def test_events_left_unprocessed_by_a_stop_are_processed_at_the_next_start(
        open_world: Callable[..., Any], make_app: Any, fake_zalo: FakeZalo, clock: Any) -> None:
    app = await make_app()
    first: ZaloWorld = await open_world(app)
    an = first.citizen()
    inbound = InboundEvents(app.engine, "zalo")
    await inbound.record("follow:left", an.event("follow"), now=clock())  # the 200 went back, then a crash
    await inbound.record("m-left", an.text_event("/thele"), now=clock())
    await first.handle.stop()
    clock.advance(minutes=2)

    second: ZaloWorld = await open_world(app)  # start-up sweeps

    texts = [s.text for s in fake_zalo.to(an.user_id)]
    assert "Nghị định 13/2023" in texts[0] and "Thể lệ" in texts[-1]  # the greeting (two messages), the rules
    assert await inbound.unprocessed(received_before=clock()) == []
    assert await second.handle.sweep() == 0  # processed once


async def test_a_fresh_event_another_worker_is_processing_is_left_alone(world: ZaloWorld, clock: Any) -> None:
    an = world.citizen()
    await world.handle.inbound.record("follow:busy", an.event("follow"), now=clock())
    clock.advance(seconds=10)
    assert await world.handle.sweep() == 0  # not overdue yet
    clock.advance(minutes=1)
    assert await world.handle.sweep() == 1
    assert len(an.screen) == 2  # the greeting: the notice, then its question under the buttons


async def test_two_sweeps_take_an_abandoned_event_once(world: ZaloWorld, clock: Any) -> None:
    an = world.citizen()
    await world.handle.inbound.record("follow:abandoned", an.event("follow"), now=clock())
    clock.advance(minutes=2)
    pending = await world.handle.inbound.unprocessed(received_before=clock())
    assert [await world.handle.inbound.lease(e, now=clock()) for e in pending * 2] == [True, False]
