"""Alembic migrations build exactly the schema the code declares, and can be undone."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.storage.engine import make_engine
from bot.storage.migrate import downgrade, upgrade, upgrade_async
from bot.storage.tables import metadata


async def test_migrated_schema_matches_the_tables_in_code(db_url: str) -> None:
    engine = make_engine(db_url)
    await upgrade_async(engine)
    async with engine.connect() as conn:
        diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), metadata))
    await engine.dispose()
    assert diff == []


def test_migrations_downgrade_to_nothing_and_back(tmp_path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.sqlite'}"
    upgrade(url)
    downgrade(url, "base")
    upgrade(url)
    import sqlite3
    listed = sqlite3.connect(tmp_path / "m.sqlite").execute("select name from sqlite_master where type='table'")
    tables = {r[0] for r in listed}
    assert set(metadata.tables) <= tables
