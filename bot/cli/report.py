"""`dcbot report`: the organisers' daily report, sent now or written to a file."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import now, settings, with_app
from bot.compose import App


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(send_now: Annotated[bool, typer.Option("--now", help="Build the daily report and send it now.")] = False,
           out: Annotated[Path | None, typer.Option("--out", help="Write the chart to this PNG and print the text; "
                                                                  "nothing is sent.")] = None) -> None:
    """The organisers' daily report: sent to ORGANISER_CHAT_ID on Telegram, or written with --out."""
    config = settings()
    if not send_now and out is None:
        typer.echo("Say --now to send the report, or --out FILE.png to write it here.", err=True)
        raise typer.Exit(2)
    if out is None and not (config.telegram_bot_token and config.organiser_chat_id is not None):
        typer.echo("Sending needs TELEGRAM_BOT_TOKEN and ORGANISER_CHAT_ID (or use --out FILE.png).", err=True)
        raise typer.Exit(2)

    async def work(application: App) -> None:
        from bot.reports.daily import DailyReports
        reports = DailyReports(reports=application.reports, translator=application.translator)
        built = await reports.build(now=now())
        if out is not None:
            out.write_bytes(built.chart)
            typer.echo(built.text)
            typer.echo(f"\nchart: {out} ({len(built.chart):,} bytes)")
            return
        from bot.channels.telegram.runner import make_bot
        from bot.channels.telegram.sender import Sender
        bot = make_bot(config.telegram_bot_token or "", config.telegram_api_base)
        try:
            await reports.send(Sender(bot), config.organiser_chat_id or 0, built)
        finally:
            await bot.session.close()
        typer.echo(f"Report for {built.figures.day:%d/%m/%Y} sent to chat {config.organiser_chat_id}.")

    with_app(config, work)
