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
            for code in await application.services.closed_rounds_using(pub.name) if answers else []:
                typer.echo(f"Round {code} is closed: its published winners did not change; "
                           f"`dcbot rounds close {code} --refreeze` publishes them again from the new scores.")

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


# --- staff accounts for the dashboard ---
if TYPE_CHECKING:
    from bot.storage.staff import StaffStore

users_app = typer.Typer(help="Organiser and admin accounts of the dashboard (/admin).", no_args_is_help=True)
app.add_typer(users_app, name="users")
USERNAME = r"[a-z0-9][a-z0-9._-]{2,63}"


def _with_staff(work: Callable[..., Awaitable[None]]) -> None:
    settings = _settings()

    async def go() -> None:
        from bot.storage.engine import make_engine
        from bot.storage.migrate import upgrade_async
        from bot.storage.staff import StaffStore
        engine = make_engine(settings.database_url)
        try:
            await upgrade_async(engine)
            await work(StaffStore(engine))
        finally:
            await engine.dispose()

    asyncio.run(go())


@users_app.command("add")
def users_add(name: Annotated[str, typer.Argument(help="Username: 3–64 of a-z 0-9 . _ -")],
              role: Annotated[str, typer.Option(help="organiser (sees) or admin (also sees phone numbers)")]) -> None:
    """Create a dashboard account; the password is asked twice and stored as an argon2 hash."""
    import re
    from bot.web.admin.passwords import MIN_LENGTH, PASSWORDS
    name = name.strip().lower()
    if not re.fullmatch(USERNAME, name) or role not in ("organiser", "admin"):
        typer.echo("Username: 3–64 characters of a-z 0-9 . _ -; role: organiser or admin.", err=True)
        raise typer.Exit(2)
    for _ in range(3):
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        if len(password) >= MIN_LENGTH:
            break
        typer.echo(f"The password needs at least {MIN_LENGTH} characters.", err=True)
    else:
        raise typer.Exit(1)
    password_hash = PASSWORDS.hash(password)

    async def work(store: StaffStore) -> None:
        from bot.storage.staff import UserExists
        try:
            await store.add_user(username=name, password_hash=password_hash, role=role, now=datetime.now(timezone.utc))
        except UserExists:
            typer.echo(f"There is already a user {name!r}.", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"Created {role} {name!r}: sign in at /admin/login.")

    _with_staff(work)


@users_app.command("list")
def users_list() -> None:
    """List dashboard accounts."""
    async def work(store: StaffStore) -> None:
        for u in await store.users():
            state = f"disabled {u.disabled_at:%Y-%m-%d}" if u.disabled_at else "active"
            typer.echo(f"{u.username:<24} {u.role:<10} created {u.created_at:%Y-%m-%d}  {state}")

    _with_staff(work)


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="Username to disable.")]) -> None:
    """Disable an account and end its sessions at once."""
    async def work(store: StaffStore) -> None:
        if not await store.disable_user(username=name.strip().lower(), now=datetime.now(timezone.utc)):
            typer.echo(f"No active user {name!r}.", err=True)
            raise typer.Exit(1)
        typer.echo(f"Disabled {name!r}; their sessions are closed.")

    _with_staff(work)


# --- rounds and the daily report ---
if TYPE_CHECKING:
    from quiz.rounds import RoundAdmin, RoundState

rounds_app = typer.Typer(help="Rounds: list, create, change, open and close (closing freezes the winners).",
                         no_args_is_help=True)
app.add_typer(rounds_app, name="rounds")
CodeArgument = Annotated[str, typer.Argument(help="Round code, e.g. tuan-1.")]


def _with_rounds(work: Callable[[RoundAdmin, App], Awaitable[None]]) -> None:
    settings = _settings()

    async def go(application: App) -> None:
        from bot.storage.rounds import round_admin
        from quiz.rounds import RoundRefused
        try:
            await work(round_admin(application), application)
        except RoundRefused as exc:
            from quiz.conversation.messages import Msg
            typer.echo(Translator(settings.locales_dir).text(Msg(exc.message_id, **exc.params), "vi"), err=True)
            raise typer.Exit(1) from None
        except Invalid as exc:
            _fail_with(exc.problems, settings)

    _with_app(settings, go)


