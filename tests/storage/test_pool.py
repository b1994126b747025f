"""A worker's PostgreSQL connections: DATABASE_POOL_SIZE of them at most, kept open, none opened for a burst
(an operator sizes the server's max_connections by it)."""
from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy import text

from bot.compose import build
from bot.config import Settings
from bot.storage.engine import is_sqlite
from conftest import FAST_PASSWORDS, FIXTURE_PACK, Clock


async def test_a_burst_waits_for_the_pools_connections_and_opens_none_beyond_them(db_url: str, clock: Clock) -> None:
    if is_sqlite(db_url):
        pytest.skip("SQLite: one writer connection, no pool to size")
    settings = Settings(database_url=db_url, contest_pack=FIXTURE_PACK, redis_url=None, web_secret="test",
                        database_pool_size=3)
    app = await build(settings, migrate=True, clock=clock, rng=random.Random(7), passwords=FAST_PASSWORDS)

    async def backend() -> int:
        async with app.engine.connect() as conn:
            return int((await conn.execute(text("SELECT pg_backend_pid() FROM pg_sleep(0.05)"))).scalar_one())

    try:
        first = set(await asyncio.gather(*(backend() for _ in range(12))))
        second = set(await asyncio.gather(*(backend() for _ in range(12))))
    finally:
        await app.close()
    assert len(first) <= 3 and second <= first  # the same connections, kept open between the bursts
