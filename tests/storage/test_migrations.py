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


def test_undoing_the_counter_shards_keeps_each_units_totals(tmp_path) -> None:
    """Migration 0014 spread unit counters over shards; going back to 0013 sums them into one row each."""
    import sqlite3
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.sqlite'}"
    upgrade(url)
    db = sqlite3.connect(tmp_path / "m.sqlite")
    db.execute("INSERT INTO contests (id, slug, config, updated_at) VALUES (1, 'c', '{}', '2026-01-01')")
    db.executemany("INSERT INTO unit_counters (contest_id, unit_code, shard, participants, attempts) "
                   "VALUES (1, ?, ?, ?, ?)", [("A", 0, 1, 2), ("A", 5, 3, 4), ("B", 2, 0, 7)])
    db.commit()
    db.close()
    downgrade(url, "0013")
    db = sqlite3.connect(tmp_path / "m.sqlite")
    rows = db.execute("SELECT unit_code, participants, attempts FROM unit_counters ORDER BY unit_code").fetchall()
    assert rows == [("A", 4, 6), ("B", 0, 7)]