def _round_line(s: RoundState, now: datetime, tz: object) -> str:
    r = s.round
    when = lambda d: d.astimezone(tz).strftime("%d/%m %H:%M") if d else "…"  # noqa: E731
    state = (f"closed {when(s.closed_at)}, figure {s.figure}" if s.closed else "open" if r.is_open(now)
             else "not yet open" if r.opens and now < r.opens else "ended, closing")
    caps = " ".join(x for x in (f"{r.attempts_per_round}/round" if r.attempts_per_round else "",
                                f"{r.attempts_per_day}/day" if r.attempts_per_day else "") if x) or "no cap"
    kind = "practice" if r.practice else "prediction" if r.prediction else "ranked"
    return (f"{r.code:<12} {state:<30} {when(r.opens)} → {when(r.closes)}  {r.questions_per_attempt} q, "
            f"{int(r.time_limit.total_seconds() // 60)} min, {caps}, {kind}, set {r.question_set}")


@rounds_app.command("list")
def rounds_list() -> None:
    """Every round with its state, times and settings."""
    async def work(rounds: RoundAdmin, application: App) -> None:
        now, tz = datetime.now(timezone.utc), application.services.runtime.tz
        for s in await rounds.sync():
            typer.echo(_round_line(s, now, tz))

    _with_rounds(work)


def _settings_from(title: str | None, question_set: str | None, questions: int | None, minutes: int | None,
                   per_round: int | None, per_day: int | None, practice: bool | None, prediction: bool | None,
                   quota: list[str] | None, opens: str | None, closes: str | None) -> dict[str, object]:
    """Options in the contest pack's terms, so the pack's rules check them; 0 means no cap, "none" no time."""
    given: dict[str, object] = {}
    for key, value in (("title", title), ("question_set", question_set), ("questions_per_attempt", questions),
                       ("time_limit_minutes", minutes), ("practice", practice), ("prediction", prediction)):
        if value is not None:
            given[key] = value
    for key, cap in (("attempts_per_round", per_round), ("attempts_per_day", per_day)):
        if cap is not None:
            given[key] = cap or None
    for key, when in (("opens", opens), ("closes", closes)):
        if when is not None:
            given[key] = None if when.strip().lower() in ("", "none") else when.strip()
    if quota:
        quotas: dict[str, object] = {}
        for item in quota:
            topic, _, n = item.partition("=")
            quotas[topic.strip()] = int(n) if n.strip().isdigit() else n
        given["topic_quotas"] = {k: v for k, v in quotas.items() if v != 0}
    return given


Title = Annotated[str | None, typer.Option(help="Title in Vietnamese.")]
QSet = Annotated[str | None, typer.Option("--set", help="Question set name.")]
Questions = Annotated[int | None, typer.Option(help="Questions per attempt (10–40; practice 1–40).")]
Minutes = Annotated[int | None, typer.Option(help="Time limit of an attempt in minutes.")]
PerRound = Annotated[int | None, typer.Option(help="Attempts per participant in the round; 0 = no cap.")]
PerDay = Annotated[int | None, typer.Option(help="Attempts per participant per day; 0 = no cap.")]
Practice = Annotated[bool | None, typer.Option("--practice/--ranked", help="Unlimited practice that never ranks.")]
Prediction = Annotated[bool | None, typer.Option("--prediction/--no-prediction", help="Ask the prediction question.")]
Quota = Annotated[list[str] | None, typer.Option(help="Topic quota TOPIC=N (repeat; N=0 removes it).")]
Opens = Annotated[str | None, typer.Option(help='"YYYY-MM-DD HH:MM" contest time, or none.')]
Closes = Annotated[str | None, typer.Option(help='"YYYY-MM-DD HH:MM" contest time, or none.')]


@rounds_app.command("set")
def rounds_set(code: CodeArgument, title: Title = None, question_set: QSet = None, questions: Questions = None,
               minutes: Minutes = None, per_round: PerRound = None, per_day: PerDay = None,
               practice: Practice = None, prediction: Prediction = None, quota: Quota = None,
               opens: Opens = None, closes: Closes = None) -> None:
    """Change a round's settings, checked by the same rules as a contest pack; running services follow."""
    given = _settings_from(title, question_set, questions, minutes, per_round, per_day, practice, prediction, quota,
                           opens, closes)

    async def work(rounds: RoundAdmin, application: App) -> None:
        if given:
            await rounds.change(code, given)
        state = await rounds.state(code)
        typer.echo(_round_line(state, datetime.now(timezone.utc), application.services.runtime.tz))

    _with_rounds(work)


