"""Two workers handle one account's events one at a time (a Telegram chat's next message can reach the other
worker once the first was acknowledged): the second reads the state the first left, not the one before it.
Answers to questions are not held up: the database guards them, and they leave the flow where it was."""
from __future__ import annotations

import asyncio
import os
import uuid

import pytest

from bot.dispatch import Dispatcher
from bot.state import RedisStates
from conftest import Clock
from quiz.conversation.engine import Conversation, Who
from quiz.conversation.messages import Text
from quiz.conversation.state import ChatState, Step

from .conftest import World
from .people import agree

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set")


class SlowToSave(RedisStates):
    """A worker whose writes of the conversation state take a while (a busy event loop, say)."""

    async def set(self, key: str, state: ChatState) -> None:
        await asyncio.sleep(0.2)
        await super().set(key, state)


async def test_a_second_message_on_the_other_worker_reads_what_the_first_left(world: World, clock: Clock) -> None:
    first, second = SlowToSave(REDIS_URL or ""), RedisStates(REDIS_URL or "")
    conversation = Conversation(world.dispatcher.conversation.services)
    a, b = Dispatcher(conversation, first, clock=clock), Dispatcher(conversation, second, clock=clock)
    person = world.person(f"two-{uuid.uuid4().hex[:8]}", channel="telegram")
    who = Who("telegram", person.who.external_id)
    try:
        world.dispatcher = a  # the chat opened and consent given through worker a
        await person.start()
        await agree(person)
        named = asyncio.create_task(a.handle(who, Text("Nguyễn Văn An")))  # on worker a …
        await asyncio.sleep(0.05)
        year = await b.handle(who, Text("1990"))  # … and the next message, typed at once, on worker b
        await named
        assert "Bước 3/4" in world.translator.text(year.outcome.replies[-1].parts[-1], "vi")
        assert (await second.get(f"telegram:{who.external_id}")).step is Step.REG_PHONE
    finally:
        await first.close()
        await second.close()
