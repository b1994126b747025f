"""The webhook's intake as a process of its own (TELEGRAM_INTAKE_PORT, bot.channels.telegram.intake_process):
Telegram's call is answered once the update is stored, claimed for a worker connected to the intake, and that
worker handles it and replies; an update sent again is not handled twice; a chat's updates go to one worker, in
the order they came; a worker behind takes no more than its lanes hold; bad calls are refused and store nothing,
and /healthz says whether a worker is connected. On SQLite and PostgreSQL; the first test's worker is the real
one (aiogram and the service's routers against the fake Bot API server)."""
from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.types import Update
from aiohttp.test_utils import TestServer, make_mocked_request
from sqlalchemy import func, select

from bot.channels.telegram.feed import Feed
from bot.channels.telegram.intake_process import SECRET_HEADER, STREAM_PATH, Intake, Stream
from bot.channels.telegram.lanes import Lanes, chat_of
from bot.channels.telegram.once import Claims
from bot.config import Settings
from bot.storage import tables as t
from bot.storage.engine import make_engine
from bot.storage.inbound import InboundEvents
from bot.storage.migrate import upgrade_async

from .conftest import PACK, ROOT, TOKEN, webhook_worker
from .fake_server import FakeBotApiServer
from .test_once import start_update, until_done, welcomes

SECRET = "intake-secret"
WITHIN = 20.0  # seconds a step may take on a busy machine (a bound, not a speed goal)


@asynccontextmanager
async def running_intake(db_url: str, **options: Any) -> AsyncIterator[tuple[Intake, str]]:
    engine = make_engine(db_url)
    await upgrade_async(engine)
    await engine.dispose()
    intake = Intake(Settings(database_url=db_url, contest_pack=PACK, locales_dir=ROOT / "locales", redis_url=None,
                             telegram_webhook_secret=SECRET, telegram_lease_s=1.0), **options)
    server = TestServer(intake.app())
    await server.start_server()
    try:
        yield intake, str(server.make_url("")).rstrip("/")
    finally:
        await server.close()
        await intake.engine.dispose()


async def until(check: Callable[[], Any], what: str) -> None:
    try:
        async with asyncio.timeout(WITHIN):
            while not check():
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"not within {WITHIN}s: {what}") from None


async def post(base: str, body: Any, *, secret: str = SECRET) -> int:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    async with aiohttp.ClientSession() as http, http.post(
            base + "/telegram/webhook", data=io.BytesIO(raw),
            headers={SECRET_HEADER: secret, "Content-Type": "application/json"}) as response:
        return response.status


async def stored(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(t.inbound_events))).scalar_one())
    finally:
        await engine.dispose()


async def test_a_call_is_answered_once_stored_and_the_worker_connected_to_the_intake_replies(
        db_url: str, bot_api: FakeBotApiServer) -> None:
    async with running_intake(db_url) as (intake, base), AsyncExitStack() as stack:
        port = int(base.rsplit(":", 1)[1])
        app, _ = await webhook_worker(stack, db_url, bot_api.base, secret=SECRET, intake_port=port)
        inbound = InboundEvents(app.engine, "telegram")
        await until(lambda: intake.workers.pick(1) is not None, "the worker connected to the intake")
        first = start_update(3101)

        assert await post(base, first) == 200
        standing = await inbound.standing(str(first["update_id"]))
        assert standing is not None, "Telegram heard 'received' only once the update was stored"
        await until_done(inbound, first)
        assert welcomes(bot_api, 3101) == 1

        assert await post(base, first) == 200  # sent again: Telegram did not hear the first 200
        later = start_update(3101)
        assert await post(base, later) == 200
        await until_done(inbound, later)  # the chat's lane handled what came before it first
        assert welcomes(bot_api, 3101) == 2, "the update sent again was not handled twice"

        novel = {"update_id": 900_000_000 + later["update_id"], "a_kind_aiogram_does_not_know": {"id": 3101}}
        assert await post(base, novel) == 200
        await until_done(inbound, novel)  # stored, passed on, and finished unhandled by the worker


async def test_bad_calls_are_refused_and_store_nothing(db_url: str) -> None:
    async with running_intake(db_url) as (intake, base):
        update = start_update(3102)
        assert await post(base, update) == 503, "no worker to hand it to: Telegram keeps it and sends it again"
        assert await post(base, update, secret="wrong") == 401
        async with aiohttp.ClientSession() as http, http.post(base + "/telegram/webhook", json=update) as response:
            assert response.status == 401, "no secret"
        assert await post(base, b"{not json") == 400
        assert await post(base, b"[" * 5000) == 400
        for not_an_update in ([], {"message": {}}, {"update_id": "7"}, {"update_id": True}, {"update_id": 2**70},
                              {"update_id": 9, "message": {"chat": {"id": 2**64}}}):
            assert await post(base, not_an_update) == 200, "acknowledged and dropped: sending it again cannot help"
        async with aiohttp.ClientSession() as http, http.get(base + "/telegram/intake?worker=w",
                                                             headers={SECRET_HEADER: "wrong"}) as response:
            assert response.status == 401, "only the workers, with the secret, take updates from the intake"
        assert intake.workers.pick(1) is None
        async with aiohttp.ClientSession() as http, http.get(base + "/healthz") as response:
            assert response.status == 503 and (await response.json())["workers"] == 0
    assert await stored(db_url) == 0


