"""The `dcbot` command line."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated

import typer

from bot.config import Settings
from bot.content import read_pack
from bot.i18n import Translator
from quiz.problems import Invalid, Problem

app = typer.Typer(help="Công Dân Số: quiz chatbot for 'Xây dựng công dân số' contests.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
contest_app = typer.Typer(help="Contest packs.", no_args_is_help=True)
questions_app = typer.Typer(help="Question sets.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(contest_app, name="contest")
app.add_typer(questions_app, name="questions")


def _settings() -> Settings:
    settings = Settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return settings


def _fail_with(problems: list[Problem], settings: Settings) -> None:
    t = Translator(settings.locales_dir)
    from quiz.conversation.messages import Msg
    typer.echo(t.text(Msg("problem.header", count=len(problems)), "vi"), err=True)
    for p in problems:
        where = " ".join(x for x in (p.file, p.where) if x)
        typer.echo(f"  {where}: {t.text(Msg(p.message_id, **p.params), 'vi')}", err=True)
    raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    from bot.storage.migrate import upgrade
    settings = _settings()
    upgrade(settings.database_url)
    typer.echo("database is up to date")


@contest_app.command("load")
def contest_load(pack_dir: Annotated[Path, typer.Argument(exists=True, file_okay=False)]) -> None:
    """Validate a contest pack and store it (new question set versions only where content changed)."""
    settings = _settings()
    try:
        pack = read_pack(pack_dir)
    except Invalid as exc:
        _fail_with(exc.problems, settings)
        return

    async def go() -> None:
        from bot.storage.contests import store_pack
        from bot.storage.engine import make_engine
        engine = make_engine(settings.database_url)
        try:
            pubs = await store_pack(engine, pack, now=datetime.now(timezone.utc))
        finally:
            await engine.dispose()
        typer.echo(f"contest {pack.contest.slug}: {len(pack.contest.rounds)} rounds, {len(pack.units)} units, "
                   f"{len(pack.tips)} tips, {len(pack.faq)} FAQ entries")
        for p in pubs:
            state = f"published as version {p.version}" if p.changed else f"unchanged (version {p.version})"
            typer.echo(f"  question set {p.name}: {p.count} questions, {state}")

    asyncio.run(go())


@app.command("chat")
def chat() -> None:
    """Play the citizen's journey in this terminal."""
    settings = _settings()
    logging.getLogger().setLevel(logging.WARNING)

    async def go() -> None:
        from bot.channels.console import run_console
        from bot.compose import build
        application = await build(settings)
        try:
            await run_console(application.dispatcher, application.translator)
        finally:
            await application.close()

    asyncio.run(go())


@app.command("run")
def run() -> None:
    """Run the service: for now the console chat (web and Telegram come with their channels)."""
    chat()
