"""`dcbot run`: the web app always, Telegram when a token is set, Zalo when its app is, in one asyncio loop."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import time
from typing import Any

from aiohttp import web

from bot.broadcasts.telegram import TelegramOutlet
from bot.broadcasts.zalo import ZaloOutlet
from bot.channels.telegram.runner import TelegramHandle, start_telegram
from bot.channels.telegram.sender import Sender
from bot.channels.zalo.runner import ZaloHandle, start_zalo
from bot.compose import App, build
from bot.config import Settings
from bot.reports.daily import DailyReports
from bot.scheduler import Scheduler, build_scheduler
from bot.storage.daily_reports import ReportLog
from bot.storage.inbound import InboundEvents
from bot.web.app import create_web_app

log = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class CannotListen(RuntimeError):
    """The web app's address is taken or not ours to use."""


async def serve(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Run until `stop` is set, or until SIGINT/SIGTERM."""
    stop = stop or asyncio.Event()
    application = await build(settings, migrate=True)
    runner: web.AppRunner | None = None
    telegram: TelegramHandle | None = None
    scheduler: Scheduler | None = None
    zalo: ZaloHandle | None = None
    handled = _on_signals(stop)
    try:
        log.info("serving contest %s", application.runtime.contest.slug)
        web_app = web_app_for(application)

        # Telegram starts before the runner freezes the router, so a webhook can add its route.
        if settings.telegram_bot_token:
            telegram = await start_telegram(settings, web_app, **telegram_parts(application))
            log.info("telegram: %s", telegram.description)
            application.broadcaster.connect("telegram", TelegramOutlet(telegram.sender))
        else:
            log.info("telegram: off (no TELEGRAM_BOT_TOKEN)")
        if settings.zalo_app_id:
            zalo = await start_zalo(settings, web_app, **zalo_parts(application))
            log.info("zalo: %s", zalo.description)
        else:
            log.info("zalo: off (no ZALO_APP_ID)")
        if zalo is not None:  # inside the 48-hour window only; others are skipped and counted
            application.broadcaster.connect("zalo", ZaloOutlet(send=zalo.channel.send_text))
        await application.broadcaster.resume()  # broadcasts a stop or crash left half-sent carry on

        runner = web.AppRunner(web_app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, settings.web_host, settings.web_port)
        try:
            await site.start()
        except OSError as exc:
            raise CannotListen(f"cannot listen on {settings.web_host}:{settings.web_port}: {exc}") from exc
        log.info("web chat: http://%s:%s/", settings.web_host, settings.web_port)
        scheduler = scheduler_for(application, sender=telegram.sender if telegram is not None else None)
        scheduler.start()  # rounds close on time, the daily report goes out
        await stop.wait()
        log.info("stopping")
    finally:
        if scheduler is not None:
            await scheduler.stop()
        if runner is not None:
            await runner.cleanup()
        await application.broadcaster.stop()  # messages in flight are recorded while the sender still works
        if telegram is not None:  # after the web runner (webhook requests drain), before the database closes
            await telegram.stop()
        if zalo is not None:  # likewise: events in hand finish before the database closes
            await zalo.stop()
        await application.close()
        _forget_signals(handled)


def web_app_for(application: App) -> web.Application:
    """The web app (web chat, dashboard, webhooks) over the composed use cases."""
    return create_web_app(settings=application.settings, dispatcher=application.dispatcher,
                          translator=application.translator, uses=application.uses,
                          broadcaster=application.broadcaster)


def scheduler_for(application: App, *, sender: Sender | None) -> Scheduler:
    """Timed work: following the contest, closing rounds, the daily report when Telegram can send it."""
    settings = application.settings
    return build_scheduler(
        live=application.live, rounds=application.rounds, clock=application.clock,
        reports=daily_reports(application),
        report_log=ReportLog(application.engine, contest_id=application.scope.contest_id), sender=sender,
        organiser_chat_id=settings.organiser_chat_id, report_at=time(settings.report_hour, settings.report_minute),
        housekeeping=application.uses.housekeeping)


def daily_reports(application: App) -> DailyReports:
    return DailyReports(reports=application.reports, translator=application.translator)


def telegram_parts(application: App) -> dict[str, Any]:
    """What the Telegram channel is handed (bot.channels.telegram.runner.start_telegram)."""
    return {"dispatcher": application.dispatcher, "translator": application.translator,
            "inbound": InboundEvents(application.engine, "telegram"), "imports": application.imports,
            "reports": daily_reports(application)}


def zalo_parts(application: App) -> dict[str, Any]:
    """What the Zalo channel is handed (bot.channels.zalo.runner.start_zalo)."""
    return {"dispatcher": application.dispatcher, "translator": application.translator,
            "states": application.states, "engine": application.engine}


def _on_signals(stop: asyncio.Event) -> list[signal.Signals]:
    """Make SIGINT and SIGTERM set `stop`, where this loop can take signals (the main thread)."""
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    for sig in STOP_SIGNALS:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            handled.append(sig)
    return handled


def _forget_signals(handled: list[signal.Signals]) -> None:
    loop = asyncio.get_running_loop()
    for sig in handled:
        loop.remove_signal_handler(sig)
