"""`dcbot run` (the service, in one process or N workers) and `dcbot chat` (the citizen's journey in
this terminal). Settings that cannot work end it with one line and exit 2, never a traceback."""
from __future__ import annotations

import asyncio
import logging

import typer

from bot.cli.common import config_error, settings


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


def run(workers: int = typer.Option(1, "--workers", "-w", help="worker processes sharing WEB_PORT (more than one "
                                    "needs REDIS_URL, WEB_SECRET and a Telegram webhook); worker 0 runs the timed "
                                    "jobs")) -> None:
    """Run the service: the web chat on WEB_HOST:WEB_PORT, and Telegram and Zalo when they are set."""
    from bot.workers import SettingsRefused, check_workers, serve_with, supervise

    config = settings()
    try:
        check_workers(config, workers)
    except SettingsRefused as exc:
        config_error(str(exc))
    alone = workers == 1 and config.telegram_intake_port is None  # else a supervisor runs the intake beside
    code = serve_with(config) if alone else supervise(config, workers)
    if code:
        raise typer.Exit(code)
