"""A worker's end of the intake (bot.channels.telegram.intake_process): the stream of updates the intake stored
and claimed for this worker, each handed to its chat's lane. The press is answered by the lane (a Bot API
call), since the intake has long since answered Telegram's call."""
from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp
import orjson
from aiogram import Bot
from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError
from pydantic import ValidationError

from bot.channels.telegram.intake_process import HEARTBEAT_S, SECRET_HEADER, STREAM_PATH
from bot.channels.telegram.lanes import Lanes
from bot.channels.telegram.once import Claims
from bot.failures import traceback_without_messages
from bot.health import Backoff

log = logging.getLogger(__name__)


class Feed:
    def __init__(self, url: str, secret: str, *, bot: Bot, claims: Claims, lanes: Lanes) -> None:
        self.url, self.secret = url.rstrip("/") + STREAM_PATH, secret
        self.bot, self.claims, self.lanes = bot, claims, lanes
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="telegram-intake-feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        backoff = Backoff(first=0.2, most=5.0)
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=5, sock_read=3 * HEARTBEAT_S)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                try:
                    async with session.get(self.url, params={"worker": self.claims.worker},
                                           headers={SECRET_HEADER: self.secret}) as response:
                        if response.status != 200:
                            raise aiohttp.ClientResponseError(response.request_info, (), status=response.status)
                        backoff.reset()
                        rest = b""  # lines split here: aiohttp's own line reader refuses one over 512 KB, and
                        # the intake takes a body up to 1 MB
                        async for chunk in response.content.iter_any():
                            *lines, rest = (rest + chunk).split(b"\n")
                            for line in lines:
                                if line.strip():  # else a heartbeat
                                    await self.lanes.until_room()  # behind: the intake holds the rest, then Telegram
                                    await self._take(line)
                except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                    log.warning("telegram: the intake's stream broke (%s); again in %.1fs", type(exc).__name__,
                                backoff.next)
                except Exception as exc:  # never the end of the feed: what was passed and not taken lapses to a sweep
                    log.error("telegram: the intake's stream failed; again in %.1fs\n%s", backoff.next,
                              traceback_without_messages(exc))
                await backoff.wait()

    async def _take(self, line: bytes) -> None:
        """Hand the update on `line` to its lane; one this bot cannot read is finished unhandled. Never raises:
        an update that could not be taken is not held here, so its claim lapses and a sweep tries it again."""
        try:
            key, body = orjson.loads(line)
            update = Update.model_validate(body, context={"bot": self.bot})
            update.event_type  # noqa: B018 - raises for an update that carries no event aiogram knows
        except (ValidationError, UpdateTypeLookupError):
            log.warning("telegram: update %s is not one this bot reads; dropped", key)
            try:
                await self.claims.finish(int(key))
            except Exception as exc:
                log.error("telegram: could not finish update %s\n%s", key, traceback_without_messages(exc))
            return
        except Exception as exc:
            log.error("telegram: a line from the intake could not be read\n%s", traceback_without_messages(exc))
            return
        self.claims.held.add(key)
        self.lanes.put(update)
