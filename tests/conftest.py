"""Fixture chain: database URL → migrated schema → per-test cleanup → application."""
from __future__ import annotations

import os
import random
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher, profiles
from sqlalchemy import text

from bot.compose import App, build
from bot.config import Settings
from bot.passwords import Passwords
from bot.storage.engine import make_engine
from bot.storage.migrate import upgrade_async
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
    await upgrade_async(engine)
    async with engine.begin() as conn:
        names = ", ".join(t.name for t in metadata.sorted_tables)
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    await engine.dispose()
    yield PG_URL


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
