"""Nothing acknowledged is lost: events recorded but not processed are processed at the next start."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.channels.zalo.runner import GRACE
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



async def test_an_event_held_in_hand_past_the_grace_is_not_taken_by_a_sweep(
        world: ZaloWorld, fake_zalo: FakeZalo, clock: Any) -> None:
    """A worker keeps the events it has in hand (queued behind its user's earlier, slow ones) from other
    workers' sweeps by holding them; once nobody holds one (its worker died), a sweep takes it."""
    an = world.citizen()
    inbound = world.handle.inbound
    await inbound.record("m-queued", an.text_event("/thele"), now=clock())
    world.handle.in_hand.add("m-queued")  # accepted here, waiting for the user's lock
    for _ in range(4):  # two minutes in hand, held as often as the worker does it
        clock.advance(seconds=GRACE.total_seconds() / 3)
        assert await world.handle.hold() == 1
    clock.advance(seconds=GRACE.total_seconds() / 3)
    assert await inbound.unprocessed(received_before=clock() - GRACE) == []  # nothing for another worker
    assert await world.handle.sweep() == 0  # nor for this worker's own sweep
    assert fake_zalo.to(an.user_id) == []

    world.handle.in_hand.discard("m-queued")  # its worker died: nobody holds it any more
    clock.advance(seconds=GRACE.total_seconds() + 1)
    assert await world.handle.sweep() == 1
    assert "Thể lệ" in fake_zalo.to(an.user_id)[-1].text
