"""Long polling that confirms updates only after they were handled, so nothing is acknowledged early."""
from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot, Dispatcher
from aiogram.exceptions import AiogramError, TelegramConflictError, TelegramRetryAfter
from aiogram.methods import GetUpdates
from aiogram.types import Update

from bot.failures import traceback_without_messages

log = logging.getLogger(__name__)
BACKOFF_MAX = 30.0


def sender_of(update: Update) -> int:
    """Whose update this is, so one person's updates are handled in order (others in parallel)."""
    for event in (update.message, update.callback_query):
        if event is not None and event.from_user is not None:
            return event.from_user.id
    return -update.update_id


class Poller:
    def __init__(self, bot: Bot, dp: Dispatcher, *, allowed_updates: list[str], timeout: int = 25) -> None:
        self.bot, self.dp, self.timeout = bot, dp, timeout
        self.allowed_updates = allowed_updates

    async def run(self, stop: asyncio.Event) -> None:
        """Fetch, handle, and only then move the offset on; until `stop` is set."""
        offset: int | None = None
        failures = 0
        while not stop.is_set():
            try:
                updates = await self._fetch(offset, stop)
            except Exception as exc:  # noqa: BLE001 - polling outlives any Bot API trouble: wait and retry
                failures += 1
                delay = exc.retry_after if isinstance(exc, TelegramRetryAfter) else min(2.0 ** failures / 2,
                                                                                        BACKOFF_MAX)
                conflict = isinstance(exc, TelegramConflictError)
                hint = " (a webhook is set or another process polls this bot)" if conflict else ""
                log.error("telegram: getUpdates failed: %s%s; again in %.1fs", exc, hint, delay)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)
                continue
            if updates is None:
                break
            failures = 0
            if updates:
                await self.handle(updates)
                offset = updates[-1].update_id + 1
        await self._confirm(offset)

    async def handle(self, updates: list[Update]) -> None:
        lanes: dict[int, list[Update]] = {}
        for update in updates:
            lanes.setdefault(sender_of(update), []).append(update)
        await asyncio.gather(*(self._handle_in_order(lane) for lane in lanes.values()))

    async def _handle_in_order(self, lane: list[Update]) -> None:
        for update in lane:
            try:
                await self.dp.feed_update(self.bot, update)
            except Exception as exc:
                log.error("telegram: update %s failed\n%s", update.update_id, traceback_without_messages(exc))

    async def _fetch(self, offset: int | None, stop: asyncio.Event) -> list[Update] | None:
        """The next updates, or None when `stop` was set while waiting."""
        request = GetUpdates(offset=offset, timeout=self.timeout, allowed_updates=self.allowed_updates)
        fetch = asyncio.ensure_future(self.bot(request, request_timeout=self.timeout + 10))
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if not fetch.done():
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await fetch
            return None
        return fetch.result()

    async def _confirm(self, offset: int | None) -> None:
        """Tell Telegram the last handled batch is done, so a restart does not replay it."""
        if offset is None:
            return
        try:
            await self.bot(GetUpdates(offset=offset, timeout=0, limit=1, allowed_updates=self.allowed_updates))
        except AiogramError as exc:
            log.warning("telegram: could not confirm updates before %s (%s); they may be replayed", offset, exc)
