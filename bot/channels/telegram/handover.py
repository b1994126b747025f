"""A webhook call stores its update, hands it to its chat's lane and waits a moment for the answer.

Telegram hears "received" as soon as the update is stored (bot.channels.telegram.once: claimed with its
body). When handling ends within `within` seconds, the 200 carries the answer to the button press, as
before; past it, the 200 goes back at once and the lane sends that answer itself when handling ends. So a
busy worker holds none of Telegram's connections while it works: the wait moves into the worker, where
the update is durable, and no longer into Telegram's queue. Should the worker die after the 200, the
stored update is finished by another worker's sweep, as any update of a dead worker is."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram import Dispatcher as UpdateDispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update

from bot.channels.telegram.lanes import Lanes
from bot.channels.telegram.once import CLAIMED
from bot.channels.telegram.sender import Sender

AT_ONCE = 32  # updates handled at once; the others wait, stored, in their lanes (see `Handover`)
QUIET = 8  # a call waits for its answer only while the worker has fewer updates than this in hand
LATER = object()  # `Handover.wait`'s word for "not handled yet: acknowledge, the lane answers the press"


class Handover:
    """The webhook calls still waiting for their update's answer (this worker's own requests only)."""

    def __init__(self, *, at_once: int = AT_ONCE, quiet: int = QUIET) -> None:
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._slots = asyncio.Semaphore(at_once)
        self.quiet = min(quiet, at_once)

    async def wait(self, update: Update, lanes: Lanes, *, within: float) -> Any:
        """Hand `update` (stored and claimed by this worker) to its lane; the answer to its press (or None)
        when handled within `within` seconds, else LATER. A failure within them is raised here. With
        `quiet` updates or more in hand, LATER at once: a busy worker would seldom finish in time, and the
        call would only hold one of Telegram's connections while waiting."""
        if within <= 0 or lanes.in_hand >= self.quiet:
            lanes.put(update)
            return LATER
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[update.update_id] = waiter
        lanes.put(update)
        try:
            await asyncio.wait({waiter}, timeout=within)
        finally:  # past `within`, or the call itself cancelled: the lane answers the press when it is done
            if not waiter.done():
                waiter.cancel()
            self._waiting.pop(update.update_id, None)
        if waiter.cancelled():
            return LATER
        return waiter.result()

    def feeder(self, dp: UpdateDispatcher, bot: Bot, sender: Sender) -> Callable[[Update], Awaitable[None]]:
        """How a lane hands an update it holds (from a webhook call, the poller or the sweep) to the routers:
        the answer to a button press goes back to the webhook call still waiting for it, else it is sent."""
        async def feed(update: Update) -> None:
            waiter = self._waiting.pop(update.update_id, None)
            try:
                async with self._slots:
                    answer = await dp.feed_update(bot, update, **{CLAIMED: True})
            except Exception as exc:
                if waiter is not None and not waiter.done():
                    waiter.set_exception(exc)  # the webhook call fails, so Telegram sends the update again
                    return
                raise  # the lane logs it; the update was given back, and the sweep tries again
            if waiter is not None and not waiter.done():
                waiter.set_result(answer)
            elif isinstance(answer, TelegramMethod):
                await sender.send(answer, paced=False)
        return feed
