"""Participation by day (contest time zone): registrations, participants and attempts."""
from __future__ import annotations

from aiohttp import web

from bot.web.admin.charts import DayPoint, day_chart
from bot.web.admin.context import admin
from bot.web.admin.html import html, number
from bot.web.admin.layout import add_nav, page
from bot.web.admin.vi import WEEKDAYS, T
from bot.web.admin.widgets import cells, downloads, table
from quiz.statistics import filled

PATH = "/admin/days"
CHART_DAYS = 62


def setup(app: web.Application) -> None:
    app.router.add_get("/days", days_page)
    add_nav(PATH, T["nav.days"])


async def days_page(request: web.Request) -> web.Response:
    ctx = admin(request)
    days = filled(await ctx.figures.by_day())
    shown = days[-CHART_DAYS:]
    chart = day_chart([DayPoint(d.day, d.attempts, d.participants) for d in shown], ident="days",
                      title=T["days.chart"], bar_label=T["days.attempts"], line_label=T["days.participants"]) \
        if shown else html('<p class="empty">{t}</p>', t=T["days.empty"])
    rows = [cells([f"{WEEKDAYS[d.day.weekday()]}, {d.day:%d/%m/%Y}", number(d.registered), number(d.participants),
                   number(d.attempts)], numeric=(1, 2, 3)) for d in reversed(days)]
    body = html('{downloads}<section class="panel">{chart}</section>{table}', downloads=downloads("days"),
                chart=chart, table=table([T["days.day"], T["days.registered"], T["days.participants"],
                                          T["days.attempts"]], rows, numeric=(1, 2, 3)))
    return page(request, title=T["days.title"], body=body, active=PATH)
