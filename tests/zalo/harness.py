"""A Zalo OA world for tests: the real web app and channel, the fake Zalo servers, and citizens who
send signed webhook events and read what the fake received."""
from __future__ import annotations

import itertools
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient

from bot.channels.zalo.runner import ZaloHandle
from bot.channels.zalo.signature import HEADER, sign
from bot.compose import App

from .fake_server import FakeZalo, Sent

APP_ID = "1234567890123456789"  # ids stay strings: this one would lose digits as a JSON double
OA_ID = "388613280878808645"
OA_SECRET = "oa-secret-key"
APP_SECRET = "app-secret"
_msg_ids = itertools.count(1)


class ZaloWorld:
    def __init__(self, app: App, handle: ZaloHandle, client: TestClient[Any, Any], fake: FakeZalo,
                 now_ms: Callable[[], str]) -> None:
        self.app, self.handle, self.client, self.fake, self.now_ms = app, handle, client, fake, now_ms

    async def post(self, payload: dict[str, Any], *, signature: str | None = None, signed: bool = True,
                   raw: bytes | None = None) -> int:
        """POST the event as Zalo would (signed over the exact bytes sent); the status; then let work finish."""
        body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if signed:
            headers[HEADER] = signature or sign(app_id=APP_ID, body=body, timestamp=str(payload["timestamp"]),
                                                secret=OA_SECRET)
        response = await self.client.post("/zalo/webhook", data=body, headers=headers)
        await self.handle.drain()
        return response.status

    def citizen(self, user_id: str = "2468458835296117922") -> Citizen:
        return Citizen(self, user_id)


class Citizen:
    """A Zalo user of the OA: each action is one signed webhook event; the screen is what Zalo delivered."""

    def __init__(self, world: ZaloWorld, user_id: str) -> None:
        self.world, self.user_id = world, user_id

    def event(self, name: str, **fields: Any) -> dict[str, Any]:
        base: dict[str, Any] = {"app_id": APP_ID, "user_id_by_app": "55" + self.user_id[2:], "event_name": name,
                                "timestamp": self.world.now_ms()}
        if name in ("follow", "unfollow"):
            base |= {"oa_id": OA_ID, "follower": {"id": self.user_id}, "source": "oa_profile"}
        else:
            base |= {"sender": {"id": self.user_id}, "recipient": {"id": OA_ID}}
        return base | fields

    async def _post(self, payload: dict[str, Any]) -> None:
        assert await self.world.post(payload) == 200

    async def follow(self) -> None:
        await self._post(self.event("follow"))

    async def unfollow(self) -> None:
        await self._post(self.event("unfollow"))

    def text_event(self, text: str) -> dict[str, Any]:
        return self.event("user_send_text", message={"msg_id": f"{next(_msg_ids):032x}", "text": text})

    async def send(self, text: str) -> None:
        await self._post(self.text_event(text))

    async def tap(self, label: str | Callable[[str], bool]) -> None:
        """Tap the newest quick reply whose title matches: Zalo sends its payload back as our text."""
        match = label if callable(label) else (lambda title: label in title)
        for sent in reversed(self.screen):
            for b in sent.buttons:
                if b["type"] == "oa.query.show" and match(b["title"]):
                    await self.send(b["payload"])
                    return
        raise AssertionError(f"no button {label!r}; last message: {self.last.text!r}")

    async def share_info(self, *, name: str, phone: str) -> None:
        await self._post(self.event("user_submit_info", info={"name": name, "phone": phone, "address": "",
                                                               "city": "", "district": "", "ward": ""}))

    async def sticker(self) -> None:
        await self._post(self.event("user_send_sticker", message={
            "msg_id": f"{next(_msg_ids):032x}", "attachments": [{"type": "sticker", "payload": {"id": "ab1"}}]}))

    @property
    def screen(self) -> list[Sent]:
        return self.world.fake.to(self.user_id)

    @property
    def last(self) -> Sent:
        assert self.screen, "nothing was sent to this user"
        return self.screen[-1]

    def texts_since(self, count: int) -> str:
        return "\n".join(s.text for s in self.screen[count:])

    def buttons(self) -> list[str]:
        return [b["title"] for b in self.last.buttons]


def right_letter(text: str) -> str:
    found = re.search(r"^([A-F])\. Đúng", text, re.MULTILINE)
    assert found, f"no right option in {text!r}"
    return found.group(1)


Step = Callable[[], Awaitable[None]]


async def register(an: Citizen, *, name: str = "Nguyễn Văn An", phone: str = "84912345678") -> None:
    """Follow, consent, and register in Xã Đông Sơn, sharing the phone number with Zalo's form."""
    await an.follow()
    await an.tap("Tôi đồng ý")
    await an.tap("Đồng ý liên hệ khi đoạt giải")
    await an.tap("Không, cảm ơn")
    await an.send(name)
    await an.send("1990")
    await an.share_info(name=name, phone=phone)
    await an.tap("Huyện An Bình")
    await an.tap("Xã Đông Sơn")
    await an.tap("Xác nhận")
    assert "Đăng ký thành công" in an.last.text, an.last.text
