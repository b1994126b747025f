"""Signing in, sessions, CSRF and the lock-out, as a browser meets them."""
from __future__ import annotations

import hashlib
from collections.abc import Callable

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.compose import App
from bot.service import web_app_for
from bot.storage import tables
from bot.web.admin.auth import COOKIE, safe_next
from publishing import ADMIN

from .conftest import Visitor
from .seed import PASSWORD, add_staff


async def test_an_anonymous_visitor_is_sent_to_the_login_page(visitor: Callable[[], Visitor]) -> None:
    v = visitor()
    response = await v.get("/admin/leaderboard?round=chinh")
    assert response.url.path == "/admin/login"
    assert response.url.query["next"] == "/admin/leaderboard?round=chinh"
    assert 'name="password"' in v.text and "Đăng nhập" in v.text


async def test_an_anonymous_post_is_refused_without_running_anything(visitor: Callable[[], Visitor]) -> None:
    v = visitor()
    response = await v.post("/admin/integrity/scan", {"round": "chinh", "csrf_token": "x"}, allow_redirects=False)
    assert response.status == 403
    assert "Phiên đăng nhập đã hết hạn" in v.text


async def test_signing_in_leads_back_to_the_page_asked_for(app: App, visitor: Callable[[], Visitor]) -> None:
    await add_staff(app, "bantochuc", "organiser")
    v = visitor()
    await v.get("/admin/winners?round=chinh")
    response = await v.post("/admin/login", {"username": "BanToChuc ", "password": PASSWORD,
                                             "next": "/admin/winners?round=chinh"})
    assert response.status == 200 and response.url.path_qs == "/admin/winners?round=chinh"
    assert "<h1>Giải thưởng</h1>" in v.text


def test_after_signing_in_the_dashboard_never_sends_anyone_to_another_site() -> None:
    for target in ("//evil.example/admin/", "https://evil.example/", "/admin/../x", "/admin/\\evil", None,
                   "/admin/login", "/admin//evil.example"):
        assert safe_next(target) == "/admin/"
    assert safe_next("/admin/units?unit=T-A") == "/admin/units?unit=T-A"


async def test_the_session_cookie_is_http_only_strict_and_lasts_eight_hours(
        app: App, visitor: Callable[[], Visitor]) -> None:
    await add_staff(app, "bantochuc", "organiser")
    v = visitor()
    await v.get("/admin/login")
    response = await v.post("/admin/login", {"username": "bantochuc", "password": PASSWORD}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/admin/"
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["max-age"] == str(8 * 3600) and cookie["path"] == "/admin"
    stored = [r.token_hash for r in (await _rows(app, tables.staff_sessions))]
    assert stored == [hashlib.sha256(cookie.value.encode()).hexdigest()]  # the token itself is never stored


async def test_after_eight_hours_the_session_is_over(app: App, clock, organiser: Visitor) -> None:
    clock.advance(hours=7, minutes=59)
    assert (await organiser.get("/admin/units")).url.path == "/admin/units"
    clock.advance(minutes=2)
    assert (await organiser.get("/admin/units")).url.path == "/admin/login"


async def test_a_post_without_the_csrf_token_is_refused(organiser: Visitor) -> None:
    response = await organiser.post("/admin/integrity/scan", {"round": "chinh"}, csrf=False, allow_redirects=False)
    assert response.status == 403
    assert "CSRF" in organiser.text


async def test_a_forged_or_borrowed_csrf_token_is_refused(organiser: Visitor, administrator: Visitor) -> None:
    forged = await organiser.post("/admin/integrity/scan", {"round": "chinh", "csrf_token": "forged" * 7},
                                  allow_redirects=False)
    assert forged.status == 403
    assert administrator.csrf and administrator.csrf != organiser.csrf
    borrowed = await organiser.post("/admin/integrity/scan", {"round": "chinh", "csrf_token": administrator.csrf},
                                    allow_redirects=False)
    assert borrowed.status == 403
    good = await organiser.post("/admin/integrity/scan", {"round": "chinh"}, allow_redirects=False)
    assert good.status == 303


async def test_logging_out_needs_the_token_and_ends_the_session(organiser: Visitor) -> None:
    token = organiser.cookie(COOKIE).value
    assert (await organiser.post("/admin/logout", csrf=False, allow_redirects=False)).status == 403
    response = await organiser.post("/admin/logout")
    assert response.url.path == "/admin/login"
    again = await organiser.get("/admin/", cookies={COOKIE: token})  # the old cookie, replayed
    assert again.url.path == "/admin/login"


async def test_the_login_form_carries_its_own_token(app: App, visitor: Callable[[], Visitor]) -> None:
    await add_staff(app, "bantochuc", "organiser")
    v = visitor()  # never opened the login page: no form token
    response = await v.post("/admin/login", {"username": "bantochuc", "password": PASSWORD,
                                             "csrf_token": "made-up"}, allow_redirects=False)
    assert response.status == 403 and COOKIE not in response.cookies


async def test_a_wrong_password_says_how_many_tries_are_left(app: App, visitor: Callable[[], Visitor]) -> None:
    await add_staff(app, "bantochuc", "organiser")
    v = visitor()
    response = await v.login("bantochuc", "not the password")
    assert response.status == 401
    assert "Sai tên đăng nhập hoặc mật khẩu. Còn 4 lần thử" in v.text
    assert 'value="bantochuc"' in v.text  # the username stays filled in


async def test_a_locked_username_is_told_so_even_with_the_right_password(app: App,
                                                                         visitor: Callable[[], Visitor]) -> None:
    """When a username locks and for how long is tested on the fakes (tests/services/test_staff.py)."""
    await add_staff(app, "bantochuc", "organiser")
    v = visitor()
    for _ in range(4):
        assert (await v.login("bantochuc", "wrong password")).status == 401
    fifth = await v.login("bantochuc", "wrong password")
    assert fifth.status == 429 and "tạm khoá" in v.text
    right = await v.login("bantochuc")
    assert right.status == 429
    assert "Tài khoản “bantochuc” đã bị tạm khoá vì đăng nhập sai 5 lần trong 15 phút" in v.text


async def test_an_unknown_username_fails_like_a_wrong_password(visitor: Callable[[], Visitor]) -> None:
    v = visitor()
    assert (await v.login("nobody", "whatever it is")).status == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in v.text


async def test_a_disabled_account_is_signed_out_at_once(app: App, clock, organiser: Visitor) -> None:
    assert await app.staff.disable(username="bantochuc", by=ADMIN, now=clock())
    assert (await organiser.get("/admin/")).url.path == "/admin/login"
    assert (await organiser.login("bantochuc")).status == 401


async def test_the_dashboard_is_mounted_on_the_web_app_with_its_style_sheet(app: App) -> None:
    async with TestClient(TestServer(web_app_for(app))) as client:
        response = await client.get("/admin")
        assert response.url.path == "/admin/login"
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert "script-src" not in response.headers["Content-Security-Policy"]  # pages run no script
        css = await client.get("/admin/static/admin.css")
        assert css.status == 200 and css.content_type == "text/css"


async def _rows(app: App, table: object) -> list[object]:
    async with app.engine.connect() as conn:
        return list((await conn.execute(select(table))).all())  # type: ignore[call-overload]
