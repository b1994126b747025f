"""The Zalo channel's one seam to the engine: a recorded event in, replies out within the 48-hour window."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.channels.zalo import events
from bot.channels.zalo.api import ZaloApi, text_message
from bot.channels.zalo.choices import ChoiceMemory
from bot.channels.zalo.errors import ZaloError
from bot.channels.zalo.render import Renderer, split_text
from bot.channels.zalo.window import CHANNEL, within_window
from bot.dispatch import Dispatcher, Handled
from bot.failures import traceback_without_messages
from bot.storage.inbound import InboundEvents, LastSeen
from quiz.conversation.engine import Who, guess_locale
from quiz.conversation.messages import Contact, Event, Msg, Outcome, Press, Reply, Start, Text, Unsupported

log = logging.getLogger(__name__)
SORRY = Msg("zalo.error")


class ZaloChannel:
    def __init__(self, *, dispatcher: Dispatcher, api: ZaloApi, renderer: Renderer, choices: ChoiceMemory,
                 inbound: InboundEvents, seen: LastSeen, clock: Callable[[], datetime]) -> None:
        self.dispatcher, self.api, self.renderer, self.choices = dispatcher, api, renderer, choices
        self.inbound, self.seen, self.clock = inbound, seen, clock
        self._locks: dict[str, asyncio.Lock] = {}

    async def process(self, event_id: str, payload: dict[str, Any]) -> None:
        """Handle one recorded event: the engine's changes, the user's last interaction, then the replies."""
        incoming = events.parse(payload)
        if incoming is None:
            await self.inbound.done(event_id, now=self.clock())
            return
        lock = self._locks.setdefault(incoming.user_id, asyncio.Lock())
        async with lock:  # one user's events in the order they arrived
            handled = await self._handle(incoming)
            await self.inbound.done(event_id, now=self.clock())
            if handled is not None:
                await self.deliver(incoming.user_id, handled)
        if not lock.locked() and len(self._locks) > 10_000:
            self._locks.pop(incoming.user_id, None)

    async def _handle(self, incoming: events.Incoming) -> Handled | None:
        if incoming.name == events.UNFOLLOW:
            await self.seen.forget(incoming.user_id)
            return None
        now = self.clock()
        try:
            handled = await self.dispatcher.handle(Who(CHANNEL, incoming.user_id), await self._event(incoming))
        except Exception as exc:  # the citizen hears about it; nothing half-done was committed
            log.error("zalo: %s from user %s failed\n%s", incoming.name, incoming.user_id,
                      traceback_without_messages(exc))
            handled = Handled(Outcome((Reply((SORRY,)),)), guess_locale(None))
        # The window opens when the user acted, not when we got round to it (a recovered event may be old).
        await self.seen.touch(incoming.user_id, at=min(incoming.at or now, now))
        return handled

    async def _event(self, incoming: events.Incoming) -> Event:
        if incoming.name == events.FOLLOW:
            return Start()
        if incoming.name == events.TEXT:
            text = incoming.text or ""
            action = await self.choices.resolve(incoming.user_id, text)
            return Press(action) if action is not None else Text(text)
        if incoming.name == events.SUBMIT_INFO:
            if incoming.phone:  # the form shares the user's own Zalo number
                return Contact(incoming.phone, own=True)
            return Text(incoming.full_name) if incoming.full_name else Unsupported("user_info")
        return Unsupported(incoming.kind)

    async def deliver(self, user_id: str, handled: Handled, *, remember: bool = True) -> int:
        """Send the rendered outcome inside the user's window; the number of messages delivered."""
        rendered = self.renderer.render(handled.outcome, handled.locale)
        if remember and rendered.offer is not None:
            await self.choices.remember(user_id, rendered.offer)
        if not rendered.messages:
            return 0
        if not within_window(await self.seen.get(user_id), self.clock()):
            log.warning("zalo: user %s last wrote over 48 hours ago; %d message(s) not sent",
                        user_id, len(rendered.messages))
            return 0
        sent = 0
        for message in rendered.messages:
            try:
                await self.api.send(user_id, message)
                sent += 1
            except ZaloError as exc:
                log.error("zalo: message to user %s not delivered: %s", user_id, exc)
        return sent

    async def send_text(self, user_id: str, text: str) -> None:
        """Plain text nobody asked for (a broadcast): ZaloError if the user is outside the window or it fails."""
        if not within_window(await self.seen.get(user_id), self.clock()):
            raise ZaloError(0, "the user last wrote over 48 hours ago")
        for piece in split_text(text):
            await self.api.send(user_id, text_message(piece))

    async def notify(self, user_id: str, *parts: Msg, locale: str = "vi") -> bool:
        """A message nobody asked for (a broadcast, a reminder): sent only inside the 48-hour window."""
        return await self.deliver(user_id, Handled(Outcome((Reply(parts),)), locale), remember=False) > 0
