"""Each update is handled once by one worker, and none is lost when a worker dies with it in hand:
on SQLite and PostgreSQL, through the real webhook and the fake Bot API server."""
from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram.types import Update
from aiohttp.test_utils import TestClient

from bot.channels.telegram.once import MAX_TRIES, Claims, body_of
from bot.compose import App
from bot.storage.engine import AsyncEngine, make_engine
from bot.storage.inbound import InboundEvents
from bot.storage.migrate import upgrade_async
from pg import database_down

from .conftest import webhook_worker
from .fake_server import FakeBotApiServer

SECRET = "once-secret"
_ids = itertools.count(700_000)


def start_update(user_id: int) -> dict[str, Any]:
    update_id = next(_ids)
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 1_718_850_000, "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        "chat": {"id": user_id, "type": "private", "first_name": "An"},
        "from": {"id": user_id, "is_bot": False, "first_name": "An", "language_code": "vi"}}}


def welcomes(bot_api: FakeBotApiServer, chat_id: int) -> int:
    return sum(1 for c in bot_api.fake.delivered("sendMessage")
               if c.params["chat_id"] == chat_id and "Nghị định 13" in c.params["text"])


class Worker:
    """One worker's web app with the Telegram webhook, on the shared database."""

    def __init__(self, app: App, client: TestClient[Any, Any], bot_api: FakeBotApiServer) -> None:
        self.app, self.client, self.bot_api = app, client, bot_api
        self.inbound = InboundEvents(app.engine, "telegram")

    async def post(self, update: dict[str, Any]) -> int:
        async with self.client.post("/telegram/webhook", json=update,
                                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
            return response.status


@pytest.fixture
async def workers(db_url: str, bot_api: FakeBotApiServer) -> AsyncIterator[Callable[..., Any]]:
    """workers(n) starts n workers in webhook mode on the test database; all are stopped after the test."""
    async with AsyncExitStack() as stack:
        async def start(n: int = 1, *, sweep_s: float = 0.2) -> list[Worker]:
            started = []
            for _ in range(n):
                started.append(Worker(*await webhook_worker(stack, db_url, bot_api.base, secret=SECRET,
                                                            sweep_s=sweep_s), bot_api))
            return started
        yield start


async def migrated(db_url: str) -> AsyncEngine:
    engine = make_engine(db_url)
    await upgrade_async(engine)
    return engine


async def left_by_a_dead_worker(db_url: str, update: dict[str, Any], *, tries: int = 1) -> None:
    """The update as a worker that died while handling it left it: recorded, claimed long ago, unfinished."""
    engine = await migrated(db_url)
    inbound = InboundEvents(engine, "telegram")
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    for _ in range(tries):
        assert await inbound.claim({str(update["update_id"]): update}, worker="dead", now=long_ago,
                                   stale_before=long_ago + timedelta(seconds=1), max_tries=MAX_TRIES)
    await engine.dispose()


async def until_done(inbound: InboundEvents, update: dict[str, Any]) -> None:
    """Until the update is handled and its replies are sent."""
    async with asyncio.timeout(20):
        while not ((standing := await inbound.standing(str(update["update_id"]))) and standing.done
                   and not standing.unsent):
            await asyncio.sleep(0.02)


async def test_a_redelivered_update_whose_worker_died_is_handled_not_skipped(
        db_url: str, bot_api: FakeBotApiServer, workers: Callable[..., Any]) -> None:
    [worker] = await workers(1, sweep_s=3600)  # no sweep after the one at start: only the redelivery helps
    update = start_update(2001)
    await left_by_a_dead_worker(db_url, update)

    assert await worker.post(update) == 200  # Telegram delivers it again: the first call got no answer
    await until_done(worker.inbound, update)
    assert welcomes(bot_api, 2001) == 1


async def test_the_same_update_sent_to_two_workers_at_once_is_handled_once_and_acknowledged_once_stored(
        bot_api: FakeBotApiServer, workers: Callable[..., Any]) -> None:
    first, second = await workers(2)
    update = start_update(2002)
    stored_at_answer: list[bool] = []

    async def post(worker: Worker) -> int:
        status = await worker.post(update)
        stored_at_answer.append(await worker.inbound.standing(str(update["update_id"])) is not None)
        return status

    assert await asyncio.gather(post(first), post(second)) == [200, 200]
    assert stored_at_answer == [True, True], "neither worker answered Telegram before the update was stored"
    await until_done(first.inbound, update)
    assert welcomes(bot_api, 2002) == 1


async def test_a_worker_finishes_what_a_dead_worker_left_without_being_asked_again(
        db_url: str, bot_api: FakeBotApiServer, workers: Callable[..., Any]) -> None:
    update = start_update(2003)
    await left_by_a_dead_worker(db_url, update)
    [worker] = await workers(1)

    await until_done(worker.inbound, update)
    assert welcomes(bot_api, 2003) == 1


async def test_an_update_that_failed_too_often_is_given_up_with_an_error_in_the_log(
        db_url: str, bot_api: FakeBotApiServer, workers: Callable[..., Any], caplog: pytest.LogCaptureFixture) -> None:
    update = start_update(2004)
    await left_by_a_dead_worker(db_url, update, tries=MAX_TRIES)
    [worker] = await workers(1)

    await until_done(worker.inbound, update)
    assert welcomes(bot_api, 2004) == 0
    assert f"update {update['update_id']} given up: failed too often" in caplog.text
    assert await worker.post(update) == 200 and welcomes(bot_api, 2004) == 0, "a redelivery changes nothing"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 6, 20, 1, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_a_worker_renewing_its_claims_while_it_finishes_them_is_never_refused(db_url: str) -> None:
    """The renewal every few seconds meets the round that marks updates done, on the same rows. On
    PostgreSQL it once ran on a connection of its own and locked them in another order than the round:
    one of the two was cancelled as a deadlock (seen with two workers under load), the round's updates
    failed and the webhook answered 500."""
    engine = await migrated(db_url)
    inbound, clock = InboundEvents(engine, "telegram"), Clock()
    busy = Claims(inbound, lease=timedelta(seconds=30), clock=clock, worker="busy")
    updates = [Update.model_validate(start_update(3000 + i)) for i in range(400)]
    try:
        assert await busy.take(updates) == updates
        for k in range(0, len(updates), 40):  # finished newest first, as lanes end in any order
            await asyncio.gather(*(busy.finish(u.update_id) for u in reversed(updates[k:k + 40])),
                                 *(busy.renew() for _ in range(4)))
        clock.now += timedelta(hours=1)
        assert await busy.take(updates) == [], "every update finished, none left for another worker"
    finally:
        await engine.dispose()


async def test_a_claim_renewed_in_time_is_kept_and_one_left_to_lapse_is_taken_over(db_url: str) -> None:
    engine = await migrated(db_url)
    inbound, clock = InboundEvents(engine, "telegram"), Clock()
    alive, other = (Claims(inbound, lease=timedelta(seconds=30), clock=clock, worker=w) for w in ("alive", "other"))
    update = Update.model_validate(start_update(2005))
    try:
        assert await alive.take([update]) == [update]
        assert await other.take([update]) == [], "a new update in one worker's hand"
        clock.now += timedelta(seconds=20)
        await alive.renew()
        clock.now += timedelta(seconds=20)
        assert await other.take([update]) == [], "renewed 20 s ago: its worker is alive"
        clock.now += timedelta(seconds=11)
        assert await other.take([update]) == [update], "not renewed for 31 s: its worker died"
        await other.give_back([update.update_id])
        assert await alive.take([update]) == [update], "given back: taken at once"
        await alive.finish(update.update_id)
        clock.now += timedelta(hours=1)
        assert await other.take([update]) == [] and await alive.take([update]) == [], "finished: never again"
    finally:
        await engine.dispose()


async def test_an_update_is_taken_over_at_most_max_tries_times(db_url: str) -> None:
    engine = await migrated(db_url)
    inbound, clock = InboundEvents(engine, "telegram"), Clock()
    update = Update.model_validate(start_update(2006))
    try:
        taken = 0
        for n in range(MAX_TRIES + 2):
            if await Claims(inbound, lease=timedelta(seconds=30), clock=clock, worker=f"w{n}").take([update]):
                taken += 1
            clock.now += timedelta(minutes=1)
        assert taken == MAX_TRIES
        [left] = await inbound.overdue(stale_before=clock.now)
        assert left.tries == MAX_TRIES
    finally:
        await engine.dispose()


async def test_two_workers_taking_the_same_batch_at_once_split_it(db_url: str) -> None:
    engine = await migrated(db_url)
    inbound = InboundEvents(engine, "telegram")
    batch = [Update.model_validate(start_update(3000 + i)) for i in range(20)]
    try:
        one, two = (Claims(inbound, lease=timedelta(seconds=30), worker=w) for w in ("one", "two"))
        got = await asyncio.gather(one.take(batch), two.take(batch), one.take(batch))
        ids = sorted(u.update_id for taken in got for u in taken)
        assert ids == sorted(u.update_id for u in batch), "each update taken by exactly one"
    finally:
        await engine.dispose()


async def test_an_update_posted_while_the_database_is_down_is_not_acknowledged_and_its_redelivery_is_handled(
        db_url: str, bot_api: FakeBotApiServer, workers: Callable[..., Any]) -> None:
    """Nothing could be recorded, so Telegram must not hear the update arrived: it sends it again, and then
    it is handled once. PostgreSQL refusing connections for real."""
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: it can refuse connections for a moment")
    [worker] = await workers(1, sweep_s=3600)
    update = start_update(2101)
    async with database_down(db_url):
        assert await worker.post(update) >= 500
    assert welcomes(bot_api, 2101) == 0

    assert await worker.post(update) == 200  # Telegram's next try
    await until_done(worker.inbound, update)
    assert await worker.post(update) == 200  # and one more: already handled
    assert welcomes(bot_api, 2101) == 1


async def test_an_update_claimed_for_a_worker_that_never_received_it_lapses_though_that_worker_lives(
        db_url: str) -> None:
    """The intake (bot.channels.telegram.intake_process) stores an update claimed for a worker, then passes it
    on that worker's stream; if the stream broke first, the worker never holds it. Its renewals must not keep
    it: it lapses, and another worker's sweep takes it."""
    engine = await migrated(db_url)
    inbound, clock = InboundEvents(engine, "telegram"), Clock()
    alive, other = (Claims(inbound, lease=timedelta(seconds=30), clock=clock, worker=w) for w in ("alive", "other"))
    held, lost = (Update.model_validate(start_update(2010 + n)) for n in range(2))
    try:
        assert await alive.take([held]) == [held]
        now = clock()
        assert await inbound.claim({str(lost.update_id): body_of(lost)}, worker="alive", now=now,
                                   stale_before=now - timedelta(seconds=30), max_tries=MAX_TRIES)
        clock.now += timedelta(seconds=20)
        await alive.renew()
        clock.now += timedelta(seconds=11)
        assert await other.take([held, lost]) == [lost], "the one it holds is renewed, the one it never got lapses"
    finally:
        await engine.dispose()


async def test_a_worker_stopping_gives_back_what_was_claimed_for_it_even_what_never_reached_it(db_url: str) -> None:
    """At a stop (a deploy, a restart) the updates in hand and those the intake passed that never arrived are
    taken at once by another worker, not after the lease."""
    engine = await migrated(db_url)
    inbound, clock = InboundEvents(engine, "telegram"), Clock()
    stopping, other = (Claims(inbound, lease=timedelta(seconds=30), clock=clock, worker=w)
                       for w in ("stopping", "other"))
    held, passed, finished = (Update.model_validate(start_update(2020 + n)) for n in range(3))
    try:
        assert await stopping.take([held, finished]) == [held, finished]
        await stopping.finish(finished.update_id)
        now = clock()
        assert await inbound.claim({str(passed.update_id): body_of(passed)}, worker="stopping", now=now,
                                   stale_before=now - timedelta(seconds=30), max_tries=MAX_TRIES)
        await stopping.close()
        assert await other.take([held, passed, finished]) == [held, passed], "at once: no lease to wait for"
    finally:
        await engine.dispose()
