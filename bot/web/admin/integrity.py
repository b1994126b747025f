"""Integrity flags of a round and the review list: organisers clear or disqualify.

A disqualified participant drops out of the round's leaderboard and winners
(storage leaves them out of the standings)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from bot.web.admin.context import Admin, actor, admin, staff
from bot.web.admin.data import pick_round, ranked_rounds, unit_label
from bot.web.admin.html import NOTHING, Markup, html, join, number, url
from bot.web.admin.layout import add_nav, error_page, page, post_form, redirect
from bot.web.admin.vi import FLAG_NAMES, REVIEW_STATUS_NAMES, T
from bot.web.admin.widgets import cells, round_tabs, table
from quiz.integrity import REVIEW_STATUSES, ReasonRequired, Review
from quiz.privacy import shown_phone
from quiz.services.integrity import Integrity
from quiz.statistics import Person

PATH = "/admin/integrity"
RULES = Integrity.RULES


def setup(app: web.Application) -> None:
    app.router.add_get("/integrity", integrity_page)
    app.router.add_post("/integrity/scan", scan_round)
    app.router.add_post("/integrity/decide", decide)
    app.router.add_post("/integrity/disqualify", disqualify)
    add_nav(PATH, T["nav.integrity"])


def describe(review: Review) -> str:
    d: Mapping[str, Any] = review.detail
    if review.kind == "too_fast":
        return T["integrity.too_fast"].format(seconds=str(d.get("seconds_per_answer", "?")).replace(".", ","),
                                              answered=d.get("answered", "?"))
    if review.kind == "same_answers":
        others = ", ".join(f"#{o}" for o in d.get("others", []))
        return T["integrity.same_answers"].format(group_minus=int(d.get("group", 1)) - 1, others=others)
    if review.kind == "referral_burst":
        return T["integrity.referral_burst"].format(referral=d.get("referral", ""), accounts=d.get("accounts", "?"),
                                                    minutes=d.get("minutes", "?"))
    return str(d)


def _who(ctx: Admin, review: Review, person: Person | None, *, show_phone: bool) -> Markup:
    if person is None:
        return html("#{id}", id=review.participant_id)
    return html('<b>{name}</b> <span class="muted">#{id}</span><br><span class="muted">{unit} · {phone}</span>',
                name=person.full_name, id=review.participant_id, unit=unit_label(ctx, person.unit_code),
                phone=shown_phone(person.phone, show_phone=show_phone))


def _reason_field(required: bool) -> Markup:
    return html('<input type="text" name="reason" maxlength="300" placeholder="{p}" aria-label="{p}"{r}> ',
                p=T["integrity.reason"], r=Markup(" required minlength=\"5\"") if required else "")


def _actions(request: web.Request, review: Review) -> Markup:
    def button(status: str, label: str, cls: str, *, reason: bool = False) -> Markup:
        inner = html('<input type="hidden" name="review" value="{id}"><input type="hidden" name="status" value="{s}">'
                     '<input type="hidden" name="round" value="{r}">{why}<button type="submit" class="{cls}">{label}'
                     '</button>', id=review.id, s=status, r=review.round_code, cls=cls, label=label,
                     why=_reason_field(True) if reason else "")
        return post_form(request, "/admin/integrity/decide", inner, cls="inline")
    if review.status == "open":
        return join([button("cleared", T["integrity.clear"], "secondary"),
                     button("disqualified", T["integrity.disqualify"], "danger", reason=True)], " ")
    if review.status == "disqualified":
        return button("cleared", T["integrity.reinstate"], "secondary", reason=True)
    return button("open", T["integrity.reopen"], "secondary")


async def integrity_page(request: web.Request) -> web.Response:
    return await _page(request)


async def _page(request: web.Request, *, code: str | None = None, before: Markup = NOTHING,
                status: int = 200) -> web.Response:
    ctx, who = admin(request), staff(request)
    round_ = pick_round(ctx, code or request.query.get("round"))
    if round_ is None:
        return page(request, title=T["integrity.title"], body=html("<p>{t}</p>", t=T["rounds.none"]), active=PATH)
    reviews = await ctx.integrity.reviews(round_.code)
    people = await ctx.figures.people(sorted({r.participant_id for r in reviews}))
    tz = ctx.tz
    open_rows = [cells([_who(ctx, r, people.get(r.participant_id), show_phone=who.is_admin),
                        FLAG_NAMES.get(r.kind, r.kind), describe(r), f"{r.created_at.astimezone(tz):%d/%m %H:%M}",
                        _actions(request, r)]) for r in reviews if r.status == "open"]
    done_rows = [cells([_who(ctx, r, people.get(r.participant_id), show_phone=who.is_admin),
                        FLAG_NAMES.get(r.kind, r.kind), describe(r),
                        html('<span class="status status-{s}">{t}</span>{why}', s=r.status,
                             t=REVIEW_STATUS_NAMES.get(r.status, r.status),
                             why=html("<br><small>{w}</small>", w=r.reason) if r.reason else ""),
                        f"{r.decided_by or '—'} · {r.decided_at.astimezone(tz):%d/%m %H:%M}" if r.decided_at else "—",
                        _actions(request, r)]) for r in reviews if r.status != "open"]
    scanned = request.query.get("scanned")
    notice = html('<p class="notice ok" role="status">{t}</p>', t=T["integrity.scanned"].format(n=scanned)) \
        if scanned and scanned.isdigit() else ""
    rules = T["integrity.rules"].format(seconds=str(RULES.min_seconds_per_answer).replace(".", ","),
                                        accounts=RULES.burst_accounts,
                                        minutes=int(RULES.burst_window.total_seconds() // 60))
    scan_form = post_form(request, "/admin/integrity/scan", html(
        '<input type="hidden" name="round" value="{r}"><button type="submit">{t}</button>',
        r=round_.code, t=T["integrity.scan"]), cls="inline")
    open_table = table([T["integrity.participant"], T["integrity.kind"], T["integrity.detail"], "Phát hiện lúc", ""],
                       open_rows, cls="reviews") if open_rows \
        else html('<p class="empty">{t}</p>', t=T["integrity.none_open"])
    done_table = table([T["integrity.participant"], T["integrity.kind"], T["integrity.detail"], T["integrity.status"],
                        T["integrity.by"], ""], done_rows, cls="reviews") if done_rows else Markup("")
    manual = post_form(request, "/admin/integrity/disqualify", html(
        '<h2>{h}</h2><input type="hidden" name="round" value="{r}"><p><label>{who}<br><input type="text" '
        'name="participant" inputmode="numeric" pattern="#?[0-9]{{1,12}}" required></label></p><p>{why}</p>'
        '<p><button type="submit" class="danger">{go}</button></p>', h=T["integrity.manual"], r=round_.code,
        who=T["integrity.manual.who"], why=_reason_field(True), go=T["integrity.manual.go"]), cls="panel")
    body = html('{tabs}{before}{notice}<div class="toolbar"><p class="muted">{rules}</p>{scan}</div>'
                '<section class="panel"><h2>{open_t} ({n_open})</h2>{open}</section>'
                '<section class="panel"><h2>{done_t} ({n_done})</h2>{done}</section>{manual}',
                tabs=round_tabs(PATH, ranked_rounds(ctx), round_), before=before, notice=notice, rules=rules,
                scan=scan_form, open_t=T["integrity.open"], n_open=number(len(open_rows)), open=open_table,
                done_t=T["integrity.decided"], n_done=number(len(done_rows)), done=done_table,
                manual=manual)
    return page(request, title=T["integrity.title"], body=body, active=PATH, status=status)


async def scan_round(request: web.Request) -> web.Response:
    ctx = admin(request)
    form = await request.post()
    round_ = next((r for r in ranked_rounds(ctx) if r.code == form.get("round")), None)
    if round_ is None:
        return error_page(request, 404, T["rounds.none"])
    added = await ctx.integrity.scan(round_code=round_.code, by=actor(request), now=ctx.now())
    return redirect(url(PATH, round=round_.code, scanned=added))


async def decide(request: web.Request) -> web.Response:
    ctx, who = admin(request), staff(request)
    form = await request.post()
    review, status = str(form.get("review", "")), str(form.get("status", ""))
    if not review.isdigit() or status not in REVIEW_STATUSES:
        return error_page(request, 400, "Yêu cầu không hợp lệ.")
    try:
        round_code = await ctx.integrity.decide(review_id=int(review), status=status, user_id=who.user_id,
                                                by=actor(request), now=ctx.now(), reason=str(form.get("reason", "")))
    except ReasonRequired:
        return await _page(request, code=str(form.get("round", "")) or None, status=422,
                           before=html('<p class="notice error" role="alert">{t}</p>', t=T["integrity.reason_needed"]))
    if round_code is None:
        return error_page(request, 404, "Không tìm thấy trường hợp này.")
    return redirect(url(PATH, round=round_code))


async def disqualify(request: web.Request) -> web.Response:
    ctx, who = admin(request), staff(request)
    form = await request.post()
    code, raw = str(form.get("round", "")), str(form.get("participant", "")).strip().lstrip("#")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12 or ctx.runtime.contest.round(code) is None:
        return error_page(request, 400, "Yêu cầu không hợp lệ.")
    try:
        await ctx.integrity.disqualify(round_code=code, participant_id=int(raw), reason=str(form.get("reason", "")),
                                       user_id=who.user_id, by=actor(request), now=ctx.now())
    except ReasonRequired:
        return await _page(request, code=code, status=422,
                           before=html('<p class="notice error" role="alert">{t}</p>', t=T["integrity.reason_needed"]))
    except LookupError:
        return await _page(request, code=code, status=404,
                           before=html('<p class="notice error" role="alert">{t}</p>', t=T["integrity.manual.unknown"]))
    return redirect(url(PATH, round=code))
