"""Overview: totals, today against yesterday, today's participation by district on a chart."""
from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from bot.web.admin.charts import Bar, DayPoint, bar_chart, day_chart
from bot.web.admin.context import admin
from bot.web.admin.data import level_name, units_at_level
from bot.web.admin.html import Markup, html, join, number
from bot.web.admin.layout import add_nav, page
from bot.web.admin.vi import T
from bot.web.admin.widgets import card, delta

PATH = "/admin/"
TREND_DAYS = 14


def setup(app: web.Application) -> None:
    app.router.add_get("/", overview)
    add_nav(PATH, T["nav.overview"])


async def overview(request: web.Request) -> web.Response:
    ctx = admin(request)
    today = ctx.today()
    yesterday = today - timedelta(days=1)
    stats = await ctx.standings.unit_stats()
    roots = [s for s in stats if s.depth == 0]
    days = {d.day: d for d in await ctx.figures.by_day(since=today - timedelta(days=TREND_DAYS - 1))}
    now_, before = days.get(today), days.get(yesterday)

    def on(day: object, field: str) -> int:
        return int(getattr(day, field)) if day is not None else 0

    cards = join([
        card(T["overview.participants"], sum(s.participants for s in roots),
             html("{t}: +{n} · ", t=T["overview.today"], n=number(on(now_, "registered")))
             + delta(on(now_, "registered"), on(before, "registered"))),
        card(T["overview.attempts"], sum(s.attempts for s in roots),
             html("{t}: {n} · ", t=T["overview.today"], n=number(on(now_, "attempts")))
             + delta(on(now_, "attempts"), on(before, "attempts"))),
        card(T["overview.active_today"], on(now_, "participants"), delta(on(now_, "participants"),
                                                                         on(before, "participants"))),
        card(T["overview.all_correct"], await ctx.standings.all_correct(now=ctx.now()), T["overview.all_correct_note"]),
    ])
    level = level_name(ctx)
    active = sorted(await units_at_level(ctx, day=today), key=lambda s: (-s.participants, s.name))
    title = T["overview.chart"].format(level=level)
    if any(s.participants for s in active):
        chart = bar_chart([Bar(s.name, s.participants, f"{number(s.participants)} người · {number(s.attempts)} lượt")
                           for s in active], ident="today-by-unit", title=f"{title} ({today:%d/%m/%Y})")
    else:
        chart = html('<p class="empty">{t}</p>', t=T["overview.chart_empty"])
    first = min(days, default=today)  # the trend starts with the contest, at most TREND_DAYS back
    points = [DayPoint(day, on(days.get(day), "attempts"), on(days.get(day), "participants"))
              for day in (first + timedelta(days=k) for k in range((today - first).days + 1))]
    trend = day_chart(points, ident="trend", title=T["overview.trend"], bar_label=T["days.attempts"],
                      line_label=T["days.participants"], height=220)
    body = html('<div class="cards">{cards}</div><section class="panel"><h2>{title}</h2>{chart}</section>'
                '<section class="panel"><h2>{trend_title}</h2>{trend}</section>',
                cards=cards, title=f"{title} — {today:%d/%m/%Y}", chart=chart, trend_title=T["overview.trend"],
                trend=trend)
    return page(request, title=T["overview.title"], body=Markup(body), active=PATH)
