"""`dcbot contest load`: validate a pack and store it. A new contest is stored whole; a contest that exists
is loaded again through the same rules as the dashboard (quiz.services.reload): questions keep their
identities, live rounds are named before a set changes under them, rounds with attempts keep their rules,
and every change is audited as done by "cli". Running services follow within seconds."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import fail_with, now, settings, with_app
from bot.compose import App
from bot.content import read_pack
from quiz.audit import CLI
from quiz.drafts import Stale
from quiz.imports import LiveRounds
from quiz.pack import ContestPack
from quiz.problems import Invalid

NAME = "contest"
app = typer.Typer(help="Contest packs.", no_args_is_help=True)
ConfirmOption = Annotated[list[str] | None, typer.Option(
    "--confirm-live", help="A round that uses a changed set now or later (repeat for each): change it anyway.")]


def _summary(pack: ContestPack) -> str:
    return (f"contest {pack.contest.slug}: {len(pack.contest.rounds)} rounds, {len(pack.units)} units, "
            f"{len(pack.tips)} tips, {len(pack.faq)} FAQ entries")


@app.command("load")
def contest_load(pack_dir: Annotated[Path, typer.Argument(exists=True, file_okay=False)],
                 confirm_live: ConfirmOption = None) -> None:
    """Validate a contest pack and store it (new question set versions only where content changed)."""
    config = settings()
    try:
        pack = read_pack(pack_dir)
    except Invalid as exc:
        fail_with(exc.problems, config)

    async def slugs() -> list[str]:
        from bot.storage.contests import contest_slugs
        from bot.storage.engine import make_engine
        from bot.storage.migrate import upgrade_async
        engine = make_engine(config.database_url)
        try:
            await upgrade_async(engine)
            return await contest_slugs(engine)
        finally:
            await engine.dispose()

    if pack.contest.slug not in asyncio.run(slugs()):
        async def first() -> None:
            from bot.storage.contests import store_pack
            from bot.storage.engine import make_engine
            engine = make_engine(config.database_url)
            try:
                pubs = await store_pack(engine, pack, now=now())
            finally:
                await engine.dispose()
            typer.echo(_summary(pack))
            for p in pubs:
                typer.echo(f"  question set {p.name}: {p.count} questions, published as version {p.version}")
        asyncio.run(first())
        return

    async def again(application: App) -> None:
        try:
            done = await application.uses.reload.apply(pack, by=CLI, now=now(), confirmed=confirm_live or ())
        except LiveRounds as exc:
            codes = " ".join(f"--confirm-live {r.code}" for r in exc.rounds)
            typer.echo(f"Rounds draw from a set this pack changes ({', '.join(r.code for r in exc.rounds)}); "
                       f"nothing was stored. To change it under them, run again with {codes}.", err=True)
            raise typer.Exit(1) from None
        except Stale as exc:
            typer.echo(f"{exc} changed while the pack was checked; nothing more was stored. Run it again.", err=True)
            raise typer.Exit(1) from None
        typer.echo(_summary(pack))
        published = {d.publication.name: d for d in done.sets}
        for qs in pack.question_sets:
            d = published.get(qs.name)
            if d is None:
                typer.echo(f"  question set {qs.name}: unchanged")
                continue
            regraded = f"; {d.answers_regraded} answers regraded" if d.answers_regraded else ""
            typer.echo(f"  question set {qs.name}: {d.publication.count} questions, published as version "
                       f"{d.publication.version}{regraded}")
        for label, rounds in (("created", done.created), ("changed", done.changed),
                              ("not in the pack, left as they are", done.kept)):
            if rounds:
                typer.echo(f"  rounds {label}: {', '.join(rounds)}")

    with_app(config.model_copy(update={"contest": pack.contest.slug}), again)
