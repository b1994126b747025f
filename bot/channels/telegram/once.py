"""Every update is handled once, by one worker, even when a worker dies with it in hand.

An update is recorded with its body (`Claims.take`) before Telegram hears it was received; the
worker holding it renews its claim while it works and marks it finished after. Telegram may
deliver it again, to this worker or another: a finished one is skipped, one in a live worker's
hand is waited for, and one whose worker died is taken over and handled. A sweep on every worker
(bot.channels.telegram.sweep) finishes what dead workers left even if Telegram never asks again."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

from bot.channels.telegram.plan import Step, collecting, dump
from bot.failures import traceback_without_messages
from bot.storage.inbound import MAX_TRIES, InboundEvents

log = logging.getLogger(__name__)
CLAIMED = "inbound_claimed"  # feed_update(..., inbound_claimed=True): the caller already holds the update
BODY = "inbound_body"  # feed_update(..., inbound_body=JSON): the update as received, stored as its body
POLL = 0.2  # seconds between looks at an update another worker has in hand


def body_of(update: Update) -> dict[str, Any]:
    """The update as Telegram sent it, to be handled again from storage (Update.model_validate)."""
    return update.model_dump(mode="json", exclude_none=True, by_alias=True)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Claims:
    """The updates this worker has in hand. Another worker takes one over when this one has not renewed
    its claim for `lease` (it renews every third of it), so workers' clocks must agree to well within it."""

    def __init__(self, inbound: InboundEvents, *, lease: timedelta, clock: Callable[[], datetime] = utc_now,
                 worker: str | None = None, max_tries: int = MAX_TRIES) -> None:
        self.inbound, self.lease, self.clock, self.max_tries = inbound, lease, clock, max_tries
        self.worker = worker or f"{os.getpid()}-{secrets.token_hex(6)}"
        self.held: set[str] = set()
        self.sending: set[str] = set()  # finished updates whose stored replies this worker still sends
        self._renewing: asyncio.Task[None] | None = None

    async def take(self, updates: Sequence[Update], *,
                   bodies: Mapping[int, dict[str, Any]] | None = None) -> list[Update]:
        """Record `updates` for this worker; those it took, in order (not those finished or held elsewhere).
        `bodies`: updates as received (the JSON the Update was validated from), stored as they came rather
        than dumped again from the model."""
        now = self.clock()
        stored = {str(u.update_id): (bodies or {}).get(u.update_id) or body_of(u) for u in updates}
        taken = await self.inbound.claim(stored, worker=self.worker,
                                         now=now, stale_before=now - self.lease, max_tries=self.max_tries)
        self.held |= taken
        fresh: list[Update] = []
        for update in updates:
            if str(update.update_id) in taken:
                taken.discard(str(update.update_id))  # once, even if a batch lists it twice
                fresh.append(update)
        return fresh

    async def finish(self, update_id: int, *, outbox: list[Any] | None = None) -> None:
        """Mark the update handled, with the replies it still has to send (`outbox`), in one write."""
        key = str(update_id)
        try:
            await self.inbound.done(key, now=self.clock(), outbox=outbox)
        finally:  # even if that failed: no longer renewed, so another worker finishes it after the lease
            self.held.discard(key)
        if outbox:
            self.sending.add(key)

    def sends(self, key: str) -> None:
        """This worker took over the stored replies of update `key` (the sweep)."""
        self.sending.add(key)

    async def sent(self, keys: Collection[str]) -> None:
        """The stored replies of these updates were delivered (or given up): nothing left to send."""
        try:
            await self.inbound.sent(keys)
        finally:
            self.sending -= set(keys)

    async def give_back(self, update_ids: Iterable[int | str]) -> None:
        """Let go of updates not finished here, so a redelivery or the next sweep handles them at once."""
        keys = {str(i) for i in update_ids} & self.held
        try:
            await self.inbound.give_back(keys, worker=self.worker)
        finally:
            self.held -= keys

    async def renew(self) -> None:
        """Say that this worker is alive and still has its updates (and replies to send) in hand."""
        if self.held or self.sending:
            await self.inbound.renew(worker=self.worker, now=self.clock(), keys=self.held | self.sending)

    def keep_alive(self) -> None:
        """Renew this worker's claims every third of the lease, until `close`."""
        async def renew_forever() -> None:
            while True:
                await asyncio.sleep(self.lease.total_seconds() / 3)
                try:
                    await self.renew()
                except Exception as exc:  # the next renewal tries again; a lapse only lets another worker help
                    log.error("telegram: could not renew the claim on %d update(s)\n%s",
                              len(self.held | self.sending), traceback_without_messages(exc))
        self._renewing = asyncio.create_task(renew_forever(), name="telegram-claims")

    async def close(self) -> None:
        """Stop renewing and give back what is still claimed for this worker: updates in hand, replies still to
        send, and updates the intake passed that never arrived (the next start or another worker's sweep
        finishes them at once)."""
        if self._renewing is not None:
            self._renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewing
            self._renewing = None
        if self.held:
            log.warning("telegram: %d update(s) not finished at stop; left for the next sweep", len(self.held))
        try:
            await self.inbound.release(worker=self.worker)
        except Exception as exc:  # the database out of reach: the claims lapse after the lease instead
            log.warning("telegram: could not give back this worker's updates at stop; another worker takes them "
                        "once the claims lapse\n%s", traceback_without_messages(exc))
        finally:
            self.held, self.sending = set(), set()


