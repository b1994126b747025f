"""Replies leave after the update is acknowledged, and none is lost if the worker dies before they do.

While an update is handled (OncePerUpdate), the channel collects what it would say instead of saying it:
the answer to a button press, and the planned steps (bot.channels.telegram.plan). The steps are stored
with the update as it is marked done, in the same statement; then Telegram hears the update arrived, with
the press answered in that very reply (a webhook may answer with one Bot API method). The outbox sends the
steps after, in order per chat and at each chat's pace, and tells storage in batches what was delivered.
A worker that dies first leaves them stored and claimed; once its claim lapses, any worker's sweep takes
them over and sends them. A reply may so be sent twice (a worker stalled past its lease), never lost."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque

from bot.channels.telegram.once import Claims
from bot.channels.telegram.plan import Step, carry_out
from bot.channels.telegram.sender import Sender
from bot.failures import traceback_without_messages

log = logging.getLogger(__name__)
FLUSH_WINDOW = 0.2  # seconds: deliveries marked in one write


class Outbox:
    """Carries out stored replies: one lane per chat (in order, at that chat's pace), chats side by side."""

    def __init__(self, sender: Sender, claims: Claims) -> None:
        self.sender, self.claims = sender, claims
        self._waiting: dict[int | str, deque[tuple[str, list[Step]]]] = {}
        self._lanes: dict[int | str, asyncio.Task[None]] = {}
        self._delivered: set[str] = set()
        self._some_delivered = asyncio.Event()
        self._flusher: asyncio.Task[None] | None = None

    @property
    def in_hand(self) -> int:
        return sum(len(w) for w in self._waiting.values())

    def put(self, key: str, steps: list[Step]) -> None:
        """Send `steps`, stored under the update `key` (which this worker holds as sending)."""
        chat = next((s.chat for s in steps if s.chat is not None), key)
        self._waiting.setdefault(chat, deque()).append((key, steps))
        if chat not in self._lanes:
            self._lanes[chat] = asyncio.create_task(self._run(chat), name=f"telegram-out-{chat}")
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_forever(), name="telegram-out-flush")

    async def _run(self, chat: int | str) -> None:
        waiting = self._waiting[chat]
        try:
            while waiting:
                key, steps = waiting[0]
                try:
                    await carry_out(steps, self.sender)
                except Exception as exc:  # the sender logs what it gives up; anything else is a bug
                    log.error("telegram: replies to update %s failed\n%s", key, traceback_without_messages(exc))
                waiting.popleft()
                self._delivered.add(key)
                self._some_delivered.set()
        finally:
            if not waiting:
                del self._waiting[chat]
            del self._lanes[chat]

    async def flush(self) -> None:
        """Tell storage which stored replies were delivered; kept for the next flush if that fails."""
        keys, self._delivered = self._delivered, set()
        try:
            await self.claims.sent(keys)
        except Exception as exc:
            self._delivered |= keys
            log.error("telegram: could not mark %d delivered update(s)\n%s", len(keys),
                      traceback_without_messages(exc))

    async def _flush_forever(self) -> None:
        """One write for whatever was delivered within FLUSH_WINDOW (a group commit). Paced replies trickle
        out one by one; a write for each took SQLite's write lock (and a round trip) once per reply, beside
        the answers' own writes. Marking them a moment later costs nothing but, if this worker dies in that
        moment, a reply sent twice by another worker's sweep — never one lost."""
        while True:
            await self._some_delivered.wait()
            await asyncio.sleep(FLUSH_WINDOW)
            self._some_delivered.clear()
            if self._delivered:
                await self.flush()

    async def close(self, *, grace: float) -> None:
        """Send what is in hand for up to `grace` seconds; what is left stays stored for another worker."""
        lanes = list(self._lanes.values())
        if lanes:
            _done, late = await asyncio.wait(lanes, timeout=grace)
            for lane in late:
                lane.cancel()
            for lane in late:
                with contextlib.suppress(asyncio.CancelledError):
                    await lane
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None
        if self._delivered:
            await self.flush()
        left = [key for waiting in self._waiting.values() for key, _steps in waiting]
        self._waiting.clear()
        if left:
            log.warning("telegram: replies to %d update(s) not sent at stop; left for another worker", len(left))
