"""What an operator asks a worker: is it ready (database, Redis, each channel), and its metrics."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from bot import metrics
from bot.health import DOWN, Health
from bot.state import RedisStates, StateStore
from bot.storage.engine import AsyncEngine
from bot.storage.probes import attempt_counts, ping

log = logging.getLogger(__name__)
PROBE_TIMEOUT = 3.0  # seconds: a readiness check that waits longer has its answer


@dataclass
class Readiness:
    ready: bool
    body: dict[str, Any]


class Operations:
    def __init__(self, *, engine: AsyncEngine, states: StateStore, health: Health) -> None:
        self.engine, self.states, self.health = engine, states, health

    async def readiness(self) -> Readiness:
        """Ready while the database (and Redis, when configured) answer; a channel that is down is
        reported, not counted against the worker: the web chat and the other channels still work."""
        checks = {"database": await _check(ping(self.engine))}
        if isinstance(self.states, RedisStates):
            checks["redis"] = await _check(self.states.ping())
        channels = {name: {"state": c.state, **({"reason": c.reason} if c.reason else {}),
                           "since": c.since.isoformat()} for name, c in sorted(self.health.channels().items())}
        ready = all(v == "ok" for v in checks.values())
        degraded = any(c["state"] == DOWN for c in channels.values())
        status = "ok" if ready and not degraded else "degraded" if ready else "unavailable"
        return Readiness(ready, {"status": status, **checks, "channels": channels})

    async def metrics(self) -> tuple[bytes, str]:
        try:
            started, open_now = await asyncio.wait_for(attempt_counts(self.engine), PROBE_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - the other metrics still answer; the log says why
            log.warning("metrics: attempt counts not read (%s)", type(exc).__name__)
        else:
            metrics.ATTEMPTS_STARTED.set(started)
            metrics.ATTEMPTS_OPEN.set(open_now)
        return metrics.exposition()


async def _check(probe: Any) -> str:
    try:
        await asyncio.wait_for(probe, PROBE_TIMEOUT)
    except Exception as exc:  # noqa: BLE001 - any failure means not ready; its type says which
        return f"failed: {type(exc).__name__}"
    return "ok"
