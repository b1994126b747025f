"""Fixture chain: database URL → migrated schema → per-test cleanup → application."""
from __future__ import annotations

import asyncio
import functools
import os
import random
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from argon2 import PasswordHasher, profiles
from sqlalchemy import text

from bot.compose import App, build
from bot.config import Settings
from bot.passwords import Passwords
from bot.storage.engine import AsyncEngine, make_engine
from bot.storage.migrate import alembic_config, upgrade_async
from bot.storage.tables import metadata

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_PACK = ROOT / "tests" / "fixtures" / "pack"
PG_URL = os.environ.get("TEST_DATABASE_URL")
# Production hashes cost about half a second here; tests sign in dozens of times.
FAST_PASSWORDS = Passwords(PasswordHasher.from_parameters(profiles.CHEAPEST))


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2024, 6, 20, 1, 30, tzinfo=UTC))  # 08:30 in Hà Giang


def _db_params() -> list[object]:
    params: list[object] = ["sqlite"]
    params.append(pytest.param("postgresql", marks=pytest.mark.postgres) if PG_URL else
                  pytest.param("postgresql", marks=pytest.mark.skip(reason="TEST_DATABASE_URL not set")))
    return params


@pytest.fixture(params=_db_params())
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, migrated database: a new SQLite file, or the PostgreSQL test database emptied."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite'}"
        return
    assert PG_URL
    engine = make_engine(PG_URL)
    await _rebuilt_once(engine)
    await _emptied(engine)
    await engine.dispose()
    yield PG_URL


APPEND_ONLY = ("audit_log",)  # tables the database refuses to DELETE from


_REBUILT: list[bool] = []


async def _rebuilt_once(engine: AsyncEngine) -> None:
    """Once per test run, the schema as the migrations make it today. A database left at head by an earlier
    checkout may hold tables a migration since edited made differently (CI reuses one database), and a test
    failing on a missing column would say nothing about the change under test. Later tests only migrate if
    they must; dropping costs two seconds."""
    if not _REBUILT:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        _REBUILT.append(True)
    if not await _at_head(engine):
        await upgrade_async(engine)


@pytest.fixture(scope="session", autouse=True)
def _fresh_postgres() -> None:
    """Tests that start workers on TEST_DATABASE_URL themselves find the schema of this checkout too."""
    if not (PG_URL and PG_URL.startswith("postgresql")):
        return

    async def rebuild() -> None:
        engine = make_engine(PG_URL)
        try:
            await _rebuilt_once(engine)
        finally:
            await engine.dispose()

    asyncio.run(rebuild())


async def _at_head(engine: AsyncEngine) -> bool:
    """Whether the database is at the newest migration: asking costs less than Alembic reading every one."""
    async with engine.connect() as conn:
        if (await conn.execute(text("SELECT to_regclass('alembic_version')"))).scalar() is None:
            return False
        stored = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    return stored == _newest_migration()


@functools.cache
def _newest_migration() -> str | None:
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


async def _emptied(engine: AsyncEngine) -> None:
    """Every row gone and every id counting from 1 again. A test leaves a few rows, and deleting them takes a
    tenth of the time TRUNCATE does; an append-only table with rows is truncated."""
    async with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name not in APPEND_ONLY:
                await conn.execute(table.delete())
            elif (await conn.execute(text(f"SELECT EXISTS (SELECT 1 FROM {table.name})"))).scalar():
                await conn.execute(text(f"TRUNCATE {table.name}"))
        await conn.execute(text("SELECT setval(c.oid::regclass, 1, false) FROM pg_class c "
                                "WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace"))


AppFactory = Callable[..., "object"]


@pytest.fixture
async def make_app(db_url: str, clock: Clock) -> AsyncIterator[Callable[..., object]]:
    """Build applications on the test database; all are closed after the test."""
    apps: list[App] = []

    async def factory(pack: Path = FIXTURE_PACK, seed: int = 7) -> App:
        settings = Settings(database_url=db_url, contest_pack=pack, redis_url=None, web_secret="test")
        app = await build(settings, migrate=True, clock=clock, rng=random.Random(seed), passwords=FAST_PASSWORDS)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        await app.close()


@pytest.fixture
async def app(make_app: Callable[..., object]) -> App:
    return await make_app()  # type: ignore[misc, no-any-return]
