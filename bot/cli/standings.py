"""`dcbot leaderboard`: the strict ranking of a round, as every other surface shows it."""
from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import settings, with_app
from bot.compose import App


def register(app: typer.Typer) -> None:
    app.command("leaderboard")(leaderboard)


def leaderboard(round_id: Annotated[str, typer.Argument(help="Round code, e.g. tuan-1.")],
                top: Annotated[int, typer.Option(min=1, max=1000)] = 20) -> None:
    """Print the strict ranking of a round."""
    async def work(application: App) -> None:
        standings = application.standings
        if application.runtime.contest.round(round_id) is None:
            known = ", ".join(r.code for r in application.runtime.contest.rounds)
            typer.echo(f"No round {round_id!r}. Rounds: {known}", err=True)
            raise typer.Exit(2)
        ranked, figure = await standings.leaderboard(round_code=round_id)
        people = await standings.names([r.standing.participant_id for r in ranked[:top]])
        typer.echo(f"{round_id}: {len(ranked)} ranked; all-correct figure {figure}")
        for r in ranked[:top]:
            name, unit = people.get(r.standing.participant_id, ("—", ""))
            s = r.standing
            typer.echo(f"{r.rank:>5}  {name:<30} {unit:<25} {s.correct}/{s.total}  {s.duration_ms / 1000:7.1f}s"
                       f"  pred {s.prediction if s.prediction is not None else '—'}")

    with_app(settings(), work)
