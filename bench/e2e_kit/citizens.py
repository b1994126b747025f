"""Simulated citizens: each holds one attempt open and answers its questions, over the Telegram webhook (as
Telegram delivers a tap: one update per POST, at most 40 at once) or over the web chat's JSON API (as the
page sends a tap). A finished attempt is followed by a new one, so the load never thins out."""
from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from .bot_api import FakeBotApi

TELEGRAM_CONNECTIONS = 40  # what Telegram opens to one bot's webhook by default (max_connections)
WAIT_S = 30.0  # a question not shown this long after a tap: the citizen counts it lost and resyncs
_update_ids = itertools.count(int(time.time() * 1000) % 10**12)


class Failed(Exception):
    """A request answered with something other than 200."""


@dataclass
class Tally:
    """What the citizens saw: each answer's acknowledgement time and POST→200, and tap→next question."""

    done: list[float] = field(default_factory=list)  # monotonic time of each 200
    latency: list[float] = field(default_factory=list)
    shown: list[float] = field(default_factory=list)
    errors: int = 0
    lost: int = 0
    unserved: int = 0  # taps of an offered rate that found every citizen still waiting: not offered at all

    def add(self, at: float, latency: float, shown: float = float("nan")) -> None:
        self.done.append(at)
        self.latency.append(latency)
        self.shown.append(shown)


class Telegram:
    """Telegram's side of a webhook: the POSTs to the bot, at most as many at once as the bot's setWebhook
    asked for (max_connections; TELEGRAM_CONNECTIONS when it did not say). An update beyond them waits at
    Telegram, and its POST→200 starts when a connection is free, as Telegram would time it."""

    def __init__(self, session: aiohttp.ClientSession, url: str, secret: str, api: FakeBotApi) -> None:
        self.session, self.url, self.api = session, url, api
        self.headers = {"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"}
        self.connections = asyncio.Semaphore(api.webhook_connections or TELEGRAM_CONNECTIONS)

    async def deliver(self, update: dict[str, Any]) -> float:
        """POST one update; seconds from the request's start (a connection free) to its 200."""
        body = json.dumps({"update_id": next(_update_ids), **update})
        async with self.connections:
            began = time.perf_counter()
            async with self.session.post(self.url, data=body, headers=self.headers) as response:
                await response.read()
                if response.status != 200:
                    raise Failed(f"webhook {response.status}")
            return time.perf_counter() - began


class TelegramCitizen:
    def __init__(self, telegram: Telegram, user_id: int) -> None:
        self.telegram, self.user_id = telegram, user_id
        self.user = {"id": user_id, "is_bot": False, "first_name": "An", "language_code": "vi"}
        self.screen = telegram.api.screen(user_id)

    @property
    def has_question(self) -> bool:
        return self.screen.position >= 0

    def _press(self, message_id: int, data: str) -> dict[str, Any]:
        chat = {"id": self.user_id, "type": "private", "first_name": "An"}
        message = {"message_id": message_id, "date": int(time.time()), "chat": chat, "text": "…",
                   "from": {"id": 123456, "is_bot": True, "first_name": "Công Dân Số"}}
        return {"callback_query": {"id": f"{self.user_id}-{time.monotonic_ns()}", "from": self.user,
                                   "chat_instance": "bench", "message": message, "data": data}}

    async def resume(self) -> None:
        """"📝 Thi ngay": the attempt's current question, or a new attempt."""
        version = self.screen.version
        await self.telegram.deliver(self._press(self.screen.question_message or 1, "1|m:play"))
        while self.screen.position < 0:
            if not await self.screen.after(version, WAIT_S):
                raise Failed("no question shown")
            version = self.screen.version

    async def answer(self, tally: Tally, rng: random.Random) -> None:
        if self.screen.position < 0:
            await self.resume()
            return
        position, version, began = self.screen.position, self.screen.version, time.perf_counter()
        tap = self._press(self.screen.question_message, rng.choice(self.screen.answers))
        latency = await self.telegram.deliver(tap)
        acknowledged = time.monotonic()
        while self.screen.position == position:  # the next question, once the bot has shown it
            if not await self.screen.after(version, WAIT_S):
                tally.lost += 1
                self.screen.position = -1
                return
            version = self.screen.version
        tally.add(acknowledged, latency, time.perf_counter() - began)

    async def leaderboard(self, tally: Tally) -> None:
        chat = {"id": self.user_id, "type": "private", "first_name": "An"}
        text = {"message_id": 1, "date": int(time.time()), "chat": chat, "from": self.user, "text": "/bxh",
                "entities": [{"type": "bot_command", "offset": 0, "length": 4}]}
        latency = await self.telegram.deliver({"message": text})
        tally.add(time.monotonic(), latency)


class WebCitizen:
    """A browser of the web chat (its signed cookie), or the Mini App (`authorization`: its initData)."""

    def __init__(self, session: aiohttp.ClientSession, base: str, *, cookie: str | None = None,
                 authorization: str | None = None) -> None:
        self.session, self.url = session, base + "/api/chat/send"
        self.headers = {"Content-Type": "application/json", "Accept-Language": "vi"}
        if cookie:
            self.headers["Cookie"] = f"cds_browser={cookie}"
        if authorization:
            self.headers["Authorization"] = authorization
        self.answers: list[str] = []

    @property
    def has_question(self) -> bool:
        return bool(self.answers)

    async def _send(self, body: dict[str, str]) -> tuple[float, dict[str, Any]]:
        began = time.perf_counter()
        async with self.session.post(self.url, data=json.dumps(body), headers=self.headers) as response:
            shown = await response.read()
            if response.status != 200:
                raise Failed(f"web {response.status}")
        return time.perf_counter() - began, json.loads(shown)

    def _take(self, shown: dict[str, Any]) -> None:
        self.answers = [b["action"] for reply in shown.get("replies", []) for row in reply.get("buttons", [])
                        for b in row if b["action"].startswith("a:")]

    async def resume(self) -> None:
        self._take((await self._send({"action": "m:play"}))[1])
        if not self.answers:
            raise Failed("no question shown")

    async def answer(self, tally: Tally, rng: random.Random) -> None:
        if not self.answers:
            await self.resume()
            return
        latency, shown = await self._send({"action": rng.choice(self.answers)})
        self._take(shown)
        tally.add(time.monotonic(), latency, latency)

    async def leaderboard(self, tally: Tally) -> None:
        latency, _ = await self._send({"text": "/bxh"})
        tally.add(time.monotonic(), latency)
