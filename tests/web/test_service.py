"""`dcbot run`'s service: the web chat on its address, a clear start-up log, a clean stop."""
from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path

import aiohttp
import pytest

from bot.config import Settings
from bot.service import CannotListen, serve

PACK = Path(__file__).resolve().parents[1] / "fixtures" / "pack"


def settings_on(tmp_path: Path, port: int) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/db.sqlite", contest_pack=PACK, web_secret="test",
                    web_host="127.0.0.1", web_port=port, telegram_bot_token=None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_serve_runs_the_web_chat_says_where_and_stops_cleanly(tmp_path: Path,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.service")
    port, stop = free_port(), asyncio.Event()
    running = asyncio.create_task(serve(settings_on(tmp_path, port), stop=stop))
    async with aiohttp.ClientSession() as http:
        for _ in range(100):
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    health = await response.json()
                break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
        async with http.get(f"http://127.0.0.1:{port}/") as response:
            assert response.status == 200
    assert health == {"status": "ok", "contest": "thu-nghiem"}
    stop.set()
    await asyncio.wait_for(running, timeout=10)

    assert f"web chat: http://127.0.0.1:{port}/" in caplog.text
    assert "telegram: off (no TELEGRAM_BOT_TOKEN)" in caplog.text
    with socket.socket() as s:  # the port is free again
        s.bind(("127.0.0.1", port))


async def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(CannotListen, match="cannot listen on 127.0.0.1"):
            await serve(settings_on(tmp_path, taken.getsockname()[1]))
