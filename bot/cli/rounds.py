"""`dcbot rounds …`: the same rules and transactions as the dashboard's rounds page."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from bot.cli.common import echo_winners, now, settings, with_app
from bot.compose import App
from quiz.audit import CLI
from quiz.rounds import RoundState

NAME = "rounds"
app = typer.Typer(help="Rounds: list, create, change, open and close (closing freezes the winners).",
                  no_args_is_help=True)
CodeArgument = Annotated[str, typer.Argument(help="Round code, e.g. tuan-1.")]
Title = Annotated[str | None, typer.Option(help="Title in Vietnamese.")]
QSet = Annotated[str | None, typer.Option("--set", help="Question set name.")]
Questions = Annotated[int | None, typer.Option(help="Questions per attempt (10–40; practice 1–40).")]
Minutes = Annotated[int | None, typer.Option(help="Time limit of an attempt in minutes.")]
PerRound = Annotated[int | None, typer.Option(help="Attempts per participant in the round; 0 = no cap.")]
PerDay = Annotated[int | None, typer.Option(help="Attempts per participant per day; 0 = no cap.")]
Practice = Annotated[bool | None, typer.Option("--practice/--ranked", help="Unlimited practice that never ranks.")]
Prediction = Annotated[bool | None, typer.Option("--prediction/--no-prediction", help="Ask the prediction question.")]
Quota = Annotated[list[str] | None, typer.Option(help="Topic quota TOPIC=N (repeat; N=0 removes it).")]
Level = Annotated[list[str] | None, typer.Option(help="Difficulty quota LEVEL=N, LEVEL easy, medium or hard (repeat; "
                                                      "N=0 removes it).")]
Opens = Annotated[str | None, typer.Option(help='"YYYY-MM-DD HH:MM" contest time, or none.')]
Closes = Annotated[str | None, typer.Option(help='"YYYY-MM-DD HH:MM" contest time, or none.')]


def round_line(s: RoundState, at: datetime, tz: ZoneInfo) -> str:
    r = s.round

    def when(d: datetime | None) -> str:
        return d.astimezone(tz).strftime("%d/%m %H:%M") if d else "…"

    state = (f"closed {when(s.closed_at)}, figure {s.figure}" if s.closed else "open" if r.is_open(at)
             else "not yet open" if r.opens and at < r.opens else "ended, closing")
    caps = " ".join(x for x in (f"{r.attempts_per_round}/round" if r.attempts_per_round else "",
                                f"{r.attempts_per_day}/day" if r.attempts_per_day else "") if x) or "no cap"
    kind = "practice" if r.practice else "prediction" if r.prediction else "ranked"
    return (f"{r.code:<12} {state:<30} {when(r.opens)} → {when(r.closes)}  {r.questions_per_attempt} q, "
            f"{int(r.time_limit.total_seconds() // 60)} min, {caps}, {kind}, set {r.question_set}")


async def _echo_state(application: App, code: str) -> None:
    typer.echo(round_line(await application.rounds.state(code), now(), application.runtime.tz))


@app.command("list")
def rounds_list() -> None:
    """Every round with its state, times and settings."""
    async def work(application: App) -> None:
        for s in await application.rounds.states():
            typer.echo(round_line(s, now(), application.runtime.tz))

    with_app(settings(), work)


def settings_from(*, title: str | None, question_set: str | None, questions: int | None, minutes: int | None,
                  per_round: int | None, per_day: int | None, practice: bool | None, prediction: bool | None,
                  quota: list[str] | None, opens: str | None, closes: str | None,
                  level: list[str] | None = None) -> dict[str, object]:
    """Options in the contest pack's terms, so the pack's rules check them; 0 means no cap, "none" no time."""
    given: dict[str, object] = {}
    for key, value in (("title", title), ("question_set", question_set), ("questions_per_attempt", questions),
                       ("time_limit_minutes", minutes), ("practice", practice), ("prediction", prediction)):
        if value is not None:
            given[key] = value
    for key, cap in (("attempts_per_round", per_round), ("attempts_per_day", per_day)):
        if cap is not None:
            given[key] = cap or None
    for key, moment in (("opens", opens), ("closes", closes)):
        if moment is not None:
            given[key] = None if moment.strip().lower() in ("", "none") else moment.strip()
    if quota:
        quotas: dict[str, object] = {}
        for item in quota:
            topic, _, n = item.partition("=")
            quotas[topic.strip()] = int(n) if n.strip().isascii() and n.strip().isdigit() else n
        given["topic_quotas"] = {k: v for k, v in quotas.items() if v != 0}
    if level:
        levels: dict[str, object] = {}
        for item in level:
            name, _, n = item.partition("=")
            levels[name.strip()] = int(n) if n.strip().isascii() and n.strip().isdigit() else n
        given["difficulty_quotas"] = {k: v for k, v in levels.items() if v != 0}
    return given


def _settings_command(*, create: bool) -> Callable[..., None]:
    """`rounds create` and `rounds set` take the same options; one adds a round, the other changes one."""
    def command(code: CodeArgument, title: Title = None, question_set: QSet = None, questions: Questions = None,
                minutes: Minutes = None, per_round: PerRound = None, per_day: PerDay = None,
                practice: Practice = None, prediction: Prediction = None, quota: Quota = None,
                level: Level = None, opens: Opens = None, closes: Closes = None) -> None:
        given = settings_from(title=title, question_set=question_set, questions=questions, minutes=minutes,
                              per_round=per_round, per_day=per_day, practice=practice, prediction=prediction,
                              quota=quota, opens=opens, closes=closes, level=level)

        async def work(application: App) -> None:
            if create:
                await application.rounds.create(code, given, by=CLI, now=now())
            elif given:
                await application.rounds.change(code, given, by=CLI, now=now())
            await _echo_state(application, code)

        with_app(settings(), work)

    command.__doc__ = ("Add a round (--set, --questions and --minutes are needed)." if create else
                       "Change a round's settings, checked by the same rules as a contest pack; running services "
                       "follow.")
    return command


app.command("create")(_settings_command(create=True))
app.command("set")(_settings_command(create=False))


@app.command("open")
def rounds_open(code: CodeArgument, reopen: Annotated[bool, typer.Option(
        "--reopen", help="Open a closed round again, withdrawing its published winners.")] = False) -> None:
    """Open a round from now on, with no closing time."""
    async def work(application: App) -> None:
        await application.rounds.open(code, by=CLI, now=now(), reopen=reopen)
        await _echo_state(application, code)

    with_app(settings(), work)


@app.command("close")
def rounds_close(code: CodeArgument, refreeze: Annotated[bool, typer.Option(
        "--refreeze",
        help="Compute the figure and winners of a closed round again (after a regrade).")] = False) -> None:
    """Close a round now: attempts still open end with the answers they have; the actual prediction
    figure is fixed and the winners are frozen."""
    async def work(application: App) -> None:
        closing = await application.rounds.close(code, by=CLI, now=now(), refreeze=refreeze)
        head = "was already closed" if closing.already else f"closed ({closing.stopped} open attempts ended)"
        typer.echo(f"{code} {head}; actual figure {closing.figure}; {len(closing.winners)} winners frozen.")
        await echo_winners(application, closing.winners)

    with_app(settings(), work)


@app.command("cancel")
def rounds_cancel(code: CodeArgument) -> None:
    """Remove a round nobody has taken (one scheduled by mistake)."""
    async def work(application: App) -> None:
        await application.rounds.cancel(code, by=CLI, now=now())
        typer.echo(f"{code} cancelled.")

    with_app(settings(), work)


@app.command("winners")
def rounds_winners(code: CodeArgument) -> None:
    """The winners frozen when the round closed."""
    async def work(application: App) -> None:
        await application.rounds.state(code)
        await echo_winners(application, await application.rounds.winners(code))

    with_app(settings(), work)
