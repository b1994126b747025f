"""A webhook update is acknowledged as soon as what it changed is stored: the press answered in the reply
itself, the question edited after, from the outbox; a worker that cannot finish in time acknowledges the
stored update at once and answers the press after; replies a worker stored but never sent (it died after
the 200) are sent by another worker. On SQLite and PostgreSQL, through the real webhook."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram.methods import SendMessage
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot.channels.telegram.plan import SEND, Step, dump
from bot.compose import App
from bot.storage import tables as t
from bot.storage.engine import AsyncEngine, make_engine
from bot.storage.inbound import InboundEvents

from .conftest import webhook_worker
from .fake_api import FakeTelegram
from .fake_server import FakeBotApiServer
from .journey import register, start_attempt
from .people import Citizen, right_letter
from .webhook_reply import carry_out

SECRET = "outbox-secret"


class GatedBotApi(FakeBotApiServer):
    """The fake Bot API, whose edits can be held back: Telegram slow, or this worker busy sending."""

    def __init__(self, fake: FakeTelegram) -> None:
        super().__init__(fake)
        self.edits = asyncio.Event()
        self.edits.set()

    async def _call(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "editMessageText":
            await self.edits.wait()
        return await super()._call(request)


@pytest.fixture
async def gated() -> AsyncIterator[GatedBotApi]:
    server = GatedBotApi(FakeTelegram())
    await server.start()
    yield server
    await server.stop()


class Worker:
    def __init__(self, app: App, client: TestClient[Any, Any], fake: FakeTelegram) -> None:
        self.app, self.client, self.fake = app, client, fake
        self.inbound = InboundEvents(app.engine, "telegram")
        self.replies: list[str | None] = []  # the method each webhook reply carried

    async def post(self, update: dict[str, Any]) -> int:
        async with self.client.post("/telegram/webhook", json=update,
                                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
            self.replies.append(await carry_out(response, self.fake))
            return response.status

    async def sent(self, update: dict[str, Any]) -> None:
        async with asyncio.timeout(20):
            while not ((s := await self.inbound.standing(str(update["update_id"]))) and s.done and not s.unsent):
                await asyncio.sleep(0.01)

    async def deliver(self, update: dict[str, Any]) -> None:
        """As a citizen sees it: the update acknowledged, and its replies arrived."""
        assert await self.post(update) == 200
        await self.sent(update)


async def start_worker(stack: AsyncExitStack, db_url: str, api: FakeBotApiServer, *,
                       ack_within_s: float | None = None) -> Worker:
    return Worker(*await webhook_worker(stack, db_url, api.base, secret=SECRET, ack_within_s=ack_within_s),
                  api.fake)


async def at_the_first_question(worker: Worker, api: FakeBotApiServer, user_id: int) -> tuple[Citizen, int,
                                                                                               dict[str, Any]]:
    """A registered citizen at question 1 of an attempt: they, the question's message id, and the press of
    its right answer (not sent yet)."""
    c = Citizen(api.fake, worker.deliver, user_id=user_id)
    await register(c)
    question = await start_attempt(c)
    letter = right_letter(c.screen.last.text)
    return c, question, c.press_update(*c.screen.button(lambda label: label == letter))


async def answers_stored(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(t.answers))).scalar_one())


async def test_a_press_is_acknowledged_with_its_toast_once_stored_and_the_question_edited_after(
        db_url: str, gated: GatedBotApi) -> None:
    async with AsyncExitStack() as stack:  # handling ends well within the time a call waits for it
        worker = await start_worker(stack, db_url, gated, ack_within_s=10.0)
        c, question, press = await at_the_first_question(worker, gated, 5001)

        gated.edits.clear()  # Telegram (or this worker's sending) is slow
        assert await worker.post(press) == 200
        assert worker.replies[-1] == "answerCallbackQuery" and c.screen.toasts()[-1] == "Đã ghi nhận"
        stored = await answers_stored(worker.app.engine)
        standing = await worker.inbound.standing(str(press["update_id"]))
        assert stored == 1 and standing is not None and standing.done, "acknowledged once stored"
        assert c.screen.last.text.startswith("Câu 1/10"), "the edit goes out after the acknowledgement"

        gated.edits.set()
        await worker.sent(press)
        assert c.screen.last.message_id == question and c.screen.last.text.startswith("Câu 2/10")


async def test_a_worker_that_cannot_finish_in_time_acknowledges_the_stored_press_and_answers_it_after(
        db_url: str, gated: GatedBotApi) -> None:
    async with AsyncExitStack() as stack:
        worker = await start_worker(stack, db_url, gated, ack_within_s=0.0)  # no time at all: always after
        c, question, press = await at_the_first_question(worker, gated, 5003)
        toasts = len(c.screen.toasts())

        assert await worker.post(press) == 200
        assert worker.replies[-1] is None, "the 200 carries nothing: Telegram's connection is free at once"
        assert await worker.inbound.standing(str(press["update_id"])) is not None, "stored before the 200"

        await worker.sent(press)
        async with asyncio.timeout(20):  # the answer to the press goes out beside the edit, in no set order
            while len(c.screen.toasts()) == toasts:
                await asyncio.sleep(0.01)
        assert c.screen.toasts()[toasts:] == ["Đã ghi nhận"], "the press answered once, by the worker itself"
        assert await answers_stored(worker.app.engine) == 1
        assert c.screen.last.message_id == question and c.screen.last.text.startswith("Câu 2/10")


async def test_a_worker_stopped_right_after_acknowledging_a_press_finishes_and_answers_it_first(
        db_url: str, gated: GatedBotApi) -> None:
    async with AsyncExitStack() as stack:  # closed as `dcbot run` stops on SIGTERM
        worker = await start_worker(stack, db_url, gated, ack_within_s=0.0)
        c, question, press = await at_the_first_question(worker, gated, 5004)
        toasts = len(c.screen.toasts())
        assert await worker.post(press) == 200 and worker.replies[-1] is None, "acknowledged, not answered yet"
    engine = make_engine(db_url)
    try:
        stored = await answers_stored(engine)
        standing = await InboundEvents(engine, "telegram").standing(str(press["update_id"]))
    finally:
        await engine.dispose()
    assert stored == 1 and standing is not None and standing.done and not standing.unsent
    assert c.screen.toasts()[toasts:] == ["Đã ghi nhận"]
    assert c.screen.last.message_id == question and c.screen.last.text.startswith("Câu 2/10")


EDIT_STORED = {"k": "edit", "m": "editMessageText", "p": {"chat_id": 5003, "message_id": 77, "text": "Câu 3/10"}}


@pytest.mark.parametrize(("stored", "sent_instead"), [
    (EDIT_STORED, "Câu 3/10"),  # as stored now: the edit's own text and keyboard go as a new message
    (EDIT_STORED | {"i": [{"k": "send", "m": "sendMessage", "p": {"chat_id": 5003, "text": "Câu 3/10 (mới)"}}]},
     "Câu 3/10 (mới)"),  # as an earlier version stored it, with what to send instead beside the edit
], ids=["now", "earlier"])
async def test_a_stored_edit_that_cannot_be_made_is_sent_as_a_new_message_by_another_worker(
        db_url: str, gated: GatedBotApi, stored: dict[str, Any], sent_instead: str) -> None:
    async with AsyncExitStack() as stack:
        first = await start_worker(stack, db_url, gated)
        gated.fake.fail("editMessageText", 400, {"ok": False, "error_code": 400,
                                                 "description": "Bad Request: message to edit not found"})
        long_ago = datetime.now(UTC) - timedelta(hours=1)
        async with first.app.engine.begin() as conn:
            await conn.execute(t.inbound_events.insert().values(
                channel="telegram", event_id="900002", received_at=long_ago, processed_at=long_ago,
                claimed_by="dead", claimed_at=long_ago, tries=1, outbox=[stored]))

        await first.sent({"update_id": 900002})
    assert [c.method for c in gated.fake.calls if c.params.get("chat_id") == 5003] == ["editMessageText",
                                                                                       "sendMessage"]
    assert [c.params["text"] for c in gated.fake.delivered("sendMessage")] == [sent_instead]


async def test_replies_stored_by_a_worker_that_died_after_acknowledging_are_sent_by_another(
        db_url: str, gated: GatedBotApi) -> None:
    async with AsyncExitStack() as stack:
        first = await start_worker(stack, db_url, gated)
        # What a worker that died right after its 200 leaves: the update handled, its reply stored, unsent.
        long_ago = datetime.now(UTC) - timedelta(hours=1)
        steps = dump([Step(SEND, SendMessage(chat_id=5002, text="Đăng ký thành công!"))])
        async with first.app.engine.begin() as conn:
            await conn.execute(t.inbound_events.insert().values(
                channel="telegram", event_id="900001", received_at=long_ago, processed_at=long_ago,
                claimed_by="dead", claimed_at=long_ago, tries=1, outbox=steps))

        await first.sent({"update_id": 900001})  # any worker's sweep takes it over
        sent = [call.params["text"] for call in gated.fake.delivered("sendMessage") if call.params["chat_id"] == 5002]
        assert sent == ["Đăng ký thành công!"]
