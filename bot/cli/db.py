"""`dcbot db upgrade`: create or migrate the schema."""
from __future__ import annotations

import typer

from bot.cli.common import settings

NAME = "db"
app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    from bot.storage.migrate import upgrade
    upgrade(settings().database_url)
    typer.echo("database is up to date")
