"""Staff accounts, for admins only (accounts are created and disabled with `dcbot users`)."""
from __future__ import annotations

from aiohttp import web

from bot.web.admin.auth import require
from bot.web.admin.context import admin
from bot.web.admin.html import html
from bot.web.admin.layout import add_nav, page
from bot.web.admin.vi import ROLE_NAMES, T
from bot.web.admin.widgets import cells, table

PATH = "/admin/users"


def setup(app: web.Application) -> None:
    app.router.add_get("/users", users_page)
    add_nav(PATH, T["nav.users"], role="admin")


@require("admin")
async def users_page(request: web.Request) -> web.Response:
    ctx = admin(request)
    tz = ctx.tz
    rows = [cells([u.username, ROLE_NAMES.get(u.role, u.role), f"{u.created_at.astimezone(tz):%d/%m/%Y %H:%M}",
                   T["users.active"] if u.active else
                   T["users.disabled"].format(at=f"{u.disabled_at.astimezone(tz):%d/%m/%Y}" if u.disabled_at else "")])
            for u in await ctx.staff.users()]
    body = html('<p class="muted">{hint}</p>{table}', hint=T["users.hint"],
                table=table([T["users.username"], T["users.role"], T["users.created"], T["users.state"]], rows))
    return page(request, title=T["users.title"], body=body, active=PATH)
