"""`dcbot contest load`: validate a pack and store it; running services follow the new revision."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import fail_with, now, settings
from bot.content import read_pack
from quiz.problems import Invalid

NAME = "contest"
app = typer.Typer(help="Contest packs.", no_args_is_help=True)


@app.command("load")
def contest_load(pack_dir: Annotated[Path, typer.Argument(exists=True, file_okay=False)]) -> None:
    """Validate a contest pack and store it (new question set versions only where content changed)."""
    config = settings()
    try:
        pack = read_pack(pack_dir)
    except Invalid as exc:
        fail_with(exc.problems, config)

    async def go() -> None:
        from bot.storage.contests import store_pack
        from bot.storage.engine import make_engine
        from bot.storage.migrate import upgrade_async
        engine = make_engine(config.database_url)
        try:
            await upgrade_async(engine)
            pubs = await store_pack(engine, pack, now=now())
        finally:
            await engine.dispose()
        typer.echo(f"contest {pack.contest.slug}: {len(pack.contest.rounds)} rounds, {len(pack.units)} units, "
                   f"{len(pack.tips)} tips, {len(pack.faq)} FAQ entries")
        for p in pubs:
            state = f"published as version {p.version}" if p.changed else f"unchanged (version {p.version})"
            typer.echo(f"  question set {p.name}: {p.count} questions, {state}")

    asyncio.run(go())