async def test_a_chats_updates_go_to_one_worker_in_the_order_they_came(db_url: str) -> None:
    async with running_intake(db_url) as (intake, base), AsyncExitStack() as stack:
        engine = make_engine(db_url)
        stack.push_async_callback(engine.dispose)
        inbound = InboundEvents(engine, "telegram")
        bot = Bot(token=TOKEN)
        stack.push_async_callback(bot.session.close)
        got: dict[str, list[Update]] = {}

        def worker(name: str) -> Feed:
            claims = Claims(inbound, lease=timedelta(seconds=30), worker=name)

            async def handle(update: Update) -> None:
                got.setdefault(name, []).append(update)
                await claims.finish(update.update_id)
            feed = Feed(base, SECRET, bot=bot, claims=claims, lanes=Lanes(handle))
            feed.start()
            stack.push_async_callback(feed.stop)
            return feed
        worker("a"), worker("b")
        await until(lambda: len(intake.workers.connected()) == 2, "both workers connected")
        async with aiohttp.ClientSession() as http, http.get(base + "/healthz") as response:
            assert response.status == 200 and (await response.json())["workers"] == 2
        sent = [start_update(4000 + chat) for _ in range(3) for chat in range(6)]
        sent[7]["message"]["text"] = "/start " + "Xây dựng công dân số. " * 24_000  # a line of 670 KB on the stream

        for update in sent:
            assert await post(base, update) == 200
        await until(lambda: sum(map(len, got.values())) == len(sent), "every update handled")

        assert set(got) == {"a", "b"}, "both workers take a share"
        for chat in range(4000, 4006):
            holders = [name for name, updates in got.items() if any(chat_of(u) == chat for u in updates)]
            assert len(holders) == 1, f"chat {chat}'s updates all went to one worker, not {holders}"
            order = [u.update_id for u in got[holders[0]] if chat_of(u) == chat]
            assert order == [u["update_id"] for u in sent if u["message"]["chat"]["id"] == chat]


async def test_a_worker_behind_takes_no_more_than_its_lanes_hold(db_url: str) -> None:
    """A worker with as many updates in hand as its lanes take reads no more from its stream: the rest waits in
    the stream's buffers, then in the intake's backlog for it, and then Telegram's calls wait for their 200.
    Once the worker catches up, every update is handled, in order."""
    async with running_intake(db_url, backlog=1) as (intake, base), AsyncExitStack() as stack:
        engine = make_engine(db_url)
        stack.push_async_callback(engine.dispose)
        claims = Claims(InboundEvents(engine, "telegram"), lease=timedelta(seconds=30), worker="slow")
        bot = Bot(token=TOKEN)
        stack.push_async_callback(bot.session.close)
        going, handled = asyncio.Event(), []

        async def handle(update: Update) -> None:
            await going.wait()
            handled.append(update.update_id)
            await claims.finish(update.update_id)
        lanes = Lanes(handle, room=2)
        feed = Feed(base, SECRET, bot=bot, claims=claims, lanes=lanes)
        feed.start()
        stack.push_async_callback(feed.stop)
        await until(lambda: intake.workers.pick(1) is not None, "the worker connected")
        sent = [start_update(5000) for _ in range(40)]

        for update in sent:  # one after another, as Telegram sends a chat's updates
            assert await post(base, update) == 200
        await asyncio.sleep(0.5)
        in_hand = lanes.in_hand
        going.set()

        assert in_hand == 2, "the worker took no more than its lanes hold"
        await until(lambda: len(handled) == len(sent), "every update handled once the worker caught up")
        assert handled == [u["update_id"] for u in sent]


async def test_calls_waiting_for_room_all_go_on_when_the_stream_goes_however_many() -> None:
    """More calls waiting for room in a worker's full backlog than the backlog holds: when its stream goes,
    every one of them is answered (what they stored lapses to a sweep), none is left waiting, nor a later one."""
    stream = Stream(make_mocked_request("GET", STREAM_PATH), backlog=2)
    for k in range(2):
        await stream.offer(b"%d\n" % k)
    waiting = [asyncio.ensure_future(stream.offer(b"more\n")) for _ in range(7)]
    await asyncio.sleep(0.05)
    assert not any(call.done() for call in waiting), "a full backlog holds the calls back"
    stream.close()
    await asyncio.wait_for(asyncio.gather(*waiting), WITHIN)
    await asyncio.wait_for(stream.offer(b"later\n"), WITHIN)
