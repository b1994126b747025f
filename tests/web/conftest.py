"""A real web app over a fresh SQLite file per test, and a client that talks to it like the page does."""
from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient, TestServer

from bot.compose import App, build
from bot.config import Settings
from bot.service import web_app_for
from bot.web.identity import COOKIE

PACK = Path(__file__).resolve().parents[1] / "fixtures" / "pack"


def settings_for(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/db.sqlite", contest_pack=PACK, web_secret="test")


@pytest.fixture
async def application(tmp_path: Path) -> AsyncIterator[App]:
    app = await build(settings_for(tmp_path), migrate=True)
    try:
        yield app
    finally:
        await app.close()


@asynccontextmanager
async def served(db_url: str, pack: Path = PACK) -> AsyncIterator[tuple[App, TestClient[Any, Any]]]:
    """The web app with the fixture pack (or `pack`) on the database at `db_url` (no Redis), and a client to it."""
    app = await build(Settings(database_url=db_url, contest_pack=pack, web_secret="test", redis_url=None),
                      migrate=True)
    try:
        async with TestClient(TestServer(web_app_for(app)), cookie_jar=DummyCookieJar()) as test_client:
            yield app, test_client
    finally:
        await app.close()


@pytest.fixture
async def client(application: App) -> AsyncIterator[TestClient[Any, Any]]:
    # No shared cookie jar: each WebChat keeps its own cookie, like a separate browser.
    async with TestClient(TestServer(web_app_for(application)), cookie_jar=DummyCookieJar()) as test_client:
        yield test_client


class WebChat:
    """One browser: its cookie jar, and what the last answer showed."""

    def __init__(self, client: TestClient[Any, Any], *, cookie: str | None = None,
                 language: str = "vi-VN,vi;q=0.9") -> None:
        self.client, self.cookie, self.language = client, cookie, language
        self.shown: dict[str, Any] = {}

    async def start(self, **body: Any) -> dict[str, Any]:
        return await self._post("/api/chat/start", body)

    async def type(self, text: str) -> dict[str, Any]:
        return await self._post("/api/chat/send", {"text": text})

    async def press(self, action: str) -> dict[str, Any]:
        return await self._post("/api/chat/send", {"action": action})

    async def tap(self, label: str) -> dict[str, Any]:
        """Press the button labelled `label` (or containing it), as a person would pick it."""
        return await self.press(self.action_of(label))

    def action_of(self, label: str) -> str:
        """The action of the button on screen labelled `label` (or containing it)."""
        buttons = [b for reply in self.shown["replies"] for row in reply["buttons"] for b in row]
        matching = [b for b in buttons if b["label"] == label] or [b for b in buttons if label in b["label"]]
        assert matching, f"no button {label!r} among {[b['label'] for b in buttons]}"
        action: str = matching[0]["action"]
        return action

    def last(self) -> dict[str, Any]:
        reply: dict[str, Any] = self.shown["replies"][-1]
        return reply

    def text(self) -> str:
        return "\n".join(part for reply in self.shown["replies"] for part in reply["parts"])

    def right_letter(self) -> str:
        """The letter of the option starting with "Đúng" (always right in the fixture pack)."""
        found = re.search(r"^([A-F])\. Đúng", self.text(), re.MULTILINE)
        assert found, self.text()
        return found.group(1)

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        headers = {"Accept-Language": self.language}
        if self.cookie is not None:
            headers["Cookie"] = f"{COOKIE}={self.cookie}"
        response = await self.client.post(path, json=body, headers=headers)
        assert response.status == 200, await response.text()
        if COOKIE in response.cookies:
            self.cookie = response.cookies[COOKIE].value
        self.shown = await response.json()
        return self.shown


@pytest.fixture
def chat(client: TestClient[Any, Any]) -> WebChat:
    return WebChat(client)


@pytest.fixture
def browser(client: TestClient[Any, Any]) -> Callable[..., WebChat]:
    """Another browser on the same server: browser(cookie=..., language=...)."""
    return lambda **kw: WebChat(client, **kw)


async def register(chat: WebChat, *, name: str = "Nguyễn Văn An", phone: str = "0912345678") -> None:
    """Consent, then register in the fixture pack's commune Xã Đông Sơn."""
    await chat.start()
    await chat.tap("Tôi đồng ý")
    await chat.tap("Đồng ý liên hệ khi đoạt giải")
    await chat.tap("Không, cảm ơn")
    await chat.type(name)
    await chat.type("1990")
    await chat.type(phone)
    await chat.tap("Huyện An Bình")
    await chat.tap("Xã Đông Sơn")
    await chat.tap("Xác nhận")


@pytest.fixture
async def registered(chat: WebChat) -> WebChat:
    """A citizen who has consented and registered, looking at the main menu."""
    await register(chat)
    return chat
