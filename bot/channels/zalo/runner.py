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
from bot.health import STARTING, Backoff, Health
from bot.i18n import Translator
from bot.state import StateStore
from bot.storage.engine import AsyncEngine
from bot.storage.inbound import InboundEvents, LastSeen
from bot.storage.tokens import SqlTokenStore

log = logging.getLogger(__name__)
GRACE = timedelta(seconds=60)  # an event still unprocessed this long after it arrived was abandoned
SWEEP_EVERY = 60.0  # seconds between looks for abandoned events
STOP_GRACE = 30.0  # seconds events in hand may take to finish at shutdown


RECOVERY_GRACE = timedelta(seconds=5)  # on recovery, events recorded this recently are still in hand
TOKEN_CHECK_EVERY = 60.0  # seconds between looks at the token while the channel works


def why_down(exc: Exception) -> str:
    """What the operator should know (and do) about a token that cannot be had."""
    if isinstance(exc, ZaloError) and exc.transient:
        return f"Zalo's OAuth server cannot be reached ({exc.message}); events are recorded and answered once it can"
    if isinstance(exc, ZaloError):
        return (f"no usable access token ({exc.message}); authorise the app for the OA again and set "
                "ZALO_REFRESH_TOKEN to the new refresh token; events are recorded and answered once a token works")
    return f"the token could not be read or stored ({type(exc).__name__}); trying again"


