"""`dcbot run` with Zalo settings: the webhook on the service's web app, a clear log, a clean stop."""
from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from pathlib import Path

import aiohttp
import pytest

from bot.channels.zalo.errors import ZaloConfigError
from bot.channels.zalo.signature import HEADER, sign
from bot.config import Settings
from bot.service import serve

from .fake_server import FakeZalo
from .harness import APP_ID, APP_SECRET, OA_SECRET

PACK = Path(__file__).resolve().parents[1] / "fixtures" / "pack"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def settings(tmp_path: Path, fake: FakeZalo, port: int, **zalo: object) -> Settings:
    given: dict[str, object] = {"zalo_app_id": APP_ID, "zalo_oa_secret_key": OA_SECRET, "zalo_app_secret": APP_SECRET,
                                "zalo_refresh_token": "RT-0", "zalo_api_base": fake.base, "zalo_oauth_base": fake.base,
                                **zalo}
    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/db.sqlite", contest_pack=PACK, web_secret="test",
                    web_host="127.0.0.1", web_port=port, telegram_bot_token=None, redis_url=None, **given)


async def test_the_service_serves_the_zalo_webhook(tmp_path: Path, fake_zalo: FakeZalo,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.service")
    port, stop = free_port(), asyncio.Event()
    running = asyncio.create_task(serve(settings(tmp_path, fake_zalo, port), stop=stop))
    url = f"http://127.0.0.1:{port}/zalo/webhook"
    stamp = str(int(time.time() * 1000))
    follow = {"app_id": APP_ID, "event_name": "follow", "timestamp": stamp, "oa_id": "1",
              "follower": {"id": "2468458835296117922"}}
    body = json.dumps(follow).encode()
    async with aiohttp.ClientSession() as http:
        async with asyncio.timeout(10):
            while "web chat:" not in caplog.text:
                await asyncio.sleep(0.02)
        async with http.post(url, data=body) as response:
            assert response.status == 401
        signature = sign(app_id=APP_ID, body=body, timestamp=stamp, secret=OA_SECRET)
        async with http.post(url, data=body, headers={HEADER: signature}) as response:
            assert response.status == 200
    async with asyncio.timeout(10):
        while not fake_zalo.sent:
            await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(running, timeout=10)
    assert f"zalo: webhook at /zalo/webhook for app {APP_ID}" in caplog.text


async def test_a_missing_secret_stops_the_start_with_a_clear_message(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    with pytest.raises(ZaloConfigError, match="ZALO_OA_SECRET_KEY"):
        await serve(settings(tmp_path, fake_zalo, free_port(), zalo_oa_secret_key=None))
