"""For tests that start `dcbot run` processes themselves on TEST_DATABASE_URL (PostgreSQL)."""
from __future__ import annotations

from sqlalchemy import text

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
