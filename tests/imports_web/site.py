"""The whole web app (chat and dashboard, as `dcbot run` serves it) on a test server, and staff signed in."""
from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from admin.conftest import Visitor
from admin.seed import add_staff
from bot.compose import App
from bot.service import web_app_for


@pytest.fixture
async def site(app: App) -> AsyncIterator[TestServer]:
    server = TestServer(web_app_for(app))
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def browsers(site: TestServer) -> AsyncIterator[Callable[[], Visitor]]:
    opened: list[Visitor] = []

    def open_one() -> Visitor:
        opened.append(Visitor(site))
        return opened[-1]

    yield open_one
    for v in opened:
        await v.close()


async def signed_in(app: App, browsers: Callable[[], Visitor], name: str, role: str) -> Visitor:
    await add_staff(app, name, role)
    v = browsers()
    response = await v.login(name)
    assert response.status == 200 and response.url.path == "/admin/", v.text
    return v


@pytest.fixture
async def admin_(app: App, browsers: Callable[[], Visitor]) -> Visitor:
    return await signed_in(app, browsers, "quantri", "admin")


@pytest.fixture
async def organiser_(app: App, browsers: Callable[[], Visitor]) -> Visitor:
    return await signed_in(app, browsers, "bantochuc", "organiser")


async def upload(v: Visitor, data: bytes, name: str, *, set_name: str = "bo-thu", topic: str = "",
                 csrf: bool = True) -> aiohttp.ClientResponse:
    """Choose a file on /admin/import and press "Kiểm tra"."""
    form = aiohttp.FormData()
    if csrf and v.csrf:
        form.add_field("csrf_token", v.csrf)
    form.add_field("set", set_name)
    form.add_field("topic", topic)
    form.add_field("file", io.BytesIO(data), filename=name, content_type="application/octet-stream")
    return await v._call("POST", "/admin/import/check", data=form)
