"""Sending a broadcast in the background, resumable, nobody messaged twice.

For each recipient: a 'sending' claim is committed, then the message goes out, then its result
is recorded. A crash between send and record leaves the claim; on resume it is marked failed
("interrupted") and never sent again. We chose at most once: a citizen missing one tip is
better than a citizen getting it twice, and the window is the few messages in flight."""
from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.i18n import Translator
from quiz.broadcasts import FAILED, PUSH_CHANNELS, Broadcast, Recipient
from quiz.conversation.messages import Msg
from quiz.services.broadcasts import Broadcasts

log = logging.getLogger(__name__)
WORKERS = 8  # in flight at once: enough for ~30/s at Bot API latency; a citizen's reply waits behind at most these
CHECK_EVERY = 50  # deliveries between looks at whether an admin cancelled
STOP_GRACE = 10.0  # seconds a stopping service lets messages in flight be recorded


@dataclass(frozen=True, slots=True)
class Delivery:
    status: str  # sent | failed
    detail: str | None = None  # why it failed: blocked, bad_request, rate_limited, error


class Outlet(Protocol):
    def unreachable(self, recipient: Recipient, now: datetime) -> str | None:
        """Why this recipient cannot be messaged now (recorded as the skip reason), or None."""
        ...

    async def send(self, recipient: Recipient, text: str) -> Delivery: ...


def message(kind: str, text: str) -> Msg:
    return Msg("broadcast.tip", text=text) if kind == "tip" else Msg("broadcast.announcement", text=text)


class Broadcaster:
    def __init__(self, broadcasts: Broadcasts, translator: Translator, *, clock: Callable[[], datetime],
                 workers: int = WORKERS) -> None:
        self.broadcasts, self.translator, self._clock, self._workers = broadcasts, translator, clock, workers
        self._outlets: dict[str, Outlet] = {}
        self._tasks: dict[int, asyncio.Task[Broadcast | None]] = {}
        self._stopping = asyncio.Event()

    def connect(self, channel: str, outlet: Outlet) -> None:
        """A running channel offers its way out; broadcasts wait until at least one is connected."""
        self._outlets[channel] = outlet

    @property
    def ready(self) -> bool:
        return bool(self._outlets)

    def running(self, broadcast_id: int) -> bool:
        return broadcast_id in self._tasks

    def launch(self, broadcast_id: int) -> bool:
        """Send in the background; False while no channel is connected (it stays pending until one is)."""
        if not self._outlets or self._stopping.is_set():
            return False
        if broadcast_id not in self._tasks:
            task = asyncio.create_task(self.run(broadcast_id), name=f"broadcast-{broadcast_id}")
            self._tasks[broadcast_id] = task
            task.add_done_callback(lambda done: self._done(broadcast_id, done))
        return True

    def _done(self, broadcast_id: int, task: asyncio.Task[Broadcast | None]) -> None:
        self._tasks.pop(broadcast_id, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("broadcast %s stopped; it resumes on the next start", broadcast_id, exc_info=task.exception())

    async def resume(self) -> list[int]:
        """Carry on with every broadcast a stop or a crash left unfinished."""
        ids = await self.broadcasts.unfinished()
        launched = [i for i in ids if self.launch(i)]
        if launched:
            log.info("broadcast: resuming %s", ", ".join(map(str, launched)))
        return launched

    async def run(self, broadcast_id: int) -> Broadcast | None:
        """Deliver to everyone still outstanding; return the broadcast as it then stands."""
        b = await self.broadcasts.get(broadcast_id)
        if b is None or b.finished:
            return b
        await self.broadcasts.sweep(broadcast_id, now=self._clock())
        recipients = await self.broadcasts.recipients(broadcast_id)
        if not await self.broadcasts.begin(broadcast_id, outstanding=len(recipients)):
            return await self.broadcasts.get(broadcast_id)
        halt = asyncio.Event()
        queue = iter(recipients)
        await asyncio.gather(*(self._work(b, queue, halt) for _ in range(self._workers)))
        if not halt.is_set() and not self._stopping.is_set():
            await self.broadcasts.finish(broadcast_id, now=self._clock())
        return await self.broadcasts.get(broadcast_id)

    async def _work(self, b: Broadcast, queue: Iterator[Recipient], halt: asyncio.Event) -> None:
        for n, recipient in enumerate(queue, 1):  # the iterator is shared: each recipient goes to one worker
            if halt.is_set() or self._stopping.is_set():
                return
            await self._deliver(b, recipient)
            if n % CHECK_EVERY == 0:
                now = await self.broadcasts.get(b.id)
                if now is None or now.status == "cancelled":
                    halt.set()

    def _skip_reason(self, r: Recipient, now: datetime) -> str | None:
        outlet = self._outlets.get(r.channel)
        if outlet is None:
            return f"{r.channel}_off" if r.channel in PUSH_CHANNELS else "cannot_push"
        return outlet.unreachable(r, now)

    async def audience(self) -> dict[str, int]:
        """Whom a new broadcast would reach now, by channel, and whom it would skip, by reason."""
        now = self._clock()
        counts = Counter(self._skip_reason(r, now) or r.channel for r in await self.broadcasts.recipients())
        return dict(counts)

    async def _deliver(self, b: Broadcast, r: Recipient) -> None:
        now = self._clock()
        reason = self._skip_reason(r, now)
        if reason:
            await self.broadcasts.skip(b.id, r.account_id, reason=reason, now=now)
            return
        outlet = self._outlets[r.channel]
        if not await self.broadcasts.claim(b.id, r.account_id, now=now):
            return  # another runner has it
        try:
            result = await outlet.send(r, self.text(b.kind, b.body, r.locale))
        except Exception:  # an outlet should not raise; if it does, the claim still gets its result
            log.exception("broadcast %s: account %s", b.id, r.account_id)
            result = Delivery(FAILED, "error")
        await self.broadcasts.settle(b.id, r.account_id, status=result.status, detail=result.detail,
                                     now=self._clock())

    def text(self, kind: str, body: Mapping[str, str], locale: str | None) -> str:
        """The message in the citizen's language when the admin wrote one, else in Vietnamese."""
        chosen = locale if locale and body.get(locale) else "vi"
        return self.translator.text(message(kind, body[chosen]), chosen)

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Let messages in flight be recorded, then stop; unfinished broadcasts resume on the next start."""
        self._stopping.set()
        tasks = list(self._tasks.values())
        if not tasks:
            return
        _done, late = await asyncio.wait(tasks, timeout=grace)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
