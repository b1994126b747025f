"""`dcbot broadcast send/status`: the same broadcasts as the dashboard, sent from this terminal."""
from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Annotated

import typer

from bot.cli.common import now, settings, with_app
from bot.compose import App
from quiz.audit import CLI
from quiz.broadcasts import BadBroadcast

NAME = "broadcast"
app = typer.Typer(help="Tips and announcements to citizens who opted in to news.", no_args_is_help=True)


async def _lines(application: App, broadcast_id: int) -> list[str]:
    b = await application.broadcasts.get(broadcast_id)
    if b is None:
        return []
    reasons = await application.broadcasts.reasons(broadcast_id)
    lines = [f"broadcast {b.id} ({b.kind}): {b.status}; {b.total} recipients: {b.sent} sent, {b.failed} failed, "
             f"{b.skipped} skipped"]
    lines += [f"  {reason or 'unknown'}: {count}" for reason, count in sorted(reasons.items())]
    if reasons.get("zalo_window"):
        lines.append(f"  ({reasons['zalo_window']} Zalo users last wrote over 48 hours ago: Zalo lets the OA "
                     "message them only within 48 hours)")
    return lines


@app.command("send")
def broadcast_send(text: Annotated[str, typer.Option("--text", help="The message, in Vietnamese.")],
                   kind: Annotated[str, typer.Option("--kind", help="tip or announcement.")] = "announcement",
                   text_en: Annotated[str, typer.Option("--text-en", help="English text for English users.")] = ""
                   ) -> None:
    """Send now to everyone whose latest 'news' consent is granted (Telegram; Zalo when configured)."""
    config = settings()
    if not config.telegram_bot_token and not config.zalo_app_id:
        typer.echo("Nothing to send through: set TELEGRAM_BOT_TOKEN (or the ZALO_* settings).", err=True)
        raise typer.Exit(2)

    async def work(application: App) -> None:
        from aiohttp import web
        try:
            b = await application.broadcasts.create(kind=kind, text_vi=text, text_en=text_en, created_by=None,
                                                    by=CLI, now=now())
        except BadBroadcast as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
        async with AsyncExitStack() as channels:
            if config.telegram_bot_token:
                from bot.broadcasts.telegram import TelegramOutlet
                from bot.channels.telegram.runner import make_bot, make_sender
                bot = make_bot(config.telegram_bot_token, config.telegram_api_base)
                channels.push_async_callback(bot.session.close)
                sender = make_sender(bot, config)  # the workers' broadcast budget, shared through Redis
                channels.push_async_callback(sender.close)
                application.broadcaster.connect("telegram", TelegramOutlet(sender,
                                                                           paid=config.telegram_paid_broadcasts))
            if config.zalo_app_id:
                from bot.broadcasts.zalo import ZaloOutlet
                from bot.channels.zalo.runner import start_zalo
                from bot.service import zalo_parts
                zalo = await start_zalo(config, web.Application(), sweep_every=None, **zalo_parts(application))
                channels.push_async_callback(zalo.stop)
                application.broadcaster.connect("zalo", ZaloOutlet(send=zalo.channel.send_text))
            typer.echo(f"broadcast {b.id}: sending…")
            await application.broadcaster.run(b.id)
        for line in await _lines(application, b.id):
            typer.echo(line)

    with_app(config, work)


@app.command("status")
def broadcast_status(broadcast_id: Annotated[int, typer.Argument(help="The broadcast's number.")]) -> None:
    """Progress of a broadcast: recipients, sent, failed, skipped, and why."""
    async def work(application: App) -> None:
        lines = await _lines(application, broadcast_id)
        if not lines:
            typer.echo(f"No broadcast {broadcast_id}.", err=True)
            raise typer.Exit(1)
        for line in lines:
            typer.echo(line)

    with_app(settings(), work)
