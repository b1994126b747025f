"""Running Alembic migrations from code (no alembic.ini needed)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision`; safe to run again."""
    command.upgrade(alembic_config(url), revision)


async def upgrade_async(engine: AsyncEngine, revision: str = "head") -> None:
    """The same as `upgrade`, from inside a running event loop."""

    def run(connection: Connection) -> None:
        cfg = alembic_config(str(engine.url))
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)
