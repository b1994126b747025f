"""The one way out to Telegram: replies paced per chat, broadcasts also overall, "retry after" honoured,
failures logged.

Telegram's "about 30 messages per second" is its guidance for bulk notifications to many users; replies to
what users just did are not held to it. So a reply waits only for its own chat (about one a second after a
short burst; 20 a minute in a group) and for any "retry after" Telegram gave: for that chat, or for the whole
bot when the 429 concerns no chat or several chats at once (then Telegram limits the bot, not a chat).
Broadcasts (`broadcast=True`) also share one budget of TELEGRAM_BROADCAST_PER_SECOND. With Redis every pace
and hold is shared by all workers (bot.channels.telegram.pace)."""
from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
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

from bot.channels.telegram.pace import BOT, MemoryPaces, Paces
from bot.metrics import OUTGOING, RATE_LIMITED

log = logging.getLogger(__name__)
CHANNEL = "telegram"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Limits:
    """Telegram's published limits; tests may loosen them."""

    broadcast_per_second: float = 30.0  # broadcasts only, all workers together; replies are never held to it
    private_per_second: float = 1.0
    group_per_minute: float = 20.0
    burst: int = 3  # Telegram tolerates short bursts in one chat
    attempts: int = 5  # tries for transient network and server errors
    backoff: float = 0.5  # seconds before the first retry, doubling up to backoff_max
    backoff_max: float = 8.0
    retry_after_times: int = 10  # how many "retry after" answers one message waits through
    bot_wide_chats: int = 3  # a 429 for this many chats within bot_wide_window seconds holds the whole bot
    bot_wide_window: float = 1.0


def chat_of(method: TelegramMethod[T]) -> int | str | None:
    chat = getattr(method, "chat_id", None)
    return chat if isinstance(chat, (int, str)) else None


def is_group(chat: int | str) -> bool:
    return not isinstance(chat, int) or chat < 0  # private chats have positive ids


class Sender:
    """Every call to the Bot API goes through here, so limits hold across handlers and broadcasts."""

    def __init__(self, bot: Bot, limits: Limits = Limits(), *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, paces: Paces | None = None) -> None:
        self.bot, self.limits = bot, limits
        self._clock, self._sleep = clock, sleep
        self.paces = paces or MemoryPaces(clock=clock)
        self._limited: deque[tuple[float, int | str | None]] = deque(maxlen=64)  # recent 429s: when, which chat

    async def close(self) -> None:
        """Let go of shared paces (Redis), if any."""
        closing = getattr(self.paces, "close", None)
        if closing is not None:
            await closing()

    async def send(self, method: TelegramMethod[T], *, paced: bool = True, broadcast: bool = False) -> T | None:
        """Deliver `method`; None (and an error in the log) when it finally could not be delivered."""
        try:
            return await self.call(method, paced=paced, broadcast=broadcast)
        except (TelegramForbiddenError, TelegramBadRequest) as exc:
            # Handled, and nothing to fix on our side: the user blocked the bot, a message was deleted,
            # a keyboard had already gone, a toast came too late.
            log.warning("telegram: %s to chat %s not delivered: %s", method.__api_method__, chat_of(method), exc)
            return None
        except AiogramError as exc:
            log.error("telegram: %s to chat %s not delivered: %s", method.__api_method__, chat_of(method), exc)
            return None

    async def call(self, method: TelegramMethod[T], *, paced: bool = True, broadcast: bool = False) -> T:
        """Deliver `method` or raise its final error. `paced=False`: not held to its chat's pace (answering
        a button press, deleting a note), only to a hold on the whole bot. `broadcast`: one of many messages
        to many chats, also held to the broadcasts' budget."""
        chat = chat_of(method)
        waits = failures = 0
        while True:
            await self._wait_turn(chat if paced else None, broadcast=broadcast)
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
                held = await self._hold(chat, exc.retry_after)
                log.warning("telegram: %s to chat %s: retry after %ss (%s)", method.__api_method__, chat,
                            exc.retry_after, held)
            except (TelegramNetworkError, TelegramServerError, ClientDecodeError) as exc:
                failures += 1
                if isinstance(exc, TelegramEntityTooLarge) or failures >= self.limits.attempts:
                    OUTGOING.labels(CHANNEL, "failed").inc()
                    raise
                delay = min(self.limits.backoff * 2 ** (failures - 1), self.limits.backoff_max)
                log.warning("telegram: %s failed (%s), try %d again in %.1fs", method.__api_method__, exc,
                            failures + 1, delay)
                await self._sleep(delay)

    async def _wait_turn(self, chat: int | str | None, *, broadcast: bool) -> None:
        """A slot of the chat's pace (or only the bot's hold, unpaced), and of the broadcasts' budget."""
        if chat is None:
            rate, burst = math.inf, 1
        elif is_group(chat):
            rate, burst = self.limits.group_per_minute / 60, self.limits.burst
        else:
            rate, burst = self.limits.private_per_second, self.limits.burst
        wait = await self.paces.reserve(f"chat:{chat}" if chat is not None else BOT, rate=rate, burst=burst)
        if broadcast:
            wait = max(wait, await self.paces.reserve("broadcast", rate=self.limits.broadcast_per_second))
        if wait > 0:
            await self._sleep(wait)

    async def _hold(self, chat: int | str | None, seconds: float) -> str:
        """Honour "retry after" where it applies: the chat's, or the whole bot's when no chat (or several
        chats within a moment) was refused. Every worker honours it (with shared paces)."""
        now = self._clock()
        self._limited.append((now, chat))
        recent = {c for at, c in self._limited if now - at <= self.limits.bot_wide_window}
        if chat is None or None in recent or len(recent) >= self.limits.bot_wide_chats:
            await self.paces.hold(BOT, seconds)
            return "the whole bot waits"
        await self.paces.hold(f"chat:{chat}", seconds)
        return "this chat waits"
