"""The dashboard mounted on a test server over the test database (SQLite, and PostgreSQL when set),
and visitors with their own cookie jars."""
from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.compose import App
from bot.service import web_app_for

from .seed import PASSWORD, add_staff

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Visitor:
    """One browser: its own cookies, and the CSRF token of the last page it saw."""

    def __init__(self, server: TestServer) -> None:
        self.server = server
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf: str | None = None
        self.last: aiohttp.ClientResponse | None = None
        self.text = ""

    async def get(self, path: str, **kw: Any) -> aiohttp.ClientResponse:
        return await self._call("GET", path, **kw)

    async def post(self, path: str, data: dict[str, str] | list[tuple[str, str]] | None = None, *,
                   csrf: bool = True, **kw: Any) -> aiohttp.ClientResponse:
        """Submit a form; a list of pairs may repeat a field (ticked checkboxes of one name)."""
        form = list(data.items()) if isinstance(data, dict) else list(data or [])
        if csrf and self.csrf and not any(k == "csrf_token" for k, _v in form):
            form.append(("csrf_token", self.csrf))
        return await self._call("POST", path, data=form, **kw)

    async def _call(self, method: str, path: str, **kw: Any) -> aiohttp.ClientResponse:
        response = await self.session.request(method, self.server.make_url(path), **kw)
        self.last = response
        if response.content_type.startswith("text/html"):
            self.text = await response.text()
            found = _CSRF.search(self.text)
            if found:
                self.csrf = found.group(1)
        return response

    async def login(self, name: str, password: str = PASSWORD) -> aiohttp.ClientResponse:
        await self.get("/admin/login")
        return await self.post("/admin/login", {"username": name, "password": password})

    def cookie(self, name: str) -> Any:
        return next((c for c in self.session.cookie_jar if c.key == name), None)

    async def close(self) -> None:
        await self.session.close()


@pytest.fixture
async def server(app: App) -> AsyncIterator[TestServer]:
    test_server = TestServer(web_app_for(app))
    await test_server.start_server()
    try:
        yield test_server
    finally:
        await test_server.close()


@pytest.fixture
async def visitor(server: TestServer) -> AsyncIterator[Callable[[], Visitor]]:
    """visitor() opens another browser on the dashboard."""
    opened: list[Visitor] = []

    def open_one() -> Visitor:
        opened.append(Visitor(server))
        return opened[-1]

    yield open_one
    for v in opened:
        await v.close()


@pytest.fixture
async def organiser(app: App, visitor: Callable[[], Visitor]) -> Visitor:
    await add_staff(app, "bantochuc", "organiser")
    v = visitor()
    response = await v.login("bantochuc")
    assert response.status == 200 and response.url.path == "/admin/", v.text
    return v


@pytest.fixture
async def administrator(app: App, visitor: Callable[[], Visitor]) -> Visitor:
    await add_staff(app, "quantri", "admin")
    v = visitor()
    response = await v.login("quantri")
    assert response.status == 200 and response.url.path == "/admin/", v.text
    return v
