"""The Mini App over the web chat's JSON API: it acts as the citizen's Telegram account, so the attempt is the
one the chat sees, and its answers send nothing through the Bot API."""
from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient, TestServer
from pydantic import ValidationError
from sqlalchemy import func, select

from bot.compose import App, build
from bot.config import Settings
from bot.service import web_app_for
from bot.storage import tables as t
from telegram.journey import register
from telegram.people import right_letter

from .telegram_side import PUBLIC, TelegramSide, opened_by, settings_for

USER = 1001


@pytest.fixture
async def application(tmp_path: Path) -> AsyncIterator[App]:
    app = await build(settings_for(tmp_path), migrate=True)
    try:
        yield app
    finally:
        await app.close()


@pytest.fixture
async def client(application: App) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(web_app_for(application)), cookie_jar=DummyCookieJar()) as test_client:
        yield test_client


@pytest.fixture
def telegram(application: App) -> TelegramSide:
    return TelegramSide(application)


class MiniApp:
    """The page inside Telegram: each request carries the initData it was opened with."""

    def __init__(self, client: TestClient[Any, Any], init_data: str) -> None:
        self.client, self.init_data = client, init_data
        self.shown: dict[str, Any] = {}

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        return await self.client.post(path, json=body, headers={"Authorization": f"tma {self.init_data}"})

    async def press(self, action: str) -> dict[str, Any]:
        response = await self.post("/api/chat/send", {"action": action})
        assert response.status == 200, await response.text()
        assert "Set-Cookie" not in response.headers
        self.shown = await response.json()
        return self.shown

    async def type(self, text: str) -> dict[str, Any]:
        response = await self.post("/api/chat/send", {"text": text})
        assert response.status == 200, await response.text()
        self.shown = await response.json()
        return self.shown

    def text(self) -> str:
        return "\n".join(part for reply in self.shown["replies"] for part in reply["parts"])

    def button(self, label: str) -> str:
        found = [b["action"] for r in self.shown["replies"] for row in r["buttons"] for b in row if b["label"] == label]
        assert found, self.text()
        return found[0]

    def progress(self) -> dict[str, Any] | None:
        return next((r["progress"] for r in self.shown["replies"] if r["progress"]), None)


async def attempts_of_everyone(application: App) -> int:
    async with application.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(t.attempts))).scalar_one())


async def accounts(application: App) -> int:
    async with application.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(t.accounts))).scalar_one())


async def test_the_menu_opens_the_attempt_in_the_mini_app_and_still_offers_the_chat(telegram: TelegramSide) -> None:
    citizen = telegram.citizen(USER)
    await register(citizen)
    await citizen.send("/menu")
    rows = citizen.screen.last.buttons
    assert rows[0][0] == {"text": "📝 Thi ngay", "web_app": {"url": f"{PUBLIC}/telegram/app"}}
    assert rows[0][1]["text"] == "💬 Thi trong khung chat" and rows[0][1]["callback_data"]
    assert [b["text"] for b in rows[1]] == ["📜 Thể lệ"]


async def test_without_a_public_address_thi_ngay_stays_in_the_chat(tmp_path: Path) -> None:
    app = await build(settings_for(tmp_path, web_public_url=None), migrate=True)
    try:
        citizen = TelegramSide(app).citizen(USER)
        await register(citizen)
        await citizen.send("/menu")
        first = citizen.screen.last.buttons[0]
        assert first[0]["text"] == "📝 Thi ngay" and "callback_data" in first[0] and len(first) == 2
    finally:
        await app.close()


@pytest.mark.parametrize("address", ["http://thi.example.vn", "thi.example.vn", "https://thi.example.vn/?a=1",
                                     "https://thi.example.vn/#x"])
def test_a_public_address_telegram_cannot_open_is_refused_at_start(address: str) -> None:
    with pytest.raises(ValidationError, match="WEB_PUBLIC_URL"):
        Settings(web_public_url=address)


