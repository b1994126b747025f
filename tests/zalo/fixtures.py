"""Fixtures for the Zalo channel (used by tests/zalo and tests/linking): the fake Zalo servers, and the
app serving its webhook on them."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.zalo.api import Limits
from bot.channels.zalo.runner import ZaloHandle, start_zalo
from bot.compose import App
from bot.config import Settings
from bot.service import web_app_for, zalo_parts

from .fake_server import FakeZalo
from .harness import APP_ID, APP_SECRET, OA_SECRET, ZaloWorld


class Sleeps(list[float]):
    """A sleep that records how long it was asked to wait and returns at once."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)
        await asyncio.sleep(0)


@pytest.fixture
async def fake_zalo() -> AsyncIterator[FakeZalo]:
    fake = FakeZalo(app_id=APP_ID, app_secret=APP_SECRET)
    await fake.start()
    yield fake
    await fake.stop()


def zalo_settings(app: App, fake: FakeZalo, **overrides: Any) -> Settings:
    return app.settings.model_copy(update={
        "zalo_app_id": APP_ID, "zalo_oa_secret_key": OA_SECRET, "zalo_app_secret": APP_SECRET,
        "zalo_refresh_token": "RT-0", "zalo_api_base": fake.base, "zalo_oauth_base": fake.base, **overrides})


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def open_world(make_app: Any, fake_zalo: FakeZalo, clock: Any,
                     sleeps: Sleeps) -> AsyncIterator[Callable[..., Any]]:
    """Start (and stop) Zalo worlds: open_world(app=None, **settings) → ZaloWorld."""
    opened: list[tuple[ZaloHandle, TestClient[Any, Any]]] = []

    async def open_(app: App | None = None, **overrides: Any) -> ZaloWorld:
        app = app or await make_app()
        web_app = web_app_for(app)
        handle = await start_zalo(zalo_settings(app, fake_zalo, **overrides), web_app,
                                  limits=Limits(per_second=1000, burst=1000), sleep=sleeps, sweep_every=None,
                                  **zalo_parts(app))
        client: TestClient[Any, Any] = TestClient(TestServer(web_app))
        await client.start_server()
        opened.append((handle, client))
        return ZaloWorld(app, handle, client, fake_zalo, lambda: str(int(clock().timestamp() * 1000)))

    yield open_
    for handle, client in opened:
        await client.close()
        await handle.stop()


@pytest.fixture
async def world(open_world: Callable[..., Any]) -> ZaloWorld:
    return await open_world()  # type: ignore[no-any-return]
