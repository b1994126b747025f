"""A round's leaderboard, 50 to a page, searchable by name (and by phone for admins)."""
from __future__ import annotations

import math

from aiohttp import web

from bot.exports import BoardRow
from bot.web.admin.context import admin, staff
from bot.web.admin.data import board_rows, pick_round, ranked_rounds
from bot.web.admin.html import Markup, html, number
from bot.web.admin.layout import add_nav, page
from bot.web.admin.vi import T
from bot.web.admin.widgets import cells, downloads, pager, round_tabs, table
from quiz.privacy import shown_phone

PATH = "/admin/leaderboard"
PAGE_SIZE = 50
MAX_QUERY = 80


def setup(app: web.Application) -> None:
    app.router.add_get("/leaderboard", leaderboard_page)
    add_nav(PATH, T["nav.leaderboard"])


def duration(ms: int) -> str:
    """"4:05,3" for 245.3 seconds."""
    minutes, seconds = divmod(ms / 1000, 60)
    return f"{int(minutes)}:{seconds:04.1f}".replace(".", ",")


def person_cell(r: BoardRow) -> Markup:
    """The name, and under it what organisers decided about them in this round, with why."""
    return html("{n}{note}", n=r.full_name, note=html('<br><small class="muted">{t}</small>', t=r.review)
                if r.review else "")


def phone_cell(r: BoardRow, *, show_phone: bool) -> Markup:
    """The number (masked for organisers), and whether it is proven or only typed."""
    return html('{p} <small class="{c}">{t}</small>', p=shown_phone(r.phone, show_phone=show_phone),
                c="ok" if r.verified else "muted", t=T["board.verified"] if r.verified else T["board.typed"])


def board_cells(r: BoardRow, *, show_phone: bool) -> Markup:
    return cells([r.rank, person_cell(r), r.unit, phone_cell(r, show_phone=show_phone),
                  f"{r.correct}/{r.total}", duration(r.duration_ms),
                  "—" if r.prediction is None else number(r.prediction),
                  f"{r.submitted_at:%d/%m %H:%M:%S}" if r.submitted_at else "—"], numeric=(0, 4, 5, 6))


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < len(raw) < 7 else 1


async def leaderboard_page(request: web.Request) -> web.Response:
    ctx, who = admin(request), staff(request)
    round_ = pick_round(ctx, request.query.get("round"))
    if round_ is None:
        return page(request, title=T["board.title"], body=html("<p>{t}</p>", t=T["rounds.none"]), active=PATH)
    query = request.query.get("q", "").strip()[:MAX_QUERY]
    board = await ctx.standings.board(round_code=round_.code, now=ctx.now())
    ranked, figure = board.ranked, board.figure
    shown = ranked
    if query:
        found = await ctx.figures.find(query, by_phone=who.is_admin)
        shown = tuple(r for r in ranked if r.standing.participant_id in found)
    pages = max(1, math.ceil(len(shown) / PAGE_SIZE))
    at = min(_page_number(request.query.get("page")), pages)
    rows = [row for batch in [b async for b in board_rows(ctx, shown[(at - 1) * PAGE_SIZE:at * PAGE_SIZE],
                                                          round_.code)]
            for row in batch]
    search = html('<form method="get" action="{path}" class="search" role="search">'
                  '<input type="hidden" name="round" value="{round}">'
                  '<input type="search" name="q" value="{q}" maxlength="{max}" placeholder="{ph}" aria-label="{ph}">'
                  '<button type="submit">{go}</button>{clear}</form>',
                  path=PATH, round=round_.code, q=query, max=MAX_QUERY,
                  ph=T["board.search_admin"] if who.is_admin else T["board.search"], go=T["board.search_button"],
                  clear=html('<a href="{h}">{t}</a>', h=f"{PATH}?round={round_.code}", t=T["board.clear"])
                  if query else "")
    summary = T["board.count"].format(n=number(len(ranked)), figure=number(figure))
    summary += " · " + T["board.as_of"].format(at=f"{board.built_at.astimezone(ctx.tz):%H:%M:%S %d/%m}")
    if ctx.standings.updating(round_.code):  # a large round after a change: its board is being built again
        summary += " · " + T["board.updating"]
    if query:
        summary += " · " + T["board.found"].format(n=number(len(shown)), q=query)
    empty = T["board.no_match"] if query else T["board.empty"]
    listing = table([T["board.rank"], T["board.name"], T["board.unit"], T["board.phone"], T["board.score"],
                     T["board.time"], T["board.prediction"], T["board.submitted"]],
                    [board_cells(r, show_phone=who.is_admin) for r in rows], cls="board", numeric=(0, 4, 5, 6)) \
        if rows else html('<p class="empty">{t}</p>', t=empty)
    body = html('{tabs}<div class="toolbar">{search}{downloads}</div><p class="muted">{summary}</p>{listing}{pager}',
                tabs=round_tabs(PATH, ranked_rounds(ctx), round_), search=search,
                downloads=downloads("leaderboard", round=round_.code), summary=summary, listing=listing,
                pager=pager(PATH, at, pages, round=round_.code, q=query))
    return page(request, title=T["board.title"], body=body, active=PATH)