class Outbox(Protocol):
    """Where stored replies are sent from (bot.channels.telegram.outbox)."""

    def put(self, key: str, steps: list[Step]) -> None: ...


class OncePerUpdate(BaseMiddleware):
    """The outer middleware of every update. Polling and the sweep take updates before feeding them
    (`inbound_claimed=True`); a webhook delivery is taken here. Finished after handling; given back if
    handling failed, so it is tried again (at most MAX_TRIES times).

    With an `outbox`, handling collects its replies instead of sending them; they are stored as the update
    is finished, in the same write, and sent after (bot.channels.telegram.outbox). The answer to a button
    press is the middleware's result, which a webhook returns to Telegram in its reply."""

    def __init__(self, claims: Claims, *, outbox: Outbox | None = None, settle_for: float | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.claims, self.outbox, self._sleep = claims, outbox, sleep
        # How long a webhook call waits for another worker to finish the same update; past it, the
        # update is acknowledged anyway: it is recorded, and the sweep finishes it if that worker dies.
        self.settle_for = settle_for if settle_for is not None else min(claims.lease.total_seconds() * 1.5, 20.0)

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        body = data.pop(BODY, None)
        bodies = {event.update_id: body} if isinstance(body, dict) else None
        if data.pop(CLAIMED, False) or await self.claims.take([event], bodies=bodies):
            return await self._handle(handler, event, data)
        return await self._settle(handler, event, data, bodies)

    async def _handle(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]], event: Update,
                      data: dict[str, Any]) -> Any:
        if self.outbox is None:
            return await self._handled(handler, event, data)
        with collecting() as said:
            result = await self._handled(handler, event, data, said.steps)
        if said.steps:
            self.outbox.put(str(event.update_id), said.steps)
        return said.answer or result

    async def _handled(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]], event: Update,
                       data: dict[str, Any], steps: Sequence[Any] = ()) -> Any:
        try:
            result = await handler(event, data)
        except BaseException:
            await self.claims.give_back([event.update_id])
            raise
        await self.claims.finish(event.update_id, outbox=dump(steps) if steps else None)
        return result

    async def _settle(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]], event: Update,
                      data: dict[str, Any], bodies: Mapping[int, dict[str, Any]] | None) -> Any:
        """Delivered again: wait while another worker has it in hand; handle it here if that worker dies."""
        key = str(event.update_id)
        waited = 0.0
        while True:
            standing = await self.claims.inbound.standing(key)
            if standing is None or standing.done:
                log.info("telegram: update %s delivered again; already handled", key)
                return None
            if standing.tries >= self.claims.max_tries:
                log.info("telegram: update %s delivered again; given up after %d tries", key, standing.tries)
                return None
            if waited >= self.settle_for:
                log.info("telegram: update %s delivered again; still in another worker's hand", key)
                return None
            await self._sleep(POLL)
            waited += POLL
            if await self.claims.take([event], bodies=bodies):
                log.info("telegram: update %s taken over from a worker that stopped", key)
                return await self._handle(handler, event, data)
