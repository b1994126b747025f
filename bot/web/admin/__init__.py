"""The organisers' dashboard under /admin: a sub-application of the web app.

Adding a page (import, rounds, broadcast…): write a module with a `setup(app)` that adds
its routes (paths relative to /admin) and calls `layout.add_nav(...)`, mark admin-only
handlers with `@auth.require("admin")`, render with `layout.page(...)`, build POST forms
with `layout.post_form(...)`, then list the module in PAGES below. The auth middleware
already refuses anonymous visitors, wrong roles and POSTs without the CSRF token.

Request bodies are read with the web app's client_max_size (1 MiB by default); an upload
page that needs more raises it where the web app is created."""
from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.web.admin import (
    audit,
    broadcast,
    days,
    downloads,
    imports,
    integrity,
    leaderboard,
    login,
    overview,
    question_sets,
    questions,
    rounds,
    units,
    users,
    winners,
)
from bot.web.admin.auth import guard, public
from bot.web.admin.plain import plain_text

STATIC = Path(__file__).resolve().parent / "static"
PAGES = (login, overview, units, days, leaderboard, winners, rounds, questions, imports, question_sets, broadcast,
         integrity, downloads, users, audit)


def create_admin_app() -> web.Application:
    """The dashboard; its pages reach the use cases by the web app's keys (bot.web.keys)."""
    admin_app = web.Application(middlewares=[guard, plain_text])  # signed in first, then the input read
    admin_app.router.add_get("/static/admin.css", stylesheet)
    for module in PAGES:
        module.setup(admin_app)
    return admin_app


def setup(app: web.Application) -> None:
    """Mount the dashboard on the web app at /admin."""
    app.router.add_get("/admin", to_dashboard)
    app.add_subapp("/admin", create_admin_app())


async def to_dashboard(request: web.Request) -> web.Response:
    return web.Response(status=308, headers={"Location": "/admin/"})


@public
async def stylesheet(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "admin.css", headers={"Cache-Control": "max-age=3600",
                                                           "Content-Type": "text/css; charset=utf-8"})