@rounds_app.command("create")
def rounds_create(code: CodeArgument, title: Title = None, question_set: QSet = None, questions: Questions = None,
                  minutes: Minutes = None, per_round: PerRound = None, per_day: PerDay = None,
                  practice: Practice = None, prediction: Prediction = None, quota: Quota = None,
                  opens: Opens = None, closes: Closes = None) -> None:
    """Add a round (--set, --questions and --minutes are needed)."""
    given = _settings_from(title, question_set, questions, minutes, per_round, per_day, practice, prediction, quota,
                           opens, closes)

    async def work(rounds: RoundAdmin, application: App) -> None:
        await rounds.create(code, given)
        typer.echo(_round_line(await rounds.state(code), datetime.now(timezone.utc), application.services.runtime.tz))

    _with_rounds(work)


@rounds_app.command("open")
def rounds_open(code: CodeArgument, reopen: Annotated[bool, typer.Option(
        "--reopen", help="Open a closed round again, withdrawing its published winners.")] = False) -> None:
    """Open a round from now on, with no closing time."""
    async def work(rounds: RoundAdmin, application: App) -> None:
        await rounds.open(code, now=datetime.now(timezone.utc), reopen=reopen)
        typer.echo(_round_line(await rounds.state(code), datetime.now(timezone.utc), application.services.runtime.tz))

    _with_rounds(work)


@rounds_app.command("close")
def rounds_close(code: CodeArgument, refreeze: Annotated[bool, typer.Option(
        "--refreeze", help="Compute the figure and winners of a closed round again (after a regrade).")] = False) -> None:
    """Close a round now: attempts still open end with the answers they have; the actual prediction
    figure is fixed and the winners are frozen."""
    async def work(rounds: RoundAdmin, application: App) -> None:
        closing = await rounds.close(code, now=datetime.now(timezone.utc), refreeze=refreeze)
        head = "was already closed" if closing.already else f"closed ({closing.stopped} open attempts ended)"
        typer.echo(f"{code} {head}; actual figure {closing.figure}; {len(closing.winners)} winners frozen.")
        await _echo_winners(application, closing.winners)

    _with_rounds(work)


@rounds_app.command("winners")
def rounds_winners(code: CodeArgument) -> None:
    """The winners frozen when the round closed."""
    async def work(rounds: RoundAdmin, application: App) -> None:
        await rounds.state(code)
        await _echo_winners(application, await rounds.winners(code))

    _with_rounds(work)


async def _echo_winners(application: App, winners: object) -> None:
    from quiz.rounds import FrozenWinner
    rows: list[FrozenWinner] = list(winners)  # type: ignore[call-overload]
    people = await application.services.names([w.participant_id for w in rows])
    for w in rows:
        name, unit = people.get(w.participant_id, ("—", ""))
        typer.echo(f"{w.rank:>4}  {w.prize:<13} {name:<30} {unit:<25} {w.correct}/{w.total}  "
                   f"{w.duration_ms / 1000:7.1f}s  pred {w.prediction if w.prediction is not None else '—'}")


@app.command("report")
def report(now: Annotated[bool, typer.Option("--now", help="Build the daily report and send it now.")] = False,
           out: Annotated[Path | None, typer.Option("--out", help="Write the chart to this PNG and print the text; "
                                                                  "nothing is sent.")] = None) -> None:
    """The organisers' daily report: sent to ORGANISER_CHAT_ID on Telegram, or written with --out."""
    settings = _settings()
    if not now and out is None:
        typer.echo("Say --now to send the report, or --out FILE.png to write it here.", err=True)
        raise typer.Exit(2)
    if out is None and not (settings.telegram_bot_token and settings.organiser_chat_id is not None):
        typer.echo("Sending needs TELEGRAM_BOT_TOKEN and ORGANISER_CHAT_ID (or use --out FILE.png).", err=True)
        raise typer.Exit(2)

    async def work(application: App) -> None:
        from bot.reports.daily import reports_for
        reports = reports_for(application)
        built = await reports.build(now=datetime.now(timezone.utc))
        if out is not None:
            out.write_bytes(built.chart)
            typer.echo(built.text)
            typer.echo(f"\nchart: {out} ({len(built.chart):,} bytes)")
            return
        from bot.channels.telegram.runner import make_bot
        from bot.channels.telegram.sender import Sender
        bot = make_bot(settings.telegram_bot_token or "", settings.telegram_api_base)
        try:
            await reports.send(Sender(bot), settings.organiser_chat_id or 0, built)
        finally:
            await bot.session.close()
        typer.echo(f"Report for {built.figures.day:%d/%m/%Y} sent to chat {settings.organiser_chat_id}.")

    _with_app(settings, work)


