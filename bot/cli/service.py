"""`dcbot run` (the service) and `dcbot chat` (the citizen's journey in this terminal)."""
from __future__ import annotations

import asyncio
import logging

import typer

from bot.cli.common import settings


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("chat")(chat)


def chat() -> None:
    """Play the citizen's journey in this terminal."""
    config = settings()
    logging.getLogger().setLevel(logging.WARNING)

    async def go() -> None:
        from bot.channels.console import run_console
        from bot.compose import build
        application = await build(config)
        try:
            await run_console(application.dispatcher, application.translator)
        finally:
            await application.close()

    asyncio.run(go())


def run() -> None:
    """Run the service: the web chat on WEB_HOST:WEB_PORT, and Telegram when a token is set."""
    config = settings()
    from bot.service import CannotListen, serve
    try:
        asyncio.run(serve(config))
    except CannotListen as exc:
        typer.echo(f"{exc} (set WEB_HOST / WEB_PORT)", err=True)
        raise typer.Exit(1) from None
