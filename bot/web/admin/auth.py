"""Who may see a dashboard page: server-side sessions, roles, CSRF on every POST.

Secure by default: the middleware below guards every route of the /admin app. A route
needs a signed-in organiser (or admin) unless marked otherwise:

    @public                      # the login page only
    @require("admin")            # admins only; organisers get a 403 page

Inside a handler, `staff(request)` is the signed-in member (`.is_admin`, `.csrf_token`);
`require_staff(request, role="admin")` checks a role in the middle of a handler.
Every POST, PUT, PATCH or DELETE must carry the session's CSRF token, as the form field
`csrf_token` (use layout.post_form / layout.csrf_field) or the header X-CSRF-Token;
without it the request is refused with a 403 page before the handler runs."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.web.admin.context import STAFF_KEY, Staff, admin, https, staff
from bot.web.admin.layout import ADMIN_HEADERS, CSRF_FIELD, error_page
from bot.web.admin.vi import T
from quiz.imports import MAX_FILE_BYTES
from quiz.staff import StaffUser

__all__ = ["COOKIE", "guard", "public", "require", "require_staff", "staff", "start_session",
           "end_session"]

COOKIE = "cds_admin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_PATH = "/admin/login"
H = TypeVar("H", bound=Handler)


_ROLES: dict[object, str | None] = {}  # handler → the role it needs (None: anyone); unmarked: organiser


def public(handler: H) -> H:
    """Let anyone reach this route (the login page and the style sheet)."""
    _ROLES[handler] = None
    return handler


def require(role: str) -> Callable[[H], H]:
    """Only staff holding `role` (or a stronger one) reach this route."""
    def mark(handler: H) -> H:
        _ROLES[handler] = role
        return handler
    return mark


class Refused(Exception):
    """Raised by require_staff; the middleware turns it into a 403 page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def require_staff(request: web.Request, role: str = "organiser") -> Staff:
    """The signed-in member if they hold `role`; otherwise a 403 page is shown."""
    who: Staff | None = request.get(STAFF_KEY)
    if who is None or not who.may(role):
        raise Refused(T["refused.role"])
    return who


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _role_of(request: web.Request) -> str | None:
    handler = request.match_info.handler
    return _ROLES.get(handler, "organiser")


async def _session_staff(request: web.Request) -> Staff | None:
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 128:
        return None
    ctx = admin(request)
    found = await ctx.staff.session(token_hash=token_hash(token), now=ctx.now())
    if found is None:
        return None
    return Staff(found.user.id, found.user.username, found.user.role, found.csrf_token)


async def _csrf_ok(request: web.Request, expected: str) -> bool:
    sent = request.headers.get("X-CSRF-Token")
    if sent is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        value = (await request.post()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    return sent is not None and hmac.compare_digest(sent.encode(), expected.encode())


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Sign-in, role and CSRF checks for every /admin route, and the security headers."""
    try:
        return await _guarded(request, handler)
    except web.HTTPRequestEntityTooLarge:  # the body is over the web app's limit: read no more of it
        return error_page(request, 413, T["refused.too_large"].format(mb=MAX_FILE_BYTES // (1024 * 1024)))


async def _guarded(request: web.Request, handler: Handler) -> web.StreamResponse:
    role = _role_of(request)
    if role is not None:
        who = await _session_staff(request)
        if who is None:
            if request.method in SAFE_METHODS:
                raise web.HTTPSeeOther(f"{LOGIN_PATH}?next={quote(request.path_qs, safe='')}")
            return error_page(request, 403, T["refused.session"])
        request[STAFF_KEY] = who
        if request.method not in SAFE_METHODS and not await _csrf_ok(request, who.csrf_token):
            return error_page(request, 403, T["refused.csrf"])
        if not who.may(role):
            return error_page(request, 403, T["refused.role"])
    try:
        response = await handler(request)
    except Refused as refused:
        return error_page(request, 403, refused.message)
    except web.HTTPNotFound:
        return error_page(request, 404, T["missing"])
    if not response.prepared:
        for name, value in ADMIN_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


async def start_session(request: web.Request, user: StaffUser, response: web.StreamResponse) -> None:
    """Open a server-side session for `user` and set its cookie on `response`."""
    ctx = admin(request)
    token, now = secrets.token_urlsafe(32), ctx.now()
    expires = await ctx.staff.open_session(user=user, token_hash=token_hash(token),
                                           csrf_token=secrets.token_urlsafe(32),
                                           now=now)
    response.set_cookie(COOKIE, token, max_age=int((expires - now).total_seconds()), path="/admin", httponly=True,
                        samesite="Strict", secure=https(request))


async def end_session(request: web.Request, response: web.StreamResponse) -> None:
    token = request.cookies.get(COOKIE)
    if token:
        await admin(request).staff.close_session(token_hash=token_hash(token))
    response.del_cookie(COOKIE, path="/admin")


def safe_next(target: Any) -> str:
    """Where to go after signing in: a dashboard path, never another site."""
    if isinstance(target, str) and target.startswith("/admin/") and len(target) < 512 \
            and target.isascii() and target.isprintable() and " " not in target \
            and not any(bad in target for bad in ("//", "\\", "..", LOGIN_PATH)):
        return target  # printable ASCII only: a line break would split the Location header
    return "/admin/"
