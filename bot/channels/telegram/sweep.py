"""Every worker looks for updates another worker recorded but never finished (it died, or stopped with
them in hand), takes them over and handles them; an update that failed MAX_TRIES times is given up. It also
takes over the stored replies of updates that worker finished but had not yet sent, and sends them."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from aiogram import Bot
from aiogram.types import Update
from pydantic import ValidationError

from bot.channels.telegram.lanes import Lanes
from bot.channels.telegram.once import Claims
from bot.channels.telegram.outbox import Outbox
from bot.channels.telegram.plan import load
from bot.failures import traceback_without_messages
from bot.storage.inbound import Recorded

log = logging.getLogger(__name__)
SWEEP_EVERY = 10.0  # seconds between looks


class Sweeper:
    def __init__(self, bot: Bot, claims: Claims, lanes: Lanes, *, outbox: Outbox | None = None,
                 every: float = SWEEP_EVERY) -> None:
        self.bot, self.claims, self.lanes, self.outbox, self.every = bot, claims, lanes, outbox, every
        self._task: asyncio.Task[None] | None = None

    async def sweep(self) -> int:
        """Take over the overdue updates and put them in their chats' lanes, and the replies left unsent and
        put them in the outbox; how many of both."""
        now = self.claims.clock()
        found = await self.claims.inbound.overdue(stale_before=now - self.claims.lease)
        updates = [u for u in [await self._readable(r) for r in found] if u is not None]
        taken = await self.claims.take(updates)
        for update in taken:
            log.info("telegram: finishing update %s left by a worker that stopped", update.update_id)
            self.lanes.put(update)
        return len(taken) + await self._unsent(now)

    async def _unsent(self, now: datetime) -> int:
        if self.outbox is None:
            return 0
        inbound, stale_before = self.claims.inbound, now - self.claims.lease
        sending = 0
        for unsent in await inbound.unsent(stale_before=stale_before):
            if not await inbound.take_unsent(unsent.event_id, worker=self.claims.worker, now=now,
                                             stale_before=stale_before):
                continue  # another worker's sweep was first
            log.info("telegram: sending the replies to update %s left by a worker that stopped", unsent.event_id)
            self.claims.sends(unsent.event_id)
            try:
                self.outbox.put(unsent.event_id, load(unsent.outbox))
            except (KeyError, TypeError, ValueError):  # not steps this version can read: dropped, with an error
                log.error("telegram: replies to update %s given up: not readable", unsent.event_id)
                await self.claims.sent([unsent.event_id])
                continue
            sending += 1
        return sending

    async def _readable(self, recorded: Recorded) -> Update | None:
        """The recorded update, or None (and the record closed, with an error log) if it cannot be handled."""
        why = "failed too often" if recorded.tries >= self.claims.max_tries else None
        update = None
        if why is None:
            try:
                update = Update.model_validate(recorded.payload, context={"bot": self.bot})
            except ValidationError:  # recorded without its body (before version 0012) or not an update
                why = "recorded without a readable body"
        if update is None:
            log.error("telegram: update %s given up: %s (%d tries)", recorded.event_id, why, recorded.tries)
            await self.claims.inbound.done(recorded.event_id, now=self.claims.clock())
        return update

    def start(self) -> None:
        """Sweep now and then every `every` seconds, until `stop`."""
        async def loop() -> None:
            while True:
                try:
                    await self.sweep()
                except Exception as exc:
                    log.error("telegram: sweep for unfinished updates failed\n%s", traceback_without_messages(exc))
                await asyncio.sleep(self.every)
        self._task = asyncio.create_task(loop(), name="telegram-sweeper")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
