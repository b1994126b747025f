"""Long polling: each batch is recorded before the offset moves past it, then handled in its chats' lanes
while the next batch is fetched, so one chat's "retry after" or burst never holds up another chat."""
from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot
from aiogram.exceptions import AiogramError, TelegramConflictError, TelegramRetryAfter
from aiogram.methods import GetUpdates
from aiogram.types import Update

from bot.channels.telegram.lanes import Lanes
from bot.channels.telegram.once import Claims
from bot.failures import traceback_without_messages

log = logging.getLogger(__name__)
BACKOFF_MAX = 30.0


class Poller:
    def __init__(self, bot: Bot, claims: Claims, lanes: Lanes, *, allowed_updates: list[str],
                 timeout: int = 25) -> None:
        self.bot, self.claims, self.lanes, self.timeout = bot, claims, lanes, timeout
        self.allowed_updates = allowed_updates

    async def run(self, stop: asyncio.Event) -> None:
        """Fetch, record, move the offset on, hand the updates to their lanes; until `stop` is set.
        An update Telegram serves again (the offset was not confirmed) is recorded already: skipped."""
        offset: int | None = None
        failures = 0
        while not stop.is_set():
            try:
                await self.lanes.until_room()
                updates = await self._fetch(offset, stop)
                if updates is None:
                    break
                fresh = await self.claims.take(updates)  # durable before the next getUpdates confirms them
            except Exception as exc:  # noqa: BLE001 - polling outlives any Bot API or database trouble
                failures += 1
                delay = exc.retry_after if isinstance(exc, TelegramRetryAfter) else min(2.0 ** failures / 2,
                                                                                        BACKOFF_MAX)
                hint = " (a webhook is set or another process polls this bot)" \
                    if isinstance(exc, TelegramConflictError) else ""
                # A Bot API error says what went wrong; any other may quote an update's text: its type only.
                why = str(exc) if isinstance(exc, AiogramError) else traceback_without_messages(exc)
                log.error("telegram: getting updates failed: %s%s; again in %.1fs", why, hint, delay)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)
                continue
            failures = 0
            for update in fresh:
                self.lanes.put(update)
            if updates:
                offset = updates[-1].update_id + 1
        await self._confirm(offset)

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
        """Tell Telegram the last recorded batch is ours, so a restart does not fetch it again."""
        if offset is None:
            return
        try:
            await self.bot(GetUpdates(offset=offset, timeout=0, limit=1, allowed_updates=self.allowed_updates))
        except AiogramError as exc:
            log.warning("telegram: could not confirm updates before %s (%s); they may be served again",
                        offset, exc)
