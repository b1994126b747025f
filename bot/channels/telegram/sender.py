"""The one way out to Telegram: paced per chat and overall, "retry after" honoured, failures logged."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from aiogram import Bot
from aiogram.exceptions import (
    AiogramError,
    ClientDecodeError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod

from bot.channels.telegram.pace import Pace
from bot.metrics import OUTGOING, RATE_LIMITED

log = logging.getLogger(__name__)
CHANNEL = "telegram"
T = TypeVar("T")
_KEEP_PACES = 10_000


@dataclass(frozen=True, slots=True)
class Limits:
    """Telegram's published limits; tests may loosen them."""

    overall_per_second: float = 30.0
    private_per_second: float = 1.0
    group_per_minute: float = 20.0
    burst: int = 3  # Telegram tolerates short bursts in one chat
    attempts: int = 5  # tries for transient network and server errors
    backoff: float = 0.5  # seconds before the first retry, doubling up to backoff_max
    backoff_max: float = 8.0
    retry_after_times: int = 10  # how many "retry after" answers one message waits through


def chat_of(method: TelegramMethod[T]) -> int | str | None:
    chat = getattr(method, "chat_id", None)
    return chat if isinstance(chat, (int, str)) else None


class Sender:
    """Every call to the Bot API goes through here, so limits hold across handlers and broadcasts."""

    def __init__(self, bot: Bot, limits: Limits = Limits(), *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.bot, self.limits = bot, limits
        self._clock, self._sleep = clock, sleep
        self._overall = Pace(limits.overall_per_second, clock=clock)  # evenly spaced: no second holds more
        self._chats: dict[int | str, Pace] = {}

    async def send(self, method: TelegramMethod[T], *, paced: bool = True) -> T | None:
        """Deliver `method`; None (and an error in the log) when it finally could not be delivered."""
        try:
            return await self.call(method, paced=paced)
        except (TelegramForbiddenError, TelegramBadRequest) as exc:
            # Handled, and nothing to fix on our side: the user blocked the bot, a message was deleted,
            # a keyboard had already gone, a toast came too late.
            log.warning("telegram: %s to chat %s not delivered: %s", method.__api_method__, chat_of(method), exc)
            return None
        except AiogramError as exc:
            log.error("telegram: %s to chat %s not delivered: %s", method.__api_method__, chat_of(method), exc)
            return None

    async def call(self, method: TelegramMethod[T], *, paced: bool = True) -> T:
        """Deliver `method` or raise its final error; answering a callback is not paced (`paced=False`)."""
        chat = chat_of(method) if paced else None
        if paced:
            await self._wait_turn(chat)
        waits = failures = 0
        while True:
            try:
                answer = await self.bot(method)
                OUTGOING.labels(CHANNEL, "sent").inc()
                return answer
            except TelegramRetryAfter as exc:
                RATE_LIMITED.labels(CHANNEL).inc()
                waits += 1
                if waits > self.limits.retry_after_times:
                    OUTGOING.labels(CHANNEL, "failed").inc()
                    raise
                log.warning("telegram: %s to chat %s: retry after %ss", method.__api_method__, chat, exc.retry_after)
                if chat is not None:
                    self._pace(chat).hold(exc.retry_after)
                await self._sleep(exc.retry_after)
            except (TelegramNetworkError, TelegramServerError, ClientDecodeError) as exc:
                failures += 1
                if isinstance(exc, TelegramEntityTooLarge) or failures >= self.limits.attempts:
                    OUTGOING.labels(CHANNEL, "failed").inc()
                    raise
                delay = min(self.limits.backoff * 2 ** (failures - 1), self.limits.backoff_max)
                log.warning("telegram: %s failed (%s), try %d again in %.1fs", method.__api_method__, exc,
                            failures + 1, delay)
                await self._sleep(delay)

    async def _wait_turn(self, chat: int | str | None) -> None:
        if chat is not None:
            await self._pause(self._pace(chat).reserve())
        await self._pause(self._overall.reserve())

    async def _pause(self, seconds: float) -> None:
        if seconds > 0:
            await self._sleep(seconds)

    def _pace(self, chat: int | str) -> Pace:
        pace = self._chats.get(chat)
        if pace is None:
            if len(self._chats) >= _KEEP_PACES:
                self._chats = {c: p for c, p in self._chats.items() if not p.idle()}
            group = not isinstance(chat, int) or chat < 0  # private chats have positive ids
            rate = self.limits.group_per_minute / 60 if group else self.limits.private_per_second
            pace = self._chats[chat] = Pace(rate, burst=self.limits.burst, clock=self._clock)
        return pace
