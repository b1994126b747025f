"""What every command shares: settings read once, the composed service for the command's life,
problems and refusals printed in Vietnamese, and a non-zero exit."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, NoReturn

import typer
from pydantic import ValidationError

from bot import logs
from bot.compose import App, build
from bot.config import Settings
from bot.i18n import Translator
from quiz.conversation.messages import Msg
from quiz.problems import Invalid, Problem
from quiz.rounds import FrozenWinner, RoundRefused

CONFIG_EXIT = 2  # settings that cannot work: one line says which, no traceback


def settings() -> Settings:
    """The settings, read once; unusable ones end the command with one line naming them, and exit 2."""
    try:
        read = Settings()
    except ValidationError as exc:
        config_error("; ".join(_problem(e) for e in exc.errors()))
    logs.configure(read.log_level, read.log_format)
    return read


def _problem(error: Any) -> str:
    where = "_".join(str(part) for part in error.get("loc", ())).upper() or "settings"
    return f"{where}: {str(error.get('msg', 'not valid')).removeprefix('Value error, ')}"


def config_error(message: str) -> NoReturn:
    typer.echo(f"configuration error: {message}", err=True)
    raise typer.Exit(CONFIG_EXIT)


def now() -> datetime:
    return datetime.now(UTC)


def say(msg: Msg, config: Settings) -> str:
    return Translator(config.locales_dir).text(msg, "vi")


def fail_with(problems: Sequence[Problem], config: Settings) -> NoReturn:
    t = Translator(config.locales_dir)
    typer.echo(t.text(Msg("problem.header", count=len(problems)), "vi"), err=True)
    for p in problems:
        where, what = t.problem(p, "vi")
        typer.echo(f"  {' '.join(x for x in (p.file, where) if x)}: {what}", err=True)
    raise typer.Exit(1)


def with_app(config: Settings, work: Callable[[App], Awaitable[None]]) -> None:
    """Run `work` on the composed service (schema migrated first); refusals and problems end the command."""
    async def go() -> None:
        application = await build(config, migrate=True)
        try:
            await work(application)
        except RoundRefused as exc:
            typer.echo(say(Msg(exc.message_id, **exc.params), config), err=True)
            raise typer.Exit(1) from None
        except Invalid as exc:
            fail_with(exc.problems, config)
        finally:
            await application.close()

    asyncio.run(go())


async def echo_winners(application: App, winners: Sequence[FrozenWinner]) -> None:
    people = await application.standings.names([w.participant_id for w in winners])
    for w in winners:
        name, unit = people.get(w.participant_id, ("—", ""))
        typer.echo(f"{w.rank:>4}  {w.prize:<13} {name:<30} {unit:<25} {w.correct}/{w.total}  "
                   f"{w.duration_ms / 1000:7.1f}s  pred {w.prediction if w.prediction is not None else '—'}")
