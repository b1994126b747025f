"""`dcbot questions validate/check/import`: the same checks and publication as the dashboard's import page."""
from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Annotated

import typer

from bot import bank_text
from bot.cli.common import now, say, settings, with_app
from bot.compose import App
from bot.i18n import Translator
from bot.import_files import from_path
from quiz.audit import CLI
from quiz.conversation.messages import Msg
from quiz.drafts import Stale
from quiz.imports import LiveRounds

NAME = "questions"
app = typer.Typer(help="Question sets.", no_args_is_help=True)
SetOption = Annotated[str, typer.Option("--set", help="Question set name, e.g. hagiang-2024.")]
TopicOption = Annotated[str | None, typer.Option("--topic", help="Topic for rows without one (Chủ đề).")]
FileArgument = Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                              help="XLSX, CSV, JSON, YAML, Aiken or GIFT.")]


@app.command("validate")
def questions_validate(file: FileArgument, set_name: SetOption = "kiem-tra", topic: TopicOption = None) -> None:
    """Check a question file against the contest's rules; store nothing."""
    async def work(application: App) -> None:
        plan = await application.imports.plan(from_path(file, default_topic=topic), file=file.name,
                                              set_name=set_name, default_topic=topic)
        typer.echo(f"{file.name}: {len(plan.questions)} questions, all valid.")

    with_app(settings(), work)


OptionalFile = Annotated[Path | None, typer.Argument(exists=True, dir_okay=False,
                                                     help="A question file to check before importing it.")]
OptionalSet = Annotated[str | None, typer.Option("--set", help="The published set to check, or the set the file "
                                                               "is meant for (its rounds are checked too).")]


@app.command("check")
def questions_check(file: OptionalFile = None, set_name: OptionalSet = None, topic: TopicOption = None) -> None:
    """Quality checks of a bank: answers shown by their length, giveaways, near-duplicates, difficulty
    balance, documents newer than a round. Findings never make it fail; an unreadable file does."""
    config = settings()

    async def work(application: App) -> None:
        if file is not None:
            plan = await application.imports.plan(from_path(file, default_topic=topic), file=file.name,
                                                  set_name=set_name or "kiem-tra", default_topic=topic)
            questions, name = plan.questions, file.name
        elif set_name is not None and set_name in application.runtime.sets:
            questions, name = application.runtime.sets[set_name].questions, set_name
        else:
            known = ", ".join(sorted(application.runtime.sets)) or "—"
            typer.echo(say(Msg("bank.no_set", set=set_name or "—", known=known), config), err=True)
            raise typer.Exit(1)
        report = await asyncio.to_thread(application.imports.findings, questions, set_name=set_name or "")
        t = Translator(config.locales_dir)
        typer.echo(t.text(bank_text.header(report, name), "vi"))
        for where, what in bank_text.lines(report, t):
            typer.echo(f"  {where or '*'}: {what}")
        typer.echo(t.text(bank_text.counts(report), "vi"))

    with_app(config, work)


ConfirmOption = Annotated[list[str] | None, typer.Option(
    "--confirm-live", help="A round that uses the set now or later (repeat for each): publish over it anyway.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Show what would change.")]


@app.command("import")
def questions_import(file: FileArgument, set_name: SetOption, topic: TopicOption = None, dry_run: DryRun = False,
                     confirm_live: ConfirmOption = None) -> None:
    """Validate and publish a question file as the next version of a set (all or nothing)."""
    async def work(application: App) -> None:
        plan = await application.imports.plan(from_path(file, default_topic=topic), file=file.name,
                                              set_name=set_name, default_topic=topic)
        d = plan.diff
        current = f"version {plan.current_version}" if plan.current_version else "a new set"
        typer.echo(f"{plan.set_name}: {len(plan.questions)} valid questions; against {current}: "
                   f"{len(d.added)} added, {len(d.removed)} removed, {len(d.changed)} changed "
                   f"({len(d.rekeyed)} with a new correct answer).")
        if dry_run:
            typer.echo("Dry run: nothing was stored.")
            return
        try:
            done = await application.imports.publish_plan(
                plan, by=CLI, now=now(), source=file.name, source_hash=hashlib.sha256(file.read_bytes()).hexdigest(),
                confirmed=confirm_live or ())
        except Stale:
            typer.echo(f"{plan.set_name} changed while this file was checked; nothing was stored. Run it again.",
                       err=True)
            raise typer.Exit(1) from None
        except LiveRounds as exc:
            codes = " ".join(f"--confirm-live {r.code}" for r in exc.rounds)
            typer.echo(f"Rounds use {plan.set_name} now or later ({', '.join(r.code for r in exc.rounds)}); nothing "
                       f"was stored. To publish over them, run again with {codes}.", err=True)
            raise typer.Exit(1) from None
        pub = done.publication
        typer.echo(f"Published {pub.name} version {pub.version}." if pub.changed
                   else f"No change: {pub.name} stays at version {pub.version}.")
        if pub.changed and d.rekeyed:
            typer.echo(f"Regraded: {done.answers_regraded} answers in {done.attempts_regraded} attempts now scored "
                       "with the corrected key.")
            for code in done.frozen_rounds:
                typer.echo(f"Round {code} is closed: its published winners did not change; "
                           f"`dcbot rounds close {code} --refreeze` publishes them again from the new scores.")

    with_app(settings(), work)
