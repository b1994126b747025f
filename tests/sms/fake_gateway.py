"""A pretend SMS brandname gateway on 127.0.0.1: it keeps the texts it was asked to send."""
from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from loopback import LoopbackServer


class FakeGateway(LoopbackServer):
    KEY = "khoa-bi-mat"

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[dict[str, Any]] = []
        self.failing = False

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/send", self._send)
        return app

    async def _send(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.KEY}":
            return web.json_response({"error": "unauthorised"}, status=401)
        if self.failing:
            return web.json_response({"error": "quota exceeded"}, status=503)
        self.texts.append(await request.json())
        return web.json_response({"status": "queued"})

    def code_to(self, phone: str) -> str:
        """The code in the last text to `phone` (as 84XXXXXXXXX)."""
        text = next(t["text"] for t in reversed(self.texts) if t["to"] == "84" + phone[1:])
        found = re.search(r"\b(\d{6})\b", text)
        assert found, text
        return found.group(1)