# --- broadcasts ---
broadcast_app = typer.Typer(help="Tips and announcements to citizens who opted in to news.", no_args_is_help=True)
app.add_typer(broadcast_app, name="broadcast")


async def _broadcast_lines(application: App, broadcast_id: int) -> list[str]:
    b = await application.broadcasts.store.get(broadcast_id)
    if b is None:
        return []
    reasons = await application.broadcasts.store.reasons(broadcast_id)
    lines = [f"broadcast {b.id} ({b.kind}): {b.status}; {b.total} recipients: {b.sent} sent, {b.failed} failed, "
             f"{b.skipped} skipped"]
    lines += [f"  {reason or 'unknown'}: {count}" for reason, count in sorted(reasons.items())]
    if reasons.get("zalo_window"):
        lines.append(f"  ({reasons['zalo_window']} Zalo users last wrote over 48 hours ago: Zalo lets the OA "
                     "message them only within 48 hours)")
    return lines


@broadcast_app.command("send")
def broadcast_send(text: Annotated[str, typer.Option("--text", help="The message, in Vietnamese.")],
                   kind: Annotated[str, typer.Option("--kind", help="tip or announcement.")] = "announcement",
                   text_en: Annotated[str, typer.Option("--text-en", help="English text for English users.")] = ""
                   ) -> None:
    """Send now to everyone whose latest 'news' consent is granted (Telegram; Zalo when configured)."""
    settings = _settings()
    if not settings.telegram_bot_token and not settings.zalo_app_id:
        typer.echo("Nothing to send through: set TELEGRAM_BOT_TOKEN (or the ZALO_* settings).", err=True)
        raise typer.Exit(2)

    async def work(application: App) -> None:
        from contextlib import AsyncExitStack

        from aiohttp import web

        from bot.broadcasts.runner import BadBroadcast
        try:
            b = await application.broadcasts.create(kind=kind, text_vi=text, text_en=text_en)
        except BadBroadcast as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
        async with AsyncExitStack() as channels:
            if settings.telegram_bot_token:
                from bot.broadcasts.telegram import TelegramOutlet
                from bot.channels.telegram.runner import make_bot
                from bot.channels.telegram.sender import Sender
                bot = make_bot(settings.telegram_bot_token, settings.telegram_api_base)
                channels.push_async_callback(bot.session.close)
                application.broadcasts.connect("telegram", TelegramOutlet(Sender(bot)))
            if settings.zalo_app_id:
                from bot.broadcasts.zalo import ZaloOutlet
                from bot.channels.zalo.runner import start_zalo
                zalo = await start_zalo(application, settings, web.Application(), sweep_every=None)
                channels.push_async_callback(zalo.stop)
                application.broadcasts.connect("zalo", ZaloOutlet(send=zalo.channel.send_text))
            typer.echo(f"broadcast {b.id}: sending…")
            await application.broadcasts.run(b.id)
        for line in await _broadcast_lines(application, b.id):
            typer.echo(line)

    _with_app(settings, work)


@broadcast_app.command("status")
def broadcast_status(broadcast_id: Annotated[int, typer.Argument(help="The broadcast's number.")]) -> None:
    """Progress of a broadcast: recipients, sent, failed, skipped, and why."""
    settings = _settings()

    async def work(application: App) -> None:
        lines = await _broadcast_lines(application, broadcast_id)
        if not lines:
            typer.echo(f"No broadcast {broadcast_id}.", err=True)
            raise typer.Exit(1)
        for line in lines:
            typer.echo(line)

    _with_app(settings, work)
