"""Starting and stopping the Telegram channel inside the service: long polling or a webhook."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import AiogramError
from aiogram.methods import DeleteWebhook, GetMe
from aiohttp import web

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.commands import publish_commands
from bot.channels.telegram.feed import Feed
from bot.channels.telegram.handover import Handover
from bot.channels.telegram.lanes import Lanes
from bot.channels.telegram.once import Claims, OncePerUpdate
from bot.channels.telegram.outbox import Outbox
from bot.channels.telegram.pace import RedisPaces
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.routers import ALLOWED_UPDATES, build_dispatcher
from bot.channels.telegram.sender import Limits, Sender
from bot.channels.telegram.session import JsonSession
from bot.channels.telegram.sweep import Sweeper
from bot.channels.telegram.webhook import TelegramConfigError, check_secret, mount, public_url, set_webhook
from bot.config import Settings
from bot.dispatch import Dispatcher
from bot.i18n import Translator
from bot.reports.daily import DailyReports
from bot.storage.inbound import InboundEvents
from quiz.services.imports import Imports

log = logging.getLogger(__name__)
STOP_GRACE = 30.0  # seconds the updates in hand may take to finish at a stop


def local(host: str) -> str:
    """Where a process on this machine reaches a server listening on `host`, as a URL writes it."""
    reach = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"[{reach}]" if ":" in reach else reach


class TelegramStartError(RuntimeError):
    """The Bot API could not be reached or refused the token at start-up."""


@dataclass
class TelegramHandle:
    """The running channel: `sender` is the way out for broadcasts; `stop()` ends polling and the sweep,
    lets the updates in hand finish and their replies go out (or gives them back to be finished and sent
    elsewhere) and closes the bot."""

    bot: Bot
    sender: Sender
    description: str
    claims: Claims
    lanes: Lanes
    sweeper: Sweeper
    outbox: Outbox
    feed: Feed | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    async def stop(self) -> None:
        self._stop.set()
        if self.feed is not None:  # nothing more from the intake: what it sends meanwhile lapses to a sweep
            await self.feed.stop()
        if self._task is not None:  # the poller fetches nothing more once `_stop` is set
            try:
                await asyncio.wait_for(self._task, timeout=STOP_GRACE)
            except TimeoutError:
                log.warning("telegram: polling did not stop within %ss", STOP_GRACE)
        await self.sweeper.stop()
        try:
            await asyncio.wait_for(self.lanes.drain(), timeout=STOP_GRACE)
        except TimeoutError:
            await self.lanes.cancel()
        await self.outbox.close(grace=STOP_GRACE)
        await self.claims.close()
        await self.sender.close()
        await self.bot.session.close()


def make_bot(token: str, api_base: str | None) -> Bot:
    """A Bot on Telegram's servers, or on a self-hosted Bot API server at `api_base`."""
    session = JsonSession(api=TelegramAPIServer.from_base(api_base)) if api_base else JsonSession()
    return Bot(token=token, session=session)


def make_sender(bot: Bot, settings: Settings, limits: Limits | None = None) -> Sender:
    """The bot's one Sender: with Redis, chats' paces, "retry after" and the broadcasts' budget are shared
    by every worker (and by `dcbot broadcast`)."""
    limits = limits or Limits(broadcast_per_second=settings.telegram_broadcast_per_second)
    return Sender(bot, limits, paces=RedisPaces(settings.redis_url) if settings.redis_url else None)


async def start_telegram(settings: Settings, web_app: web.Application, *, dispatcher: Dispatcher,
                         translator: Translator, inbound: InboundEvents, imports: Imports | None = None,
                         reports: DailyReports | None = None, limits: Limits | None = None,
                         polling_timeout: int = 25) -> TelegramHandle:
    """Start the channel: a webhook on `web_app` when TELEGRAM_WEBHOOK_URL is set, else long polling.
    Admins may send question files (`imports`) and ask for the report (`reports`) when given."""
    if not settings.telegram_bot_token:
        raise TelegramConfigError("TELEGRAM_BOT_TOKEN is not set")
    secret = check_secret(settings.telegram_webhook_secret) if settings.telegram_webhook_url else None
    bot = make_bot(settings.telegram_bot_token, settings.telegram_api_base)
    sender = make_sender(bot, settings, limits)
    try:
        me = await sender.call(GetMe(), paced=False)
        channel = TelegramChannel(dispatcher, translator, sender, username=me.username or "",
                                  mini_app=settings.mini_app_url)
        dp = build_dispatcher(channel, imports=imports, admins=settings.telegram_admin_ids, reports=reports,
                              organiser_chat_id=settings.organiser_chat_id)
        claims = Claims(inbound, lease=timedelta(seconds=settings.telegram_lease_s))
        outbox = Outbox(sender, claims)  # replies go out after the update is acknowledged
        dp.update.outer_middleware(OncePerUpdate(claims, outbox=outbox))
        handover = Handover()
        lanes = Lanes(handover.feeder(dp, bot, sender))
        sweeper = Sweeper(bot, claims, lanes, outbox=outbox, every=settings.telegram_sweep_s)
        await publish_commands(sender, translator)
        if settings.telegram_webhook_url and secret:
            url = public_url(settings.telegram_webhook_url)
            mount(web_app, dp, bot, secret=secret, claims=claims, lanes=lanes, handover=handover,
                  ack_within=settings.telegram_ack_within_s)
            await set_webhook(sender, url, secret=secret, allowed_updates=ALLOWED_UPDATES,
                              max_connections=settings.telegram_max_connections)
            handle = TelegramHandle(bot, sender, f"webhook at {url} as @{me.username}", claims, lanes, sweeper,
                                    outbox)
            if settings.telegram_intake_port is not None:
                handle.feed = Feed(f"http://{local(settings.web_host)}:{settings.telegram_intake_port}", secret,
                                   bot=bot, claims=claims, lanes=lanes)
                handle.feed.start()
        else:
            await sender.call(DeleteWebhook(drop_pending_updates=False), paced=False)
            handle = TelegramHandle(bot, sender, f"long polling as @{me.username}", claims, lanes, sweeper, outbox)
            poller = Poller(bot, claims, lanes, allowed_updates=ALLOWED_UPDATES, timeout=polling_timeout)
            handle._task = asyncio.create_task(poller.run(handle._stop), name="telegram-polling")
        claims.keep_alive()
        sweeper.start()  # at once: what a stopped worker left is finished first
        return handle
    except AiogramError as exc:
        await sender.close()
        await bot.session.close()
        raise TelegramStartError(f"telegram: could not start with the Bot API at "
                                  f"{settings.telegram_api_base or 'api.telegram.org'}: {exc}") from exc
    except BaseException:
        await sender.close()
        await bot.session.close()
        raise
