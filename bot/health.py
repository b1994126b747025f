"""How each channel stands, for /readyz, /metrics and the log: up, down (and why), starting, or off.

A channel whose platform cannot be reached is reported down and tried again with a growing wait;
the other channels, the web chat and the dashboard go on serving meanwhile."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.metrics import CHANNEL_UP

log = logging.getLogger(__name__)
UP, DOWN, STARTING, OFF = "up", "down", "starting", "off"


@dataclass(frozen=True, slots=True)
class ChannelState:
    state: str
    reason: str
    since: datetime


class Health:
    """Every channel's state in this worker; a change is logged once (an outage as an error)."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._clock = clock
        self._channels: dict[str, ChannelState] = {}

    def set(self, channel: str, state: str, reason: str = "") -> None:
        before = self._channels.get(channel)
        if before is not None and before.state == state and before.reason == reason:
            return
        self._channels[channel] = ChannelState(state, reason, self._clock())
        CHANNEL_UP.labels(channel).set(1 if state == UP else 0)
        if state == DOWN:
            log.error("%s: unhealthy: %s", channel, reason)
        elif state == UP and before is not None and before.state == DOWN:
            log.info("%s: healthy again", channel)

    def up(self, channel: str) -> None:
        self.set(channel, UP)

    def down(self, channel: str, reason: str) -> None:
        self.set(channel, DOWN, reason)

    def is_up(self, channel: str) -> bool:
        found = self._channels.get(channel)
        return found is not None and found.state == UP

    def channels(self) -> dict[str, ChannelState]:
        return dict(self._channels)


class Backoff:
    """Waits that double from `first` up to `most` seconds while something keeps failing."""

    def __init__(self, *, first: float = 2.0, most: float = 300.0,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.first, self.most, self._sleep = first, most, sleep
        self.next = first

    def reset(self) -> None:
        self.next = self.first

    async def wait(self) -> None:
        delay, self.next = self.next, min(self.next * 2, self.most)
        await self._sleep(delay)
