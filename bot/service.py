"""`dcbot run`: the web app always, Telegram when a token is set, in one asyncio loop."""
from __future__ import annotations

import asyncio
import logging

from bot.compose import build
from bot.config import Settings

log = logging.getLogger(__name__)


async def serve(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Run until `stop` is set (or forever)."""
    application = await build(settings, migrate=True)
    stop = stop or asyncio.Event()
    try:
        # Channels are started here: the web app (bot.web) and Telegram (bot.channels.telegram).
        log.info("serving contest %s", application.services.runtime.contest.slug)
        await stop.wait()
    finally:
        await application.close()
