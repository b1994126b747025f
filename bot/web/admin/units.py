"""Participation by unit: the unit tree one level at a time, with rates against population."""
from __future__ import annotations

from aiohttp import web

from bot.web.admin.charts import Bar, bar_chart
from bot.web.admin.context import admin
from bot.web.admin.data import kinds_label
from bot.web.admin.html import Markup, html, join, number, percent, url
from bot.web.admin.layout import add_nav, error_page, page
from bot.web.admin.vi import T
from bot.web.admin.widgets import cells, downloads, table
from quiz.units import UnitStats

PATH = "/admin/units"


def setup(app: web.Application) -> None:
    app.router.add_get("/units", units_page)
    add_nav(PATH, T["nav.units"])


def _row(s: UnitStats, *, has_children: bool, current: bool) -> Markup:
    name = html('<a href="{h}">{n}</a>', h=url(PATH, unit=s.code), n=s.name) if has_children and not current \
        else html("<b>{n}</b>", n=s.name) if current else s.name
    return cells([name, number(s.population) if s.population else "—", number(s.participants), number(s.attempts),
                  percent(s.rate, 2)], numeric=(1, 2, 3, 4))


async def units_page(request: web.Request) -> web.Response:
    ctx = admin(request)
    tree = ctx.runtime.units
    stats = {s.code: s for s in await ctx.standings.unit_stats()}
    code = request.query.get("unit")
    if code is not None and code not in tree:
        return error_page(request, 404, f"Không có đơn vị {code}.")
    roots = tree.roots()
    focus = tree.get(code) if code else (roots[0] if len(roots) == 1 else None)
    children = tree.children(focus.code if focus else None)
    crumbs = join((html('<a href="{h}">{n}</a>', h=url(PATH, unit=u.code), n=u.name)
                   for u in tree.path(focus.code)[:-1]), " › ") if focus else Markup("")
    rows = [_row(stats[focus.code], has_children=True, current=True)] if focus else []
    rows += [_row(stats[c.code], has_children=not tree.is_leaf(c.code), current=False) for c in children]
    below = [stats[c.code] for c in children]
    bars = sorted(below, key=lambda s: (-s.participants, s.name))
    level = kinds_label(children)
    chart = bar_chart([Bar(s.name, s.participants, number(s.participants) + (f" · {percent(s.rate, 2)} dân số"
                                                                             if s.rate is not None else ""))
                       for s in bars], ident="units", title=T["units.chart"].format(level=level)) if below \
        else Markup("")
    body = html('<p class="crumbs">{crumbs}</p>{downloads}<section class="panel">{chart}</section>{table}',
                crumbs=crumbs, downloads=downloads("units"), chart=chart,
                table=table([T["units.unit"], T["units.population"], T["units.participants"], T["units.attempts"],
                             T["units.rate"]], rows, numeric=(1, 2, 3, 4)))
    title = T["units.title"] + (f" — {focus.name}" if focus else "")
    return page(request, title=title, body=body, active=PATH)
