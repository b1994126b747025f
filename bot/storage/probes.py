"""What /readyz and /metrics ask the database: is it there, and how many attempts it holds."""
from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import tables as t

_A = t.attempts.c


async def ping(engine: AsyncEngine) -> None:
    """Raise unless the database answers a query now."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def attempt_counts(engine: AsyncEngine) -> tuple[int, int]:
    """Attempts ever started (the newest id) and attempts open now (the partial index on open ones)."""
    async with engine.connect() as conn:
        started = (await conn.execute(select(func.coalesce(func.max(_A.id), 0)))).scalar_one()
        open_now = (await conn.execute(select(func.count()).select_from(t.attempts)
                                       .where(_A.status == "open"))).scalar_one()
    return int(started), int(open_now)
