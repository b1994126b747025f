"""Webhook updates are handled once: Telegram redelivers an update it did not see answered."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

from bot.storage.inbound import InboundEvents

log = logging.getLogger(__name__)


class OncePerUpdate(BaseMiddleware):
    """Records each update_id before handling; a redelivery of a recorded id is skipped.
    If handling fails the record is released, so Telegram's retry is handled."""

    def __init__(self, inbound: InboundEvents) -> None:
        self.inbound = inbound

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        key = str(event.update_id)
        if not await self.inbound.record(key, {}, now=datetime.now(UTC)):
            log.info("telegram: update %s delivered again; already handled", key)
            return None
        try:
            result = await handler(event, data)
        except BaseException:
            await self.inbound.release(key)
            raise
        await self.inbound.done(key, now=datetime.now(UTC))
        return result
