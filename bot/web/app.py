"""The web app: one aiohttp Application for the web chat now, webhooks and the dashboard later."""
from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.compose import App
from bot.web import admin, chat
from bot.web.admin.imports import MAX_BODY as UPLOAD_BODY
from bot.web.identity import BrowserIds, web_secret
from bot.web.keys import APP, BROWSER_IDS, NEW_CHATS
from bot.web.limits import NewChatLimiter

__all__ = ["APP", "BROWSER_IDS", "create_web_app"]

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


def create_web_app(application: App) -> web.Application:
    """The Application that `dcbot run` serves; other parts add their routes (/telegram, /admin…) to it."""
    app = web.Application(client_max_size=UPLOAD_BODY)  # question files uploaded on /admin/import
    app[APP] = application
    app[BROWSER_IDS] = BrowserIds(web_secret(application.settings))
    settings = application.settings
    app[NEW_CHATS] = NewChatLimiter(limit=settings.web_new_chats_per_address, window_s=settings.web_new_chats_window_s)
    app.router.add_get("/", page)
    app.router.add_get("/healthz", healthz)
    app.router.add_static("/static/chat/", STATIC, append_version=False)
    chat.setup(app)
    admin.setup(app, application)  # the organisers' dashboard at /admin
    return app


async def page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "chat.html", headers=PAGE_HEADERS)


async def healthz(request: web.Request) -> web.Response:
    contest = request.app[APP].services.runtime.contest
    return web.json_response({"status": "ok", "contest": contest.slug}, headers={"Cache-Control": "no-store"})
