"""Two shapes of load, each over a bounded window: every citizen answering as fast as the service lets it
(saturation), and taps arriving at random at a set rate, whoever is ready answering (an offered rate)."""
from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from .citizens import Failed, Tally

Act = Callable[[Any, Tally, random.Random], Awaitable[None]]
Snapshot = Callable[[], Awaitable[dict[str, float]]]  # what the service has spent so far: CPU, statements…


@dataclass(frozen=True)
class Measured:
    """One window: answers acknowledged per second, POST→200 and tap→next question, and what the service
    spent in the window (its snapshot's growth)."""

    rate: float
    answers: int
    p50_ms: float
    p99_ms: float
    shown_p99_ms: float
    errors: int
    lost: int
    unserved: int  # taps due that found no citizen ready: the rate offered fell short of the rate asked
    spent: dict[str, float]

    def per_answer(self, key: str) -> float:
        return self.spent.get(key, 0.0) / self.answers if self.answers else float("nan")


async def answering(citizen: Any, tally: Tally, rng: random.Random) -> None:
    await citizen.answer(tally, rng)


async def reading_the_leaderboard(citizen: Any, tally: Tally, rng: random.Random) -> None:
    await citizen.leaderboard(tally)


async def _guarded(act: Act, citizen: Any, tally: Tally, rng: random.Random) -> None:
    try:
        await act(citizen, tally, rng)
    except (Failed, aiohttp.ClientError, TimeoutError):
        tally.errors += 1
        await asyncio.sleep(0.2)


async def _window(tally: Tally, snapshot: Snapshot, warmup: float, duration: float) -> Measured:
    """Snapshot the service after the warm-up and at the end; what was acknowledged in between counts."""
    await asyncio.sleep(warmup)
    first = await snapshot()
    await asyncio.sleep(duration - warmup)
    last = await snapshot()
    began, ended = first["at"], last["at"]
    inside = [i for i, at in enumerate(tally.done) if began <= at < ended]
    latency = sorted(tally.latency[i] for i in inside) or [float("nan")]
    shown = sorted(s for s in (tally.shown[i] for i in inside) if s == s) or [float("nan")]  # s == s: not NaN
    return Measured(rate=len(inside) / (ended - began), answers=len(inside), p50_ms=1000 * statistics.median(latency),
                    p99_ms=1000 * _p99(latency), shown_p99_ms=1000 * _p99(shown), errors=tally.errors,
                    lost=tally.lost, unserved=tally.unserved, spent={k: last[k] - first[k] for k in last if k != "at"})


def _p99(values: list[float]) -> float:
    return values[min(len(values) - 1, int(0.99 * len(values)))]


async def saturate(citizens: Sequence[Any], act: Act, snapshot: Snapshot, *, warmup: float,
                   duration: float) -> Measured:
    """Every citizen acts again as soon as the last act is done, until the window closes."""
    tally, stop = Tally(), time.monotonic() + duration

    async def keep_going(citizen: Any, rng: random.Random) -> None:
        while time.monotonic() < stop:
            await _guarded(act, citizen, tally, rng)

    tasks = [asyncio.create_task(keep_going(c, random.Random(i))) for i, c in enumerate(citizens)]
    measured = await _window(tally, snapshot, warmup, duration)
    await asyncio.gather(*tasks)
    return measured


async def offer(citizens: Sequence[Any], act: Act, snapshot: Snapshot, *, rate: float, warmup: float,
                duration: float) -> Measured:
    """Taps arrive at random (Poisson) at `rate` per second; a citizen ready for its next question takes each."""
    tally, rng, ready = Tally(), random.Random(7), deque(citizens)
    running: set[asyncio.Task[None]] = set()

    async def one(citizen: Any) -> None:
        try:
            await _guarded(act, citizen, tally, rng)
        finally:
            ready.append(citizen)

    async def arrivals() -> None:
        stop, due = time.monotonic() + duration, time.monotonic()
        while time.monotonic() < stop:
            due += rng.expovariate(rate)
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            if ready:
                task = asyncio.create_task(one(ready.popleft()))
                running.add(task)
                task.add_done_callback(running.discard)
            else:  # every citizen is waiting for the service: this tap is not offered, and the summary says so
                tally.unserved += 1

    feeding = asyncio.create_task(arrivals())
    measured = await _window(tally, snapshot, warmup, duration)
    await feeding
    await asyncio.gather(*list(running))
    return measured
