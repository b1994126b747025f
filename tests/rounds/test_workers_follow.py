"""A change made through one worker (or the command line) is served by every other within seconds."""
from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.scheduler import Scheduler
from bot.service import scheduler_for
from publishing import ADMIN, publish_questions


async def until(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("not within the time")


async def test_a_publication_and_a_round_change_reach_a_running_worker(make_app, clock) -> None:  # type: ignore[no-untyped-def]
    first, second = await make_app(), await make_app()
    follower: Scheduler = scheduler_for(second, sender=None)
    follower.quick_interval, follower.interval = 0.05, 3600  # this worker only follows, at test speed
    follower.start()
    try:
        edited = tuple(replace(q, text=q.text + " (sửa)") if i == 0 else q
                       for i, q in enumerate(first.runtime.sets["bo-thu"].questions))
        await publish_questions(first.imports, first.live, "bo-thu", edited, now=clock())
        await until(lambda: second.runtime.sets["bo-thu"].version == 2)
        assert second.runtime.sets["bo-thu"].questions == edited

        await first.rounds.change("chinh", {"questions_per_attempt": 12}, by=ADMIN, now=clock())
        await until(lambda: second.runtime.contest.round("chinh").questions_per_attempt == 12)  # type: ignore[union-attr]
    finally:
        await follower.stop()
