"""FakeTelegram over HTTP on 127.0.0.1: the real bot long-polls it like api.telegram.org."""
from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from loopback import LoopbackServer

from .fake_api import Call, FakeTelegram, decode_form, fields

POLL_WAIT = 0.3  # seconds an empty getUpdates is held open (Telegram would hold up to `timeout`)


class FakeBotApiServer:
    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self.queue: list[dict[str, Any]] = []
        self.uploads: dict[str, bytes] = {}  # files sent, by the call's field name
        self.confirmed_below = 0  # every update with a smaller id has been acknowledged by the bot
        self._arrived = asyncio.Event()
        self._server = LoopbackServer()
        self.base = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._call)
        self.base = await self._server.serve(app)
        return self.base

    async def stop(self) -> None:
        await self._server.stop()

    def push(self, update: dict[str, Any]) -> None:
        self.queue.append(update)
        self._arrived.set()

    async def _call(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        form = await fields(request, self.uploads)
        if method == "getUpdates":
            return web.json_response(await self._updates(decode_form(form)))
        status, payload = self.fake.answer(method, form)
        return web.json_response(payload, status=status)

    async def _updates(self, params: dict[str, Any]) -> dict[str, Any]:
        offset = int(params.get("offset") or 0)
        self.fake.calls.append(Call("getUpdates", params, 200, None, self.fake.clock()))  # as it arrives
        self.queue = [u for u in self.queue if u["update_id"] >= offset]
        self.confirmed_below = max(self.confirmed_below, offset)
        if not self.queue and int(params.get("timeout") or 0) > 0:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), timeout=POLL_WAIT)
            except TimeoutError:
                pass
        batch = self.queue[: int(params.get("limit") or 100)]
        return {"ok": True, "result": batch}
