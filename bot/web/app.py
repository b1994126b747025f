"""The web app: one aiohttp Application for the web chat now, webhooks and the dashboard later."""
from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.broadcasts.runner import Broadcaster
from bot.config import MINI_APP_PATH, Settings
from bot.dispatch import Dispatcher
from bot.i18n import Translator
from bot.ops import Operations
from bot.web import admin, chat, ops
from bot.web.admin.imports import MAX_BODY as UPLOAD_BODY
from bot.web.identity import BrowserIds, web_secret
from bot.web.init_data import InitDataCheck
from bot.web.keys import (
    AUDIT,
    BROADCASTER,
    BROADCASTS,
    BROWSER_IDS,
    CLOCK,
    DISPATCHER,
    FIGURES,
    IMPORTS,
    INTEGRITY,
    LIVE,
    MINI_APP,
    NEW_CHATS,
    OPERATIONS,
    ROUNDS,
    SETTINGS,
    STAFF,
    STANDINGS,
    TRANSLATOR,
)
from bot.web.limits import NewChatLimiter
from bot.web.mini_app import HEADERS as MINI_APP_HEADERS
from bot.web.proxy import came_over_https
from quiz.services import UseCases

__all__ = ["create_web_app"]

STATIC = Path(__file__).resolve().parent / "static"
# The page loads only its own script and style; no inline code, no other origin.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
    "Content-Type": "text/html; charset=utf-8",
}


def create_web_app(*, settings: Settings, dispatcher: Dispatcher, translator: Translator, uses: UseCases,
                   broadcaster: Broadcaster, operations: Operations) -> web.Application:
    """The Application that `dcbot run` serves; other parts add their routes (/telegram, /admin…) to it.
    Each route reaches the use case it calls by its typed key (bot.web.keys)."""
    app = web.Application(client_max_size=UPLOAD_BODY)  # question files uploaded on /admin/import
    app[SETTINGS], app[CLOCK], app[TRANSLATOR], app[DISPATCHER] = settings, dispatcher.clock, translator, dispatcher
    app[BROWSER_IDS] = BrowserIds(web_secret(settings))
    app[NEW_CHATS] = NewChatLimiter(dispatcher.states, limit=settings.web_new_chats_per_address,
                                    window_s=settings.web_new_chats_window_s)
    app[LIVE], app[STANDINGS], app[FIGURES], app[ROUNDS] = uses.live, uses.standings, uses.figures, uses.rounds
    app[IMPORTS], app[INTEGRITY], app[BROADCASTS] = uses.imports, uses.integrity, uses.broadcasts
    app[BROADCASTER], app[STAFF], app[AUDIT] = broadcaster, uses.staff, uses.audit
    app[OPERATIONS] = operations
    if settings.telegram_bot_token:
        app[MINI_APP] = InitDataCheck(settings.telegram_bot_token, max_age_s=settings.telegram_mini_app_max_age_s)
    app.on_response_prepare.append(_strict_transport)  # sub-apps' responses (the dashboard) pass here too
    app.router.add_get("/", page)
    app.router.add_get(MINI_APP_PATH, mini_app_page)  # the same page, opened inside Telegram
    app.router.add_get("/healthz", healthz)
    ops.setup(app)  # /readyz, /metrics, and each request's latency
    app.router.add_static("/static/chat/", STATIC, append_version=False)
    chat.setup(app)
    admin.setup(app)  # the organisers' dashboard at /admin
    return app


HSTS = "max-age=31536000"  # a year; no includeSubDomains: the province's other sites are not ours to pin


async def _strict_transport(request: web.BaseRequest, response: web.StreamResponse) -> None:
    """Over HTTPS (directly, or through a trusted proxy that says so), browsers are told to stay on it."""
    if isinstance(request, web.Request) and came_over_https(request, request.config_dict[SETTINGS].web_trust_forwarded):
        response.headers["Strict-Transport-Security"] = HSTS


async def page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "chat.html", headers=PAGE_HEADERS)


async def mini_app_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "chat.html", headers=MINI_APP_HEADERS)


async def healthz(request: web.Request) -> web.Response:
    contest = request.app[LIVE].runtime.contest
    return web.json_response({"status": "ok", "contest": contest.slug}, headers={"Cache-Control": "no-store"})
