"""One platform down never stops the others: with Zalo's OAuth server unreachable the service starts,
serves Telegram, the web chat and the dashboard, says in /readyz and the log which channel is down,
keeps recording Zalo's events, and answers them once a token works."""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.channels.zalo.signature import HEADER, sign
from telegram.fake_api import FakeTelegram
from telegram.fake_server import FakeBotApiServer
from zalo.fake_server import FakeZalo
from zalo.fixtures import fake_zalo, open_world, sleeps, world  # noqa: F401
from zalo.harness import APP_ID, APP_SECRET, OA_SECRET, ZaloWorld

from .service import closed_url, free_port, get_json, running, settings_for, until

START = {"update_id": 501, "message": {"message_id": 1, "date": 1_718_850_000, "text": "/start",
                                       "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                                       "chat": {"id": 1001, "type": "private", "first_name": "An"},
                                       "from": {"id": 1001, "is_bot": False, "first_name": "An"}}}


def _follow(user: str) -> tuple[bytes, dict[str, str]]:
    stamp = str(int(time.time() * 1000))
    body = json.dumps({"app_id": APP_ID, "event_name": "follow", "timestamp": stamp, "oa_id": "1",
                       "follower": {"id": user}}).encode()
    return body, {HEADER: sign(app_id=APP_ID, body=body, timestamp=stamp, secret=OA_SECRET)}


async def test_with_zalo_unreachable_everything_else_serves_and_readyz_names_zalo(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    bot_api = FakeBotApiServer(FakeTelegram())
    await bot_api.start()
    settings = settings_for(tmp_path, free_port(), telegram_bot_token="123456:TEST", telegram_api_base=bot_api.base,
                            zalo_app_id=APP_ID, zalo_oa_secret_key=OA_SECRET, zalo_app_secret=APP_SECRET,
                            zalo_refresh_token="RT-0", zalo_oauth_base=closed_url(), zalo_api_base=closed_url())
    try:
        async with running(settings, caplog) as base, aiohttp.ClientSession() as http:
            status, ready = await get_json(f"{base}/readyz")
            assert status == 200 and ready["status"] == "degraded" and ready["database"] == "ok"
            assert ready["channels"]["zalo"]["state"] == "down"
            assert "cannot be reached" in ready["channels"]["zalo"]["reason"]
            assert "authorise" not in ready["channels"]["zalo"]["reason"], "a network error is not a refusal"
            assert ready["channels"]["telegram"]["state"] == "up"

            async with http.post(f"{base}/api/chat/start", json={}) as response:
                assert response.status == 200 and (await response.json())["replies"]
            async with http.get(f"{base}/admin/login") as response:
                assert response.status == 200
            bot_api.push(START)
            await until(lambda: bot_api.fake.delivered("sendMessage"))
            body, headers = _follow("2468458835296117922")
            async with http.post(f"{base}/zalo/webhook", data=body, headers=headers) as response:
                assert response.status == 200, "Zalo's events are still recorded"
            async with http.get(f"{base}/metrics") as response:
                assert 'cds_channel_up{channel="zalo"} 0.0' in await response.text()
    finally:
        await bot_api.stop()
    assert "zalo: unhealthy: Zalo's OAuth server cannot be reached" in caplog.text
    assert "Traceback" not in caplog.text


async def test_events_recorded_while_zalo_is_down_are_answered_once_a_token_works(
        open_world: Any, fake_zalo: FakeZalo, clock: Any) -> None:  # noqa: F811
    fake_zalo.oauth_down = True
    started: ZaloWorld = await open_world()
    an = started.citizen()
    await an.follow()
    assert started.handle.health.channels()["zalo"].state == "down"
    assert an.screen == [], "nothing can be sent without a token"

    assert not await started.handle.check_token(), "still down: still waiting"
    fake_zalo.oauth_down = False
    clock.advance(seconds=30)  # the follow was recorded a while ago
    assert await started.handle.check_token()

    assert started.handle.health.channels()["zalo"].state == "up"
    assert an.screen and "Nghị định 13" in an.texts_since(0), "the follow is answered with the welcome"
    await an.tap("Tôi đồng ý")  # and the conversation goes on as usual
    assert len(an.screen) >= 2


async def test_a_token_refused_later_takes_the_channel_down_until_it_works_again(
        world: ZaloWorld, fake_zalo: FakeZalo) -> None:  # noqa: F811
    assert world.handle.working
    fake_zalo.expire()  # the access token stops working …
    fake_zalo.refresh_token = "RT-revoked"  # … and the refresh token was revoked
    await world.citizen().follow()
    assert not await world.handle.check_token()
    reason = world.handle.health.channels()["zalo"].reason
    assert "authorise the app for the OA again" in reason and "ZALO_REFRESH_TOKEN" in reason


async def test_with_telegram_unreachable_the_web_chat_serves_and_the_webhook_asks_telegram_to_retry(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    settings = settings_for(tmp_path, free_port(), telegram_bot_token="123456:TEST", telegram_api_base=closed_url(),
                            telegram_webhook_url="https://thi.example.vn", telegram_webhook_secret="s3cret")
    async with running(settings, caplog) as base, aiohttp.ClientSession() as http:
        status, ready = await get_json(f"{base}/readyz")
        assert status == 200 and ready["channels"]["telegram"]["state"] == "down"
        async with http.post(f"{base}/api/chat/start", json={}) as response:
            assert response.status == 200
        async with http.post(f"{base}/telegram/webhook", json=START,
                             headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"}) as response:
            assert response.status == 503, "Telegram keeps the update and delivers it again later"
    assert "telegram: unhealthy" in caplog.text
