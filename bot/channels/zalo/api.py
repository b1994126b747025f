"""The OA OpenAPI, thinly: one message to one user, with the token, the app's rate and retries handled.

Message bodies follow POST /v3.0/oa/message/cs: plain text, text with buttons (quick replies
that send their payload back as the user's text, or links), and the shared-information form."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from bot.channels.zalo.bucket import TokenBucket
from bot.channels.zalo.errors import EXPIRED_TOKEN, RATE_LIMITED, ZaloError
from bot.channels.zalo.tokens import TokenKeeper
from bot.metrics import OUTGOING
from bot.metrics import RATE_LIMITED as RATE_LIMITED_TOTAL

log = logging.getLogger(__name__)
CHANNEL = "zalo"
Message = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Limits:
    """Zalo publishes no single figure for the app's rate; stay modest, and back off when told."""

    per_second: float = 8.0
    burst: int = 8
    attempts: int = 5  # tries through rate limits and transient failures
    backoff: float = 1.0  # seconds before the first retry, doubling up to backoff_max
    backoff_max: float = 16.0


def text_message(text: str) -> Message:
    return {"text": text}


def quick_reply(title: str, payload: str) -> dict[str, Any]:
    """A button that sends `payload` back as the user's own (visible) message."""
    return {"title": title, "type": "oa.query.show", "payload": payload}


def open_url(title: str, url: str) -> dict[str, Any]:
    return {"title": title, "type": "oa.open.url", "payload": {"url": url}}


def buttons_message(text: str, buttons: Sequence[dict[str, Any]]) -> Message:
    return {"text": text, "attachment": {"type": "template", "payload": {"buttons": list(buttons)}}}


def user_info_request(title: str, subtitle: str, image_url: str | None) -> Message:
    """The form with which a user shares their Zalo name and phone number (event user_submit_info)."""
    element: dict[str, Any] = {"title": title, "subtitle": subtitle}
    if image_url:
        element["image_url"] = image_url
    return {"attachment": {"type": "template",
                           "payload": {"template_type": "request_user_info", "elements": [element]}}}


class ZaloApi:
    def __init__(self, http: httpx.AsyncClient, *, api_base: str, tokens: TokenKeeper, limits: Limits = Limits(),
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.http, self.tokens, self.limits, self._sleep = http, tokens, limits, sleep
        self.url = api_base.rstrip("/") + "/v3.0/oa/message/cs"
        self.bucket = TokenBucket(limits.per_second, limits.burst, clock=clock, sleep=sleep)

    async def send(self, user_id: str, message: Message) -> str:
        """Deliver one message; its message id. ZaloError once it finally cannot be delivered."""
        body = {"recipient": {"user_id": user_id}, "message": message}
        refreshed, failures = False, 0
        while True:
            await self.bucket.take()
            token = await self.tokens.access_token()
            try:
                data = await self._post(token, body)
                OUTGOING.labels(CHANNEL, "sent").inc()
                return str(data.get("message_id", ""))
            except ZaloError as exc:
                if exc.code in RATE_LIMITED:
                    RATE_LIMITED_TOTAL.labels(CHANNEL).inc()
                if exc.code in EXPIRED_TOKEN and not refreshed:
                    log.info("zalo: access token refused (%s); refreshing", exc.code)
                    await self.tokens.refresh(failed=token)
                    refreshed = True
                    continue
                failures += 1
                if not exc.transient or failures >= self.limits.attempts:
                    OUTGOING.labels(CHANNEL, "failed").inc()
                    raise
                if exc.code in RATE_LIMITED:
                    self.bucket.drain()
                delay = min(self.limits.backoff * 2 ** (failures - 1), self.limits.backoff_max)
                log.warning("zalo: message to %s failed (%s); try %d in %.1fs", user_id, exc, failures + 1, delay)
                await self._sleep(delay)

    async def _post(self, token: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self.http.post(self.url, json=body, headers={"access_token": token})
        except httpx.HTTPError as exc:
            raise ZaloError(0, f"no answer: {exc.__class__.__name__}", transient=True) from exc
        if response.status_code == 429:
            raise ZaloError(next(iter(RATE_LIMITED)), "HTTP 429", transient=True)
        try:
            data = response.json()
        except ValueError:
            raise ZaloError(0, f"HTTP {response.status_code}, not JSON",
                            transient=response.status_code >= 500) from None
        if not isinstance(data, dict):
            raise ZaloError(0, f"HTTP {response.status_code}, unexpected answer", transient=response.status_code >= 500)
        code = int(data.get("error") or 0)
        if code != 0:
            raise ZaloError(code, str(data.get("message", "")), transient=code in RATE_LIMITED)
        if response.status_code >= 500:
            raise ZaloError(0, f"HTTP {response.status_code}", transient=True)
        answer = data.get("data")
        return answer if isinstance(answer, dict) else {}
