"""`dcbot run`: the web app always, Telegram when a token is set, Zalo when its app is, in one asyncio loop.

A platform that cannot be reached does not stop the others: its channel is reported down (bot.health,
/readyz, /metrics, the log) and tried again with a growing wait while the rest serves."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass
from datetime import time
from typing import Any

from aiohttp import web

from bot.broadcasts.telegram import TelegramOutlet
from bot.broadcasts.zalo import ZaloOutlet
from bot.channels.telegram.runner import TelegramHandle, TelegramStartError, start_telegram
from bot.channels.telegram.sender import Sender
from bot.channels.telegram.webhook import WEBHOOK_PATH as TELEGRAM_PATH
from bot.channels.zalo.runner import ZaloHandle, start_zalo
from bot.compose import App, build
from bot.config import Settings
from bot.failures import traceback_without_messages
from bot.health import OFF, UP, Backoff, Health
from bot.ops import Operations
from bot.reports.daily import DailyReports
from bot.scheduler import Scheduler, build_scheduler
from bot.storage.daily_reports import ReportLog
from bot.storage.inbound import InboundEvents
from bot.web.app import create_web_app
from bot.web.spread import Spread

log = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class CannotListen(RuntimeError):
    """The web app's address is taken or not ours to use."""


@dataclass(frozen=True, slots=True)
class Worker:
    """Which worker this process is: `index` 0 runs the timed jobs (one scheduler among the workers);
    `sharing`: one of several workers listening on WEB_HOST:WEB_PORT (SO_REUSEPORT: the kernel spreads
    new connections evenly across them, by address)."""

    index: int = 0
    sharing: bool = False


async def serve(settings: Settings, *, stop: asyncio.Event | None = None, worker: Worker = Worker()) -> None:
    """Run until `stop` is set, or until SIGINT/SIGTERM."""
    stop = stop or asyncio.Event()
    application = await build(settings, migrate=True)
    health = Health()
    runner: web.AppRunner | None = None
    telegram: TelegramHandle | None = None
    late: asyncio.Task[TelegramHandle] | None = None
    scheduler: Scheduler | None = None
    zalo: ZaloHandle | None = None
    handled = _on_signals(stop)
    try:
        log.info("serving contest %s", application.runtime.contest.slug)
        web_app = web_app_for(application, health=health)

        # Telegram starts before the runner freezes the router, so a webhook can add its route.
        if settings.telegram_bot_token:
            try:
                telegram = await start_telegram(settings, web_app, **telegram_parts(application))
            except TelegramStartError as exc:
                health.down("telegram", f"{exc}; trying again")
                late = asyncio.create_task(_start_telegram_later(settings, application, web_app, health),
                                           name="telegram-late-start")
            else:
                _telegram_started(application, telegram, health)
        else:
            health.set("telegram", OFF)
            log.info("telegram: off (no TELEGRAM_BOT_TOKEN)")
        if settings.zalo_app_id:
            zalo = await start_zalo(settings, web_app, health=health, watch=Backoff(), **zalo_parts(application))
            log.info("zalo: %s%s", zalo.description, "" if zalo.working else " (down: events wait, see above)")
            application.broadcaster.connect("zalo", ZaloOutlet(send=zalo.channel.send_text))  # in the 48-hour window
        else:
            health.set("zalo", OFF)
            log.info("zalo: off (no ZALO_APP_ID)")
        if worker.index == 0:  # broadcasts a stop or crash left half-sent carry on (one worker sweeps them)
            await application.broadcaster.resume()

        if worker.sharing:  # connections opened while only some workers listened move on (bot.web.spread)
            web_app.middlewares.append(Spread(settings.web_keepalive_requests).middleware)
        runner = web.AppRunner(web_app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, settings.web_host, settings.web_port, reuse_port=worker.sharing or None)
        try:
            await site.start()
        except OSError as exc:
            raise CannotListen(f"cannot listen on {settings.web_host}:{settings.web_port}: {exc}") from exc
        log.info("web chat: http://%s:%s/", settings.web_host, settings.web_port)
        scheduler = scheduler_for(application, sender=telegram.sender if telegram is not None else None,
                                  jobs=worker.index == 0)
        scheduler.start()  # every worker follows the contest; worker 0 closes rounds and sends the report
        await stop.wait()
        log.info("stopping")
    finally:
        if late is not None and late.done() and not late.cancelled() and late.exception() is None:
            telegram = late.result()
        elif late is not None:
            late.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await late
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


def _telegram_started(application: App, telegram: TelegramHandle, health: Health) -> None:
    log.info("telegram: %s", telegram.description)
    application.broadcaster.connect("telegram", TelegramOutlet(telegram.sender,
                                                               paid=application.settings.telegram_paid_broadcasts))
    health.set("telegram", UP)


async def _start_telegram_later(settings: Settings, application: App, web_app: web.Application,
                                health: Health) -> TelegramHandle:
    """Try the Bot API again with a growing wait while everything else serves. In webhook mode the route
    is ours from the start and answers 503 (Telegram keeps the update and retries) until the bot is up."""
    webhook = _LateRoute() if settings.telegram_webhook_url else None
    if webhook is not None:
        web_app.router.add_post(TELEGRAM_PATH, webhook.handle)
    backoff = Backoff()
    while True:
        log.warning("telegram: trying the Bot API again in %.0fs", backoff.next)
        await backoff.wait()
        scratch = web.Application()  # the webhook's handler is mounted here, then served by the late route
        try:
            telegram = await start_telegram(settings, scratch, **telegram_parts(application))
        except TelegramStartError as exc:
            health.down("telegram", f"{exc}; trying again")
            continue
        except Exception as exc:  # one it does not name (Redis or the database away a moment): tried again too
            log.error("telegram: could not start\n%s", traceback_without_messages(exc))
            health.down("telegram", f"could not start ({type(exc).__name__}); trying again")
            continue
        if webhook is not None:
            webhook.target = next(r.handler for r in scratch.router.routes()
                                  if r.method == "POST" and r.resource is not None
                                  and r.resource.canonical == TELEGRAM_PATH)
        _telegram_started(application, telegram, health)
        return telegram


class _LateRoute:
    def __init__(self) -> None:
        self.target: Any = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.target is None:
            return web.json_response({"error": "the bot is starting"}, status=503, headers={"Retry-After": "30"})
        response: web.StreamResponse = await self.target(request)
        return response


def web_app_for(application: App, *, health: Health | None = None) -> web.Application:
    """The web app (web chat, dashboard, webhooks, /readyz, /metrics) over the composed use cases."""
    operations = Operations(engine=application.engine, states=application.states, health=health or Health())
    return create_web_app(settings=application.settings, dispatcher=application.dispatcher,
                          translator=application.translator, uses=application.uses,
                          broadcaster=application.broadcaster, operations=operations)


def scheduler_for(application: App, *, sender: Sender | None, jobs: bool = True) -> Scheduler:
    """Timed work: following the contest always; with `jobs`, closing rounds, retention and the daily
    report when Telegram can send it."""
    settings = application.settings
    return build_scheduler(jobs=jobs,
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
