"""Telegram's Bot API, as far as the bots under test call it, on 127.0.0.1: every call answered at once, and
each chat's screen kept so a simulated citizen sees the question their chat shows now (whether the bot
edited it before or after acknowledging the tap)."""
from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT = {"id": 123456, "is_bot": True, "first_name": "Công Dân Số", "username": "cds_bench_bot"}
ANSWER = re.compile(r"^1\|a:(\d+):(\d+):(\d+)$")  # callback data of an answer button: attempt, position, choice


@dataclass
class Screen:
    """What one chat shows: its latest question (message id, position, the answer buttons' data)."""

    version: int = 0
    question_message: int = 0
    position: int = -1  # -1: no question on screen (a result, a menu)
    answers: list[str] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def show(self, message_id: int, markup: dict[str, Any] | None) -> None:
        buttons = [b.get("callback_data", "") for row in (markup or {}).get("inline_keyboard", []) for b in row]
        found = [m for m in (ANSWER.match(b) for b in buttons) if m]
        self.version += 1
        if found:
            self.question_message, self.position = message_id, int(found[0].group(2))
            self.answers = [m.group(0) for m in found]
        elif self.question_message == message_id or markup is not None:
            self.position, self.answers = -1, []
        self.changed.set()

    async def after(self, version: int, timeout: float) -> bool:
        """Wait until the screen changed past `version`; False after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while self.version <= version:
            self.changed.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except TimeoutError:
                return False
        return True


class FakeBotApi:
    def __init__(self) -> None:
        self.screens: dict[int, Screen] = {}
        self.calls: Counter[str] = Counter()
        self.last_call = time.monotonic()
        self.webhook_connections: int | None = None  # setWebhook's max_connections (None: not set, 40)
        self.webhook_url: str | None = None  # where setWebhook asked Telegram to post
        self._ids = itertools.count(1000)
        self._runner: web.AppRunner | None = None

    def screen(self, chat_id: int) -> Screen:
        return self.screens.setdefault(chat_id, Screen())

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._call)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        return f"http://{host}:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def quiet(self, seconds: float = 1.0, most: float = 60.0) -> None:
        """Return once no call has come for `seconds` (what a bot still had queued has gone), or after `most`."""
        began = time.monotonic()
        while time.monotonic() - self.last_call < seconds and time.monotonic() - began < most:
            await asyncio.sleep(0.2)

    async def _call(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls[method] += 1
        self.last_call = time.monotonic()
        if request.content_type == "application/json":  # the service's session; aiogram's own sends a form
            form: Any = {k: v if isinstance(v, str) else json.dumps(v) for k, v in (await request.json()).items()}
        else:
            form = await request.post()
        if method == "getMe":
            return web.json_response({"ok": True, "result": BOT})
        if method == "setWebhook":
            self.webhook_connections = int(str(form["max_connections"])) if "max_connections" in form else None
            self.webhook_url = str(form["url"])
        if method not in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            return web.json_response({"ok": True, "result": True})
        chat_id = int(str(form["chat_id"]))
        message_id = int(str(form["message_id"])) if "message_id" in form else next(self._ids)
        markup = json.loads(str(form["reply_markup"])) if "reply_markup" in form else None
        self.screen(chat_id).show(message_id, markup if isinstance(markup, dict) else None)
        message = {"message_id": message_id, "date": int(time.time()), "text": str(form.get("text", "…")),
                   "chat": {"id": chat_id, "type": "private", "first_name": "An"}, "from": BOT}
        return web.json_response({"ok": True, "result": message})