class ZaloHandle:
    """The running channel: `channel.notify` for broadcasts, `sweep()` for recovery, `stop()` at the end.

    While the OA has no working token the channel is down (bot.health): the webhook still records
    every event, none is processed, and the token is tried again with a growing wait; once it works
    the events recorded meanwhile are processed and answered."""

    def __init__(self, channel: ZaloChannel, inbound: InboundEvents, http: httpx.AsyncClient, description: str,
                 *, keeper: TokenKeeper, health: Health) -> None:
        self.channel, self.inbound, self.http, self.description = channel, inbound, http, description
        self.keeper, self.health = keeper, health
        self._tasks: set[asyncio.Task[None]] = set()
        self._sweeper: asyncio.Task[None] | None = None
        self._holder: asyncio.Task[None] | None = None
        self.in_hand: set[str] = set()  # events this worker is processing or has queued (a user's lock)
        self._watcher: asyncio.Task[None] | None = None

    @property
    def working(self) -> bool:
        return self.health.is_up(CHANNEL)

    async def check_token(self) -> bool:
        """Whether the OA has a working token now; the channel's health follows, and on recovery the
        events recorded while it was down are processed."""
        try:
            if self.keeper.trouble is not None:
                await self.keeper.refresh(failed=self.keeper.current)
            await self.keeper.access_token()
        except Exception as exc:  # noqa: BLE001 - any failure leaves the channel down and is tried again
            self.health.down(CHANNEL, why_down(exc))
            return False
        if not self.working:
            self.health.up(CHANNEL)
            caught_up = await self.sweep(grace=RECOVERY_GRACE)
            if caught_up:
                log.info("zalo: answered %d event(s) recorded while the channel was down", caught_up)
        return True

    def watch_token(self, *, backoff: Backoff, every: float = TOKEN_CHECK_EVERY,
                    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        """Check the token every `every` seconds, and after a failure again and again with `backoff`."""
        async def loop() -> None:
            while True:
                if await self.check_token():
                    backoff.reset()
                    await sleep(every)
                else:
                    log.warning("zalo: token tried again in %.0fs", backoff.next)
                    await backoff.wait()
        self._watcher = asyncio.create_task(loop(), name="zalo-token-watch")

    def accept(self, event_id: str, payload: dict[str, Any]) -> None:
        """Process a just-recorded event after the webhook has answered (later, while the channel is down)."""
        if not self.working:
            log.info("zalo: event %s recorded; answered once the OA has a working token", event_id)
            return
        self.in_hand.add(event_id)
        task = asyncio.create_task(self._process(event_id, payload), name=f"zalo-{event_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _process(self, event_id: str, payload: dict[str, Any]) -> None:
        self.in_hand.add(event_id)
        try:
            await self.channel.process(event_id, payload)
        except Exception as exc:  # left unprocessed: a later sweep tries again
            log.error("zalo: event %s could not be processed; it will be retried\n%s", event_id,
                      traceback_without_messages(exc))
        finally:
            self.in_hand.discard(event_id)

    async def hold(self) -> int:
        """Keep the events in hand from other workers' sweeps: one waiting its turn behind its user's earlier
        events (slow to send, say) would otherwise look abandoned after GRACE and be processed twice."""
        return await self.inbound.hold(set(self.in_hand), now=self.channel.clock())

    def hold_every(self, seconds: float) -> None:
        async def loop() -> None:
            while True:
                await asyncio.sleep(seconds)
                try:
                    await self.hold()
                except Exception as exc:  # the next round tries again; a lapse only risks a reply twice
                    log.error("zalo: could not hold %d event(s) in hand\n%s", len(self.in_hand),
                              traceback_without_messages(exc))
        self._holder = asyncio.create_task(loop(), name="zalo-holder")

    async def sweep(self, *, grace: timedelta = GRACE) -> int:
        """Process events that were acknowledged but never finished (a stop, a crash); how many."""
        now = self.channel.clock()
        taken = 0
        for event in await self.inbound.unprocessed(received_before=now - grace):
            if event.event_id in self.in_hand:  # this worker's own, queued behind its user's earlier events
                continue
            if await self.inbound.lease(event, now=now):
                log.info("zalo: processing event %s recorded at %s", event.event_id, event.received_at.isoformat())
                await self._process(event.event_id, event.payload)
                taken += 1
        return taken

    def sweep_every(self, seconds: float) -> None:
        async def loop() -> None:
            while True:
                await asyncio.sleep(seconds)
                if not self.working:
                    continue
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
        for task in (self._sweeper, self._watcher, self._holder):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
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
                     sweep_every: float | None = SWEEP_EVERY, health: Health | None = None,
                     watch: Backoff | None = None) -> ZaloHandle:
    """Mount the webhook on `web_app` and, if the OA has a working token, process what a stop left
    behind. Without one the channel starts down: its events are recorded and wait, and the token is
    tried again with `watch` (a Backoff; None: only when `check_token()` is called)."""
    app_id, oa_secret = check_settings(settings)
    clock = dispatcher.clock
    health = health or Health()
    health.set(CHANNEL, STARTING)
    http = httpx.AsyncClient(timeout=httpx.Timeout(10.0))
    try:
        keeper = TokenKeeper(http, store=token_store or SqlTokenStore(engine, CHANNEL),
                             oauth_base=settings.zalo_oauth_base, app_id=app_id, app_secret=settings.zalo_app_secret,
                             first_refresh_token=settings.zalo_refresh_token, clock=clock)
        api = ZaloApi(http, api_base=settings.zalo_api_base, tokens=keeper, limits=limits or Limits(), sleep=sleep)
        inbound = InboundEvents(engine, CHANNEL)
        channel = ZaloChannel(dispatcher=dispatcher, api=api, inbound=inbound,
                              renderer=Renderer(translator, info_image_url=settings.zalo_info_image_url),
                              choices=ChoiceMemory(states), seen=LastSeen(engine, CHANNEL),
                              clock=clock)
        handle = ZaloHandle(channel, inbound, http, f"webhook at {WEBHOOK_PATH} for app {app_id}", keeper=keeper,
                            health=health)
        mount(web_app, Webhook(app_id=app_id, secret=oa_secret, inbound=inbound, clock=clock,
                               on_recorded=handle.accept, max_age=timedelta(seconds=settings.zalo_event_max_age_s)))
    except BaseException:
        await http.aclose()
        raise
    if await handle.check_token():
        recovered = await handle.sweep()
        if recovered:
            log.info("zalo: processed %d event(s) left from before the start", recovered)
    if watch is not None:
        handle.watch_token(backoff=watch)
    if sweep_every:
        handle.sweep_every(sweep_every)
    handle.hold_every(GRACE.total_seconds() / 3)
    return handle
