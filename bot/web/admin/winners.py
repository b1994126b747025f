"""Winners of a round from the configured prize ladder, and the collective ranking of units."""
from __future__ import annotations

from aiohttp import web

from bot.web.admin.context import admin, staff
from bot.web.admin.data import collective, level_name, pick_round, ranked_rounds, round_winners
from bot.web.admin.html import Markup, html, number, percent
from bot.web.admin.layout import add_nav, page
from bot.web.admin.leaderboard import duration, person_cell, phone_cell
from bot.web.admin.vi import T
from bot.web.admin.widgets import cells, downloads, round_tabs, table

PATH = "/admin/winners"


def setup(app: web.Application) -> None:
    app.router.add_get("/winners", winners_page)
    add_nav(PATH, T["nav.winners"])


async def winners_page(request: web.Request) -> web.Response:
    ctx, who = admin(request), staff(request)
    round_ = pick_round(ctx, request.query.get("round"))
    if round_ is None:
        return page(request, title=T["winners.title"], body=html("<p>{t}</p>", t=T["rounds.none"]), active=PATH)
    won = await round_winners(ctx, round_.code)
    individual = table(
        [T["winners.prize"], T["board.rank"], T["board.name"], T["board.unit"], T["board.phone"], T["board.score"],
         T["board.time"], T["board.prediction"]],
        [cells([w.prize, w.row.rank, person_cell(w.row), w.row.unit,
                phone_cell(w.row, show_phone=who.is_admin), f"{w.row.correct}/{w.row.total}",
                duration(w.row.duration_ms), "—" if w.row.prediction is None else number(w.row.prediction)],
               numeric=(1, 5, 6, 7)) for w, pid in zip(won.rows, won.participant_ids, strict=True)],
        cls="winners", numeric=(1, 5, 6, 7)) if won.rows \
        else html('<p class="empty">{t}</p>', t=T["winners.empty"])
    state = html('<p class="muted">{t}</p>', t=T["winners.frozen" if won.frozen else "winners.live"])
    if won.withdrawn:
        state += html('<p class="notice warn" role="status">{t}</p>', t=T["winners.refreeze"].format(
            names=", ".join(f"{p.full_name} (#{p.id})" for p in won.withdrawn)))
    people = won.people
    units, unranked = await collective(ctx, people)
    prizes = ctx.runtime.contest.collective_prizes
    ranked_rows = [cells([i, u.name, number(u.population or 0), number(u.participants), percent(u.rate, 2),
                          number(u.winners), html('<span class="badge">{t}</span>', t=T["winners.collective_prize"])
                          if i <= prizes else ""], numeric=(0, 2, 3, 4, 5)) for i, u in enumerate(units, start=1)]
    unranked_rows = [cells(["—", u.name, "—", number(u.participants), "—", number(u.winners),
                            html('<span class="muted">{t}</span>', t=T["winners.no_population"])],
                           numeric=(0, 2, 3, 4, 5)) for u in unranked]
    ranking = table([T["board.rank"], T["units.unit"], T["units.population"], T["units.participants"],
                     T["units.rate"], T["winners.winners"], ""], ranked_rows + unranked_rows, numeric=(0, 2, 3, 4, 5))
    if not units:
        ranking = html('<p class="notice warn">{t}</p>', t=T["winners.collective_empty"]) + ranking
    body = html('{tabs}<section class="panel"><div class="toolbar"><h2>{ind}</h2>{downloads}</div>{individual}'
                '</section><section class="panel"><h2>{coll}</h2><p class="muted">{note}</p>{ranking}</section>',
                tabs=round_tabs(PATH, ranked_rounds(ctx), round_), ind=T["winners.individual"],
                downloads=downloads("winners", round=round_.code), individual=state + individual,
                coll=T["winners.collective"].format(level=level_name(ctx)),
                note=T["winners.collective_note"].format(n=prizes), ranking=ranking)
    return page(request, title=T["winners.title"], body=Markup(body), active=PATH)
