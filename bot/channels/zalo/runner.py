"""Starting and stopping the Zalo channel inside the service: the webhook, background work, recovery."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
from aiohttp import web

from bot.channels.zalo.api import Limits, ZaloApi
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.choices import ChoiceMemory
from bot.channels.zalo.errors import ZaloConfigError, ZaloError
from bot.channels.zalo.render import Renderer
from bot.channels.zalo.tokens import TokenKeeper, TokenStore
from bot.channels.zalo.webhook import WEBHOOK_PATH, Webhook, mount
from bot.channels.zalo.window import CHANNEL
from bot.config import Settings
from bot.dispatch import Dispatcher
from bot.failures import traceback_without_messages
from bot.i18n import Translator
from bot.state import StateStore
from bot.storage.engine import AsyncEngine
from bot.storage.inbound import InboundEvents, LastSeen
from bot.storage.tokens import SqlTokenStore

log = logging.getLogger(__name__)
GRACE = timedelta(seconds=60)  # an event still unprocessed this long after it arrived was abandoned
SWEEP_EVERY = 60.0  # seconds between looks for abandoned events
STOP_GRACE = 30.0  # seconds events in hand may take to finish at shutdown


class ZaloStartError(RuntimeError):
    """The OA's tokens could not be obtained at start-up."""


class ZaloHandle:
    """The running channel: `channel.notify` for broadcasts, `sweep()` for recovery, `stop()` at the end."""

    def __init__(self, channel: ZaloChannel, inbound: InboundEvents, http: httpx.AsyncClient, description: str) -> None:
        self.channel, self.inbound, self.http, self.description = channel, inbound, http, description
        self._tasks: set[asyncio.Task[None]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    def accept(self, event_id: str, payload: dict[str, Any]) -> None:
        """Process a just-recorded event after the webhook has answered."""
        task = asyncio.create_task(self._process(event_id, payload), name=f"zalo-{event_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _process(self, event_id: str, payload: dict[str, Any]) -> None:
        try:
            await self.channel.process(event_id, payload)
        except Exception as exc:  # left unprocessed: a later sweep tries again
            log.error("zalo: event %s could not be processed; it will be retried\n%s", event_id,
                      traceback_without_messages(exc))

    async def sweep(self, *, grace: timedelta = GRACE) -> int:
        """Process events that were acknowledged but never finished (a stop, a crash); how many."""
        now = self.channel.clock()
        taken = 0
        for event in await self.inbound.unprocessed(received_before=now - grace):
            if await self.inbound.lease(event, now=now):
                log.info("zalo: processing event %s recorded at %s", event.event_id, event.received_at.isoformat())
                await self._process(event.event_id, event.payload)
                taken += 1
        return taken

    def sweep_every(self, seconds: float) -> None:
        async def loop() -> None:
            while True:
                await asyncio.sleep(seconds)
                try:
                    await self.sweep()
                except Exception as exc:
                    log.error("zalo: sweep for unprocessed events failed\n%s", traceback_without_messages(exc))
        self._sweeper = asyncio.create_task(loop(), name="zalo-sweeper")

    async def drain(self) -> None:
        """Wait until every event in hand is processed."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        try:
            await asyncio.wait_for(self.drain(), timeout=STOP_GRACE)
        except TimeoutError:
            log.warning("zalo: events still in hand at stop; the next start processes them")
        await self.http.aclose()


def check_settings(settings: Settings) -> tuple[str, str]:
    if not settings.zalo_app_id:
        raise ZaloConfigError("ZALO_APP_ID is not set")
    if not settings.zalo_oa_secret_key:
        raise ZaloConfigError("ZALO_APP_ID is set but ZALO_OA_SECRET_KEY is not: webhook calls could not be "
                              "verified; copy the OA Secret Key from the app's Webhook page in the developer console")
    if not settings.zalo_app_secret:
        raise ZaloConfigError("ZALO_APP_SECRET is not set: the OA access token could not be refreshed")
    return settings.zalo_app_id, settings.zalo_oa_secret_key


async def start_zalo(settings: Settings, web_app: web.Application, *, dispatcher: Dispatcher,
                     translator: Translator, states: StateStore, engine: AsyncEngine,
                     limits: Limits | None = None, token_store: TokenStore | None = None,
                     sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                     sweep_every: float | None = SWEEP_EVERY) -> ZaloHandle:
    """Mount the webhook on `web_app`, make sure the OA has a token, and process what a stop left behind."""
    app_id, oa_secret = check_settings(settings)
    clock = dispatcher.clock
    http = httpx.AsyncClient(timeout=httpx.Timeout(10.0))
    try:
        keeper = TokenKeeper(http, store=token_store or SqlTokenStore(engine, CHANNEL),
                             oauth_base=settings.zalo_oauth_base, app_id=app_id, app_secret=settings.zalo_app_secret,
                             first_refresh_token=settings.zalo_refresh_token, clock=clock)
        try:
            await keeper.access_token()
        except ZaloError as exc:
            raise ZaloStartError(f"zalo: no usable access token ({exc}); authorise the app for the OA again and "
                                 "set ZALO_REFRESH_TOKEN to the new refresh token") from exc
        api = ZaloApi(http, api_base=settings.zalo_api_base, tokens=keeper, limits=limits or Limits(), sleep=sleep)
        inbound = InboundEvents(engine, CHANNEL)
        channel = ZaloChannel(dispatcher=dispatcher, api=api, inbound=inbound,
                              renderer=Renderer(translator, info_image_url=settings.zalo_info_image_url),
                              choices=ChoiceMemory(states), seen=LastSeen(engine, CHANNEL),
                              clock=clock)
        handle = ZaloHandle(channel, inbound, http, f"webhook at {WEBHOOK_PATH} for app {app_id}")
        mount(web_app, Webhook(app_id=app_id, secret=oa_secret, inbound=inbound, clock=clock,
                               on_recorded=handle.accept, max_age=timedelta(seconds=settings.zalo_event_max_age_s)))
    except BaseException:
        await http.aclose()
        raise
    recovered = await handle.sweep()
    if recovered:
        log.info("zalo: processed %d event(s) left from before the start", recovered)
    if sweep_every:
        handle.sweep_every(sweep_every)
    return handle