async def test_the_mini_app_carries_on_the_attempt_the_chat_began_and_the_chat_sees_its_end(
        application: App, telegram: TelegramSide, client: TestClient[Any, Any]) -> None:
    citizen = telegram.citizen(USER)
    await register(citizen)
    await citizen.send("/thi")
    await citizen.tap("Vòng chính")
    question = citizen.screen.last
    await citizen.tap(lambda text: text == right_letter(question.text))
    assert citizen.screen.last.text.startswith("Câu 2/10")
    sent_before = telegram.messages_sent()

    app = MiniApp(client, opened_by(USER))
    await app.press("m:play")
    while (progress := app.progress()) is not None:
        assert re.search(r"Câu \d+/10", app.text())
        answer = app.button(right_letter(app.text()))
        await app.press(answer)
        if app.progress() is not None:
            assert app.progress()["position"] == progress["position"] + 1  # type: ignore[index]
    assert "dự đoán" in app.text()
    await app.type("7")
    assert "Kết quả: 10/10 câu đúng" in app.text()
    assert telegram.messages_sent() == sent_before  # nine answers and a prediction: nothing through the Bot API

    await citizen.send("/ketqua")
    assert "10/10" in citizen.screen.messages()[-1].text
    assert await attempts_of_everyone(application) == 1


async def test_a_new_citizen_in_the_mini_app_is_the_same_account_as_in_the_chat(
        application: App, telegram: TelegramSide, client: TestClient[Any, Any]) -> None:
    app = MiniApp(client, opened_by(USER))
    await app.press("m:play")
    assert "đăng ký" in app.text().lower()
    citizen = telegram.citizen(USER)
    await register(citizen)
    await app.press("m:play")
    assert "Chọn vòng thi" in app.text()  # registered now: the rounds to play
    assert await accounts(application) == 1


@pytest.mark.parametrize("authorization", [
    "tma " + opened_by(USER, age_s=3601),  # older than TELEGRAM_MINI_APP_MAX_AGE_S
    "tma " + opened_by(USER, token="654321:ANOTHER-BOT"),
    "tma " + opened_by(USER).replace("1001", "1002"),
    "tma ",
    "Bearer " + opened_by(USER),
    "tma user=%7B%22id%22%3A1001%7D&auth_date=1",
])
async def test_a_sign_in_that_is_not_genuine_fresh_and_for_this_bot_is_refused_and_changes_nothing(
        application: App, client: TestClient[Any, Any], authorization: str) -> None:
    for path, body in (("/api/chat/start", {}), ("/api/chat/send", {"action": "m:play"})):
        response = await client.post(path, json=body, headers={"Authorization": authorization})
        assert response.status == 401
        assert "Set-Cookie" not in response.headers
        assert "Mini App" in (await response.json())["error"]
    assert await accounts(application) == 0


async def test_without_a_bot_no_mini_app_signs_in(tmp_path: Path) -> None:
    app = await build(settings_for(tmp_path, telegram_bot_token=None), migrate=True)
    try:
        async with TestClient(TestServer(web_app_for(app))) as client:
            response = await client.post("/api/chat/send", json={"action": "m:play"},
                                         headers={"Authorization": "tma " + opened_by(USER)})
            assert response.status == 401
            browser = await client.post("/api/chat/start", json={})
            assert browser.status == 200  # the web chat itself is untouched
    finally:
        await app.close()


async def test_the_page_inside_telegram_loads_nothing_from_another_site_and_may_sit_in_telegram_web(
        client: TestClient[Any, Any]) -> None:
    response = await client.get("/telegram/app")
    assert response.status == 200
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors https://web.telegram.org" in policy and "script-src 'self'" in policy
    html = await response.text()
    assert "telegram-web-app.js" not in html and not re.search(r"""(src|href)=["']https?:""", html)
    assert (await client.get("/")).headers["Content-Security-Policy"].endswith("frame-ancestors 'none'")
