"""Two processes writing one SQLite file (the webhook's intake beside its worker, the CLI beside the service):
a write waits for the other's write lock while the event loop goes on (reads answered meanwhile) and is stored
once the lock is let go, whether it goes through SQLAlchemy or to the driver itself (bot.storage.direct); held
too long, the write gives up as a database out of reach (the citizen is asked to try again) and stores nothing."""
from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import OperationalError

from bot.storage import direct
from bot.storage import tables as t
from bot.storage.engine import AsyncEngine, make_engine, unreachable
from bot.storage.inbound import InboundEvents
from bot.storage.migrate import upgrade_async

NOW = datetime(2024, 6, 20, 1, 30, tzinfo=UTC)


@contextmanager
def held_elsewhere(path: Path) -> Iterator[None]:
    """The file's write lock, taken by a connection of its own (as another process's) until the block ends."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


async def writes(path: Path) -> tuple[AsyncEngine, AsyncEngine, InboundEvents]:
    url = f"sqlite+aiosqlite:///{path}"
    engine = make_engine(url)
    await upgrade_async(engine)
    return engine, make_engine(url, read_only=True), InboundEvents(engine, "telegram")


async def claim(inbound: InboundEvents, key: str) -> set[str]:
    """An update claimed as the intake claims it (the driver itself, one call on aiosqlite's thread)."""
    return await inbound.claim({key: {"update_id": 1}}, worker="w1", now=NOW, stale_before=NOW - timedelta(seconds=30),
                               max_tries=5)


async def insert_row(engine: AsyncEngine, key: str) -> None:
    """A write through SQLAlchemy (its transaction begun by bot.storage.engine)."""
    async with engine.begin() as conn:
        await conn.execute(insert(t.inbound_events).values(channel="telegram", event_id=key, received_at=NOW,
                                                           payload={"update_id": 2}, tries=0))


async def count(reader: AsyncEngine) -> int:
    async with reader.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(t.inbound_events))).scalar_one())


async def test_a_write_waits_for_another_process_and_the_loop_goes_on_meanwhile(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    engine, reader, inbound = await writes(path)
    try:
        with held_elsewhere(path):
            claimed = asyncio.ensure_future(claim(inbound, "101"))
            inserted = asyncio.ensure_future(insert_row(engine, "102"))
            await asyncio.sleep(0.3)
            assert await count(reader) == 0  # read meanwhile: the waiting writes hold up nothing else
            assert not claimed.done() and not inserted.done()
        assert await asyncio.wait_for(claimed, 20) == {"101"}
        await asyncio.wait_for(inserted, 20)
        assert await count(reader) == 2
    finally:
        await engine.dispose()
        await reader.dispose()


async def test_a_lock_held_too_long_is_a_database_out_of_reach_and_nothing_is_stored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(direct, "LOCK_WAIT_S", 0.2)
    path = tmp_path / "shared.sqlite"
    engine, reader, inbound = await writes(path)
    try:
        with held_elsewhere(path):
            for write in (claim(inbound, "201"), insert_row(engine, "202")):
                with pytest.raises(OperationalError) as refused:
                    await asyncio.wait_for(write, 20)
                assert unreachable(refused.value)  # the service's "try again in a moment"
        assert await count(reader) == 0
        assert await claim(inbound, "203") == {"203"}  # and the next write, with the lock free, is stored
        assert await count(reader) == 1
    finally:
        await engine.dispose()
        await reader.dispose()


def test_a_writer_waiting_for_a_long_held_lock_tries_less_often_as_the_wait_grows(tmp_path: Path) -> None:
    """An import holding the lock for a second: the waiting writer gets it once it is let go, having tried a
    hundred or so times, not the 2,000 a second that catch a busy worker's gaps (a few % of a core)."""
    path = tmp_path / "shared.sqlite"
    sqlite3.connect(path).close()
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    waiter = sqlite3.connect(path, isolation_level=None)
    waiter.execute("PRAGMA busy_timeout=0")  # as the service's writers (bot.storage.engine)
    tries: list[str] = []
    waiter.set_trace_callback(lambda sql: tries.append(sql) if sql.startswith("BEGIN") else None)
    other.execute("BEGIN IMMEDIATE")
    letting_go = threading.Timer(1.0, lambda: other.execute("ROLLBACK"))
    letting_go.start()
    try:
        direct.begin_immediate(waiter)
        assert waiter.in_transaction and not other.in_transaction  # taken once the other let it go
        assert 2 <= len(tries) < 400
    finally:
        letting_go.join()
        waiter.close()
        other.close()
