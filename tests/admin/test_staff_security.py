"""Staff accounts as an attacker and an admin meet them: guesses sent in parallel cannot get past the
lock-out, forged proxy headers buy nothing, cookies are Secure and pages pinned to HTTPS behind a trusted
proxy, and admins manage accounts on /admin/users."""
from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.compose import App
from bot.service import web_app_for
from bot.storage import tables as t
from bot.web.admin.auth import COOKIE
from quiz.staff import LOCK_AFTER

from .conftest import Visitor
from .seed import PASSWORD, add_staff


async def _ready(visitor: Callable[[], Visitor]) -> Visitor:
    v = visitor()
    await v.get("/admin/login")  # the form and its own token
    return v


async def test_forty_guesses_at_once_check_five_passwords_and_the_right_one_after_them_is_refused(
        app: App, visitor: Callable[[], Visitor]) -> None:
    await add_staff(app, "quantri", "admin")
    burst = [await _ready(visitor) for _ in range(40)]
    forged = [{"X-Forwarded-For": f"203.0.113.{k}"} for k in range(40)]  # a new "address" each: not believed
    responses = await asyncio.gather(*(v.post("/admin/login", {"username": "quantri", "password": f"đoán sai {k}"},
                                              headers=forged[k]) for k, v in enumerate(burst)))
    statuses = sorted(r.status for r in responses)
    assert statuses == [401] * (LOCK_AFTER - 1) + [429] * (40 - LOCK_AFTER + 1)  # the fifth failure locks

    late = [await _ready(visitor) for _ in range(5)]
    right_among_them = await asyncio.gather(*(v.post("/admin/login", {"username": "quantri", "password": p})
                                              for v, p in zip(late, ["sai nữa", PASSWORD, "sai", "sai", "sai"],
                                                              strict=True)))
    assert [r.status for r in right_among_them] == [429] * 5 and all(v.cookie(COOKIE) is None for v in late)
    assert "tạm khoá" in late[1].text

    async with app.engine.connect() as conn:  # the failures counted are the five checked, no more
        assert (await conn.execute(select(func.count()).select_from(t.login_failures))).scalar_one() == LOCK_AFTER
    logged = [e.action for e in await app.audit.entries(limit=100)]
    assert logged.count("staff.sign_in_failed") == LOCK_AFTER - 1 and logged.count("staff.locked") == 1


async def test_behind_a_trusted_proxy_cookies_are_secure_and_browsers_are_told_to_stay_on_https(app: App) -> None:
    app.settings = app.settings.model_copy(update={"web_trust_forwarded": "127.0.0.1"})  # the proxy on this host
    await add_staff(app, "quantri", "admin")
    server = TestServer(web_app_for(app))
    await server.start_server()
    try:
        over_https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
        v = Visitor(server)
        page = await v.get("/admin/login", headers=over_https)
        assert page.headers["Strict-Transport-Security"].startswith("max-age=")
        form_cookie = page.cookies["cds_admin_form"]
        assert form_cookie["secure"]  # so the test's plain-HTTP client hands it back as a browser on HTTPS would:
        signed = await v.post("/admin/login", {"username": "quantri", "password": PASSWORD},
                              headers={**over_https, "Cookie": f"cds_admin_form={form_cookie.value}"},
                              allow_redirects=False)
        assert signed.status == 303 and signed.cookies[COOKIE]["secure"]
        await v.close()

        plain = Visitor(server)  # the same proxy, over plain HTTP: no HSTS, no Secure (it would never come back)
        page = await plain.get("/admin/login", headers={"X-Forwarded-Proto": "http"})
        assert "Strict-Transport-Security" not in page.headers
        signed = await plain.post("/admin/login", {"username": "quantri", "password": PASSWORD},
                                  allow_redirects=False)
        assert signed.status == 303 and not signed.cookies[COOKIE]["secure"]
        await plain.close()

        entry = (await app.audit.entries(limit=5))[1]
        assert (entry.action, entry.origin) == ("staff.sign_in", "198.51.100.7")  # the hop the proxy appended
    finally:
        await server.close()


async def test_a_forged_https_header_from_an_untrusted_client_changes_nothing(
        app: App, visitor: Callable[[], Visitor]) -> None:
    v = visitor()
    page = await v.get("/admin/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in page.headers


async def test_an_admin_adds_disables_enables_unlocks_and_resets_a_colleague(
        app: App, administrator: Visitor, visitor: Callable[[], Visitor]) -> None:
    await administrator.get("/admin/users")
    refused = await administrator.post("/admin/users/add", {"username": "btc.lan", "role": "organiser",
                                                            "password": "1234567890", "again": "1234567890"})
    assert refused.status == 422 and "ít nhất 12 ký tự" in administrator.text
    refused = await administrator.post("/admin/users/add", {"username": "btc.lan", "role": "organiser",
                                                            "password": "password1234", "again": "password1234"})
    assert refused.status == 422 and "bị dò đầu tiên" in administrator.text
    assert [u.username for u in await app.staff.users()] == ["quantri"]
    added = await administrator.post("/admin/users/add", {"username": "btc.lan", "role": "organiser",
                                                          "password": "bốn mùa xuân hạ thu đông",
                                                          "again": "bốn mùa xuân hạ thu đông"})
    assert added.status == 200 and "Đã tạo tài khoản “btc.lan”" in administrator.text

    lan = visitor()
    assert (await lan.login("btc.lan", "bốn mùa xuân hạ thu đông")).url.path == "/admin/"
    await administrator.post("/admin/users/change", {"username": "btc.lan", "what": "disable"})
    assert "Đã khoá tài khoản “btc.lan”" in administrator.text
    assert (await lan.get("/admin/")).url.path == "/admin/login"  # signed out at once
    assert (await lan.login("btc.lan", "bốn mùa xuân hạ thu đông")).status == 401
    await administrator.post("/admin/users/change", {"username": "btc.lan", "what": "enable"})

    for _ in range(LOCK_AFTER):
        await lan.login("btc.lan", "quên mất rồi")
    assert (await lan.login("btc.lan", "bốn mùa xuân hạ thu đông")).status == 429
    await administrator.post("/admin/users/change", {"username": "btc.lan", "what": "unlock"})
    assert "đăng nhập lại được ngay" in administrator.text
    await administrator.post("/admin/users/change", {"username": "btc.lan", "what": "password",
                                                     "password": "sông lô chảy qua hà giang"})
    assert (await lan.login("btc.lan", "bốn mùa xuân hạ thu đông")).status == 401
    assert (await lan.login("btc.lan", "sông lô chảy qua hà giang")).url.path == "/admin/"

    assert not re.search(r'value="quantri"><input type="hidden" name="what" value="disable"', administrator.text)


async def test_organisers_do_not_manage_accounts(app: App, organiser: Visitor) -> None:
    assert (await organiser.get("/admin/users")).status == 403
    response = await organiser.post("/admin/users/add", {"username": "ke.gian", "role": "admin",
                                                         "password": "bốn mùa xuân hạ thu đông",
                                                         "again": "bốn mùa xuân hạ thu đông"})
    assert response.status == 403 and [u.username for u in await app.staff.users()] == ["bantochuc"]
