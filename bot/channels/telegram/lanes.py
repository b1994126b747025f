"""One lane per chat: a chat's updates are handled one after another, in the order they came; different
chats at the same time, so nobody waits on another chat's "retry after" or burst of messages."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from aiogram.types import Update

from bot.failures import traceback_without_messages

log = logging.getLogger(__name__)
ROOM = 1000  # updates in hand before the poller stops fetching more


def chat_of(update: Update) -> int:
    """Whose lane an update joins: its chat, else its sender; an update with neither is a lane of its own."""
    message = update.message or (update.callback_query.message if update.callback_query else None)
    if message is not None:
        return message.chat.id
    if update.my_chat_member is not None:
        return update.my_chat_member.chat.id
    if update.callback_query is not None:
        return update.callback_query.from_user.id
    return -update.update_id  # never a real chat's id: those of groups are below -10**9, of people positive


class Lanes:
    """Runs `handle` for each update put in; `handle` must not raise (a failure is logged and skipped)."""

    def __init__(self, handle: Callable[[Update], Awaitable[None]], *, room: int = ROOM) -> None:
        self._handle, self.room = handle, room
        self._waiting: dict[int, deque[Update]] = {}
        self._runners: dict[int, asyncio.Task[None]] = {}
        self._in_hand = 0
        self._changed = asyncio.Event()

    @property
    def in_hand(self) -> int:
        return self._in_hand

    def put(self, update: Update) -> None:
        lane = chat_of(update)
        self._waiting.setdefault(lane, deque()).append(update)
        self._in_hand += 1
        if lane not in self._runners:
            self._runners[lane] = asyncio.create_task(self._run(lane), name=f"telegram-chat-{lane}")

    async def _run(self, lane: int) -> None:
        waiting = self._waiting[lane]
        try:
            while waiting:
                update = waiting[0]
                try:
                    await self._handle(update)
                except Exception as exc:
                    log.error("telegram: update %s failed\n%s", update.update_id, traceback_without_messages(exc))
                waiting.popleft()
                self._in_hand -= 1
                self._changed.set()
        finally:
            if not waiting:
                del self._waiting[lane]
            del self._runners[lane]
            self._changed.set()

    async def until_room(self) -> None:
        """Return once fewer than `room` updates are in hand."""
        while self._in_hand >= self.room:
            self._changed.clear()
            await self._changed.wait()

    async def drain(self) -> None:
        """Return once every update put in has been handled."""
        while self._runners:
            await asyncio.gather(*list(self._runners.values()), return_exceptions=True)

    async def cancel(self) -> list[Update]:
        """Stop every lane now; the updates not handled (including those cut short)."""
        runners = list(self._runners.values())
        for runner in runners:
            runner.cancel()
        for runner in runners:
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        left = [u for waiting in self._waiting.values() for u in waiting]
        self._waiting.clear()
        self._in_hand = 0
        return left
