"""Zalo's OpenAPI (messages) and OAuth (token refresh) on 127.0.0.1, as the real client meets them."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from loopback import LoopbackServer


@dataclass
class Sent:
    user_id: str
    message: dict[str, Any]
    token: str

    @property
    def text(self) -> str:
        return str(self.message.get("text", ""))

    @property
    def buttons(self) -> list[dict[str, Any]]:
        attachment = self.message.get("attachment") or {}
        return list((attachment.get("payload") or {}).get("buttons") or [])

    @property
    def template(self) -> str | None:
        attachment = self.message.get("attachment") or {}
        return (attachment.get("payload") or {}).get("template_type")


@dataclass
class FakeZalo:
    app_id: str
    app_secret: str
    access: str | None = "AT-0"
    refresh_token: str = "RT-0"
    sent: list[Sent] = field(default_factory=list)
    events: list[str] = field(default_factory=list)  # "use AT-1", "refresh RT-0", in arrival order
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # given instead of the next successes
    oauth_down: bool = False  # token refreshes fail as when Zalo's OAuth server cannot be reached
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _server: LoopbackServer = field(default_factory=LoopbackServer)
    base: str = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self._message)
        app.router.add_post("/v4/oa/access_token", self._refresh)
        self.base = await self._server.serve(app)
        return self.base

    async def stop(self) -> None:
        await self._server.stop()

    def expire(self) -> None:
        """The access token in use stops working (-216) until the client refreshes."""
        self.access = None

    def to(self, user_id: str) -> list[Sent]:
        return [s for s in self.sent if s.user_id == user_id]

    async def _message(self, request: web.Request) -> web.Response:
        token = request.headers.get("access_token", "")
        body = await request.json()
        self.events.append(f"use {token}")
        if token != self.access or not token:
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        if self.answers:
            status, answer = self.answers.pop(0)
            return web.json_response(answer, status=status)
        user_id = str(body["recipient"]["user_id"])
        self.sent.append(Sent(user_id, body["message"], token))
        return web.json_response({"error": 0, "message": "Success",
                                  "data": {"message_id": f"msg{next(self._ids)}", "user_id": user_id}})

    async def _refresh(self, request: web.Request) -> web.Response:
        if self.oauth_down:  # an outage in front of Zalo's OAuth server: a gateway error, no JSON
            return web.Response(status=502, text="Bad Gateway")
        form = await request.post()
        self.events.append(f"refresh {form.get('refresh_token')}")
        if request.headers.get("secret_key") != self.app_secret or form.get("app_id") != self.app_id \
                or form.get("grant_type") != "refresh_token":
            return web.json_response({"error": -14002, "error_name": "Invalid app"})
        if form.get("refresh_token") != self.refresh_token:
            return web.json_response({"error": -14014, "error_name": "Invalid refresh token"})
        n = next(self._ids)
        self.access, self.refresh_token = f"AT-{n}", f"RT-{n}"  # the old refresh token is spent
        return web.json_response({"access_token": self.access, "refresh_token": self.refresh_token,
                                  "expires_in": "90000"})
