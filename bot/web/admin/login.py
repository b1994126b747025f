"""Signing in and out. Five wrong passwords in 15 minutes lock a username for the rest of that time."""
from __future__ import annotations

import hmac
import math
import secrets
from datetime import timedelta

from aiohttp import web

from bot.web.admin.auth import end_session, public, safe_next, start_session
from bot.web.admin.context import address, admin, https
from bot.web.admin.html import Markup, html
from bot.web.admin.layout import CSRF_FIELD, bare_page, redirect
from bot.web.admin.vi import T
from quiz.staff import LOCK_AFTER, LOCK_WINDOW

FORM_COOKIE = "cds_admin_form"  # double-submit token for the login form, before any session exists
MAX_FIELD = 256


def setup(app: web.Application) -> None:
    app.router.add_get("/login", login_page)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)


def _form(token: str, *, username: str = "", next_path: str = "/admin/", message: Markup | str = "") -> Markup:
    notice = html('<p class="notice error" role="alert">{m}</p>', m=message) if message else Markup("")
    return html(
        '<h1>{title}</h1>{notice}<form method="post" action="/admin/login" class="login">'
        '<input type="hidden" name="{csrf_name}" value="{token}"><input type="hidden" name="next" value="{next}">'
        '<label>{u}<input name="username" autocomplete="username" required maxlength="64" value="{username}" '
        'autofocus></label><label>{p}<input name="password" type="password" autocomplete="current-password" '
        'required></label><button type="submit">{submit}</button></form>',
        title=T["login.title"], notice=notice, csrf_name=CSRF_FIELD, token=token, next=next_path,
        u=T["login.username"], username=username, p=T["login.password"], submit=T["login.submit"])


def _show(request: web.Request, *, status: int = 200, username: str = "", next_path: str = "/admin/",
          message: str = "") -> web.Response:
    token = secrets.token_urlsafe(24)
    response = bare_page(request, title=T["login.title"], status=status,
                         body=_form(token, username=username, next_path=next_path, message=message))
    response.set_cookie(FORM_COOKIE, token, path="/admin/login", httponly=True, samesite="Strict",
                        secure=https(request))
    return response


@public
async def login_page(request: web.Request) -> web.Response:
    return _show(request, next_path=safe_next(request.query.get("next")))


@public
async def login(request: web.Request) -> web.StreamResponse:
    ctx = admin(request)
    form = await request.post()
    username = str(form.get("username", ""))[:MAX_FIELD].strip().lower()
    password, sent = str(form.get("password", ""))[:MAX_FIELD], str(form.get(CSRF_FIELD, ""))
    next_path = safe_next(form.get("next"))
    expected = request.cookies.get(FORM_COOKIE, "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        return _show(request, status=403, username=username, next_path=next_path, message=T["login.expired"])
    outcome = await ctx.staff.sign_in(username=username, password=password, remote=address(request),
                                      now=ctx.now())
    if outcome.locked_for is not None:
        return _locked(request, username, next_path, wait=outcome.locked_for)
    if outcome.user is None:
        return _show(request, status=401, username=username, next_path=next_path,
                     message=f"{T['login.failed']} {T['login.left'].format(n=outcome.tries_left)}")
    response = redirect(next_path)
    response.del_cookie(FORM_COOKIE, path="/admin/login")
    await start_session(request, outcome.user, response)
    return response


def _locked(request: web.Request, username: str, next_path: str, *, wait: timedelta) -> web.Response:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    message = T["login.locked"].format(user=username, n=LOCK_AFTER, window=int(LOCK_WINDOW.total_seconds() // 60),
                                       minutes=minutes)
    return _show(request, status=429, username=username, next_path=next_path, message=message)


async def logout(request: web.Request) -> web.StreamResponse:
    response = redirect("/admin/login")
    await end_session(request, response)
    return response

