"""The `dcbot` command line."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from pathlib import Path
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated

import typer

from bot.config import Settings
from bot.content import read_pack
from bot.i18n import Translator
from quiz.problems import Invalid, Problem

if TYPE_CHECKING:
    from bot.compose import App
    from bot.question_import import ImportPlan

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


def _with_app(settings: Settings, work: Callable[[App], Awaitable[None]]) -> None:
    async def go() -> None:
        from bot.compose import build
        application = await build(settings, migrate=True)
        try:
            await work(application)
        finally:
            await application.close()

    asyncio.run(go())


def _plan(path: Path, set_name: str, application: App, settings: Settings, topic: str | None) -> ImportPlan | None:
    from bot.question_import import plan_import
    try:
        return plan_import(path, set_name=set_name, runtime=application.services.runtime, default_topic=topic)
    except Invalid as exc:
        _fail_with(exc.problems, settings)
    return None


SetOption = Annotated[str, typer.Option("--set", help="Question set name, e.g. hagiang-2024.")]
TopicOption = Annotated[str | None, typer.Option("--topic", help="Topic for rows without one (Chủ đề).")]
FileArgument = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="XLSX, CSV, JSON, YAML, Aiken or GIFT.")]


@questions_app.command("validate")
def questions_validate(file: FileArgument, set_name: SetOption = "kiem-tra", topic: TopicOption = None) -> None:
    """Check a question file against the contest's rules; store nothing."""
    settings = _settings()

    async def work(application: App) -> None:
        plan = _plan(file, set_name, application, settings, topic)
        if plan is not None:
            typer.echo(f"{file.name}: {len(plan.questions)} questions, all valid.")

    _with_app(settings, work)


@questions_app.command("import")
def questions_import(file: FileArgument, set_name: SetOption, topic: TopicOption = None,
                     dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change.")] = False) -> None:
    """Validate and publish a question file as the next version of a set (all or nothing)."""
    settings = _settings()

    async def work(application: App) -> None:
        from bot.question_import import publish
        plan = _plan(file, set_name, application, settings, topic)
        if plan is None:
            return
        d = plan.diff
        current = f"version {plan.current_version}" if plan.current_version else "a new set"
        typer.echo(f"{plan.set_name}: {len(plan.questions)} valid questions; against {current}: "
                   f"{len(d.added)} added, {len(d.removed)} removed, {len(d.changed)} changed "
                   f"({len(d.rekeyed)} with a new correct answer).")
        if dry_run:
            typer.echo("Dry run: nothing was stored.")
            return
        pub = await publish(application.engine, plan, contest=application.services.runtime.contest.slug,
                            now=datetime.now(timezone.utc))
        typer.echo(f"Published {pub.name} version {pub.version}." if pub.changed
                   else f"No change: {pub.name} stays at version {pub.version}.")
        if pub.changed and d.rekeyed:
            answers, attempts = await application.services.regrade(set_name=pub.name, questions=plan.questions)
            typer.echo(f"Regraded: {answers} answers in {attempts} attempts now scored with the corrected key.")

    _with_app(settings, work)


@app.command("leaderboard")
def leaderboard(round_id: Annotated[str, typer.Argument(help="Round code, e.g. tuan-1.")],
                top: Annotated[int, typer.Option(min=1, max=1000)] = 20) -> None:
    """Print the strict ranking of a round."""
    settings = _settings()

    async def work(application: App) -> None:
        services = application.services
        if services.runtime.contest.round(round_id) is None:
            known = ", ".join(r.code for r in services.runtime.contest.rounds)
            typer.echo(f"No round {round_id!r}. Rounds: {known}", err=True)
            raise typer.Exit(2)
        ranked, figure = await services.leaderboard(round_code=round_id)
        people = await services.names([r.standing.participant_id for r in ranked[:top]])
        typer.echo(f"{round_id}: {len(ranked)} ranked; all-correct figure {figure}")
        for r in ranked[:top]:
            name, unit = people.get(r.standing.participant_id, ("—", ""))
            s = r.standing
            typer.echo(f"{r.rank:>5}  {name:<30} {unit:<25} {s.correct}/{s.total}  {s.duration_ms / 1000:7.1f}s"
                       f"  pred {s.prediction if s.prediction is not None else '—'}")

    _with_app(settings, work)


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
    """Run the service: the web chat on WEB_HOST:WEB_PORT, and Telegram when a token is set."""
    settings = _settings()

    from bot.service import CannotListen, serve
    try:
        asyncio.run(serve(settings))
    except CannotListen as exc:
        typer.echo(f"{exc} (set WEB_HOST / WEB_PORT)", err=True)
        raise typer.Exit(1) from None
