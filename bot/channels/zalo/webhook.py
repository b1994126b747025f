"""POST /zalo/webhook: a verified event is recorded durably, acknowledged with 200, processed after.

Zalo retries deliveries it got no 200 for, and wants the answer within seconds: so the answer
waits only for the database insert, and a redelivered event (same key) is acknowledged again
without being processed again."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from bot.channels.zalo.errors import ZaloConfigError
from bot.channels.zalo.events import event_key, when
from bot.channels.zalo.signature import HEADER, verify
from bot.json_input import NotJson, loads
from bot.storage.inbound import InboundEvents

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/zalo/webhook"
MAX_BODY = 64 * 1024  # a Zalo event is a few hundred bytes
MAX_AGE = timedelta(days=1)  # ZALO_EVENT_MAX_AGE_S: well inside the days a processed event's id is kept


def read_body(raw: bytes) -> dict[str, Any] | None:
    """The JSON object in `raw`, numbers kept as the strings they were (ids never lose digits);
    None for anything else, nested too deep included (read before the signature is checked)."""
    try:
        body = loads(raw, parse_int=str, parse_float=str)
    except NotJson:
        return None
    return body if isinstance(body, dict) else None


class Webhook:
    def __init__(self, *, app_id: str, secret: str, inbound: InboundEvents, clock: Callable[[], datetime],
                 on_recorded: Callable[[str, dict[str, Any]], None], max_age: timedelta = MAX_AGE) -> None:
        self.app_id, self.secret, self.inbound, self.clock = app_id, secret, inbound, clock
        self.on_recorded, self.max_age = on_recorded, max_age

    def _fresh(self, body: dict[str, Any]) -> bool:
        """A signed event from within `max_age` (either way: a clock ahead is no excuse). An older one
        could be a replay whose id was already forgotten, so its signature alone is not enough."""
        at = when(body)
        return at is not None and abs(self.clock() - at) <= self.max_age

    async def handle(self, request: web.Request) -> web.Response:
        if (request.content_length or 0) > MAX_BODY:
            return web.json_response({"error": "too large"}, status=413)
        raw = await request.read()
        header = request.headers.get(HEADER)
        body = read_body(raw) if len(raw) <= MAX_BODY else None
        stamp = body.get("timestamp") if body is not None else None
        if body is None or not isinstance(stamp, str) or \
                not verify(header, app_id=self.app_id, body=raw, timestamp=stamp, secret=self.secret):
            log.warning("zalo: webhook call with a %s signature refused", "wrong" if header else "missing")
            return web.json_response({"error": "bad signature"}, status=401)
        if not self._fresh(body):
            log.warning("zalo: signed event from %s refused: older than %s", stamp, self.max_age)
            return web.json_response({"error": "event too old"}, status=400)
        key = event_key(body)
        if key is None:
            return web.json_response({"error": "no event id"}, status=400)
        if await self.inbound.record(key, body, now=self.clock()):
            self.on_recorded(key, body)
        else:
            log.info("zalo: event %s delivered again; already recorded", key)
        return web.json_response({"ok": True})


def mount(web_app: web.Application, webhook: Webhook) -> None:
    if web_app.frozen:
        raise ZaloConfigError("start Zalo before the web app starts serving: its routes are frozen")
    web_app.router.add_post(WEBHOOK_PATH, webhook.handle)
