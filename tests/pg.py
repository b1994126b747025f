"""For tests on TEST_DATABASE_URL (PostgreSQL) that manage the database themselves: emptied for `dcbot run`
processes, or out of reach for a moment."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.storage import tables as t
from bot.storage.engine import make_engine
from bot.storage.migrate import upgrade_async


async def emptied(url: str) -> None:
    """The database at the newest migration, every table empty and every id counting from 1 again."""
    engine = make_engine(url)
    try:
        await upgrade_async(engine)
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {', '.join(x.name for x in t.metadata.sorted_tables)} "
                                    "RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@asynccontextmanager
async def database_down(url: str) -> AsyncIterator[None]:
    """No new connection to the database, and every open one cut, until the block ends."""
    name = make_url(url).database
    admin = await asyncpg.connect(make_url(url).set(drivername="postgresql", database="postgres")
                                  .render_as_string(hide_password=False))
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name)
        yield
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()
