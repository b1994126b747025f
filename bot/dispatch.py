"""One entry for every channel: load state, run the engine, save state, hand back replies."""
from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.metrics import EVENT_SECONDS
from bot.state import StateStore
from quiz.conversation.engine import Conversation, Who, is_answer
from quiz.conversation.messages import Event, Outcome, event_kind


def utcnow() -> datetime:
    return datetime.now(UTC)


def state_key(channel: str, external_id: str) -> str:
    """Where a chat account's conversation state is kept."""
    return f"{channel}:{external_id}"


@dataclass(frozen=True, slots=True)
class Handled:
    outcome: Outcome
    locale: str


class Dispatcher:
    """Serialises the events of one account: in this process by a lock, across workers by the state store's
    hold (Redis). An answer to a question is not held across workers, the busiest event: the database
    guards it, and all but the last of an attempt leave the flow where it was."""

    def __init__(self, conversation: Conversation, states: StateStore, *, clock: Callable[[],
                                                                                          datetime] = utcnow) -> None:
        self.conversation, self.states, self.clock = conversation, states, clock
        self._locks: dict[str, asyncio.Lock] = {}

    async def handle(self, who: Who, event: Event, *, public: bool = False) -> Handled:
        """`public`: the event comes from a group chat, where reading never moves the citizen's own flow."""
        key = state_key(who.channel, who.external_id)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock, (contextlib.nullcontext() if is_answer(event) else self.states.hold(key)):
            started = time.perf_counter()
            state = await self.states.get(key)
            new_state, outcome, locale = await self.conversation.handle(who, state, event, now=self.clock(),
                                                                        public=public)
            if new_state != state:  # most answers leave the flow where it was: no write (a round trip on Redis)
                await self.states.set(key, new_state)
            EVENT_SECONDS.labels(who.channel, event_kind(event)).observe(time.perf_counter() - started)
        if not lock.locked() and len(self._locks) > 10_000:
            self._locks.pop(key, None)
        return Handled(outcome, locale)
