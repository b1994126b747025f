"""`dcbot run`'s service on a free port for a test, with the fakes of Telegram and Zalo where asked."""
from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import Settings
from bot.service import serve

PACK = Path(__file__).resolve().parents[1] / "fixtures" / "pack"
WITHIN = 60.0  # seconds a step of a `dcbot run` subprocess may take on a busy machine (a bound, not a speed goal)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def closed_url() -> str:
    """An address where nothing listens: a platform that cannot be reached."""
    return f"http://127.0.0.1:{free_port()}"


def settings_for(tmp_path: Path, port: int, **given: Any) -> Settings:
    base: dict[str, Any] = {"database_url": f"sqlite+aiosqlite:///{tmp_path}/db.sqlite", "contest_pack": PACK,
                            "web_secret": "test", "web_host": "127.0.0.1", "web_port": port,
                            "telegram_bot_token": None, "zalo_app_id": None, "redis_url": None}
    return Settings(**(base | given))


async def until(check: Callable[[], Any], seconds: float = 15) -> None:
    async with asyncio.timeout(seconds):
        while not await check() if asyncio.iscoroutinefunction(check) else not check():
            await asyncio.sleep(0.05)


@asynccontextmanager
async def running(settings: Settings, caplog: pytest.LogCaptureFixture) -> AsyncIterator[str]:
    """The service running until the block ends; its base URL."""
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, stop=stop))
    try:
        await until(lambda: "web chat:" in caplog.text or task.done())
        if task.done():
            task.result()
        yield f"http://127.0.0.1:{settings.web_port}"
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)


async def get_json(url: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.json()


def log_lines(log: Path) -> list[dict[str, Any]]:
    """A `dcbot run` subprocess's log (LOG_FORMAT=json), a dict per line."""
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


async def until_seen(check: Callable[[], Any], what: str, log: Path) -> Any:
    """What `check` returns once it is truthy; past WITHIN seconds, a failure that quotes the end of `log`."""
    try:
        async with asyncio.timeout(WITHIN):
            while not (found := await check()):
                await asyncio.sleep(0.1)
            return found
    except TimeoutError:
        raise AssertionError(f"not within {WITHIN}s: {what}\n{log.read_text()[-3000:]}") from None


async def answers_200(http: aiohttp.ClientSession, url: str) -> bool:
    """Whether GET `url` answers 200 (False while nothing listens there yet)."""
    try:
        async with http.get(url) as response:
            return response.status == 200
    except aiohttp.ClientError:
        return False
