"""Broadcasts for admins: write a tip or an announcement, see it as citizens will and whom it reaches,
send it, and watch the progress (the page refreshes itself while sending; no script needed).

A preview is kept in storage under a reference (quiz.services.broadcasts), so "Gửi ngay" may reach
any worker; a resubmitted form finds the broadcast it already started and never starts a second."""
from __future__ import annotations

from datetime import datetime

from aiohttp import web

from bot.broadcasts.runner import Broadcaster
from bot.web.admin.auth import require
from bot.web.admin.context import actor, admin, staff
from bot.web.admin.html import Markup, html, join, number
from bot.web.admin.layout import add_nav, page, post_form, redirect
from bot.web.admin.widgets import card, cells, table
from quiz.broadcasts import KINDS, MAX_TEXT, BadBroadcast, Broadcast
from quiz.drafts import Stale

PATH = "/admin/broadcast"
REFRESH_SECONDS = 3
T = {
    "nav": "Gửi tin",
    "title": "Gửi mẹo và thông báo",
    "intro": "Tin được gửi đến những người đã đồng ý nhận mẹo và thông báo (lựa chọn gần nhất của họ), mỗi người "
             "một lần, qua Telegram (khoảng 30 tin mỗi giây) và qua Zalo nếu họ nhắn cho OA trong 48 giờ qua.",
    "kind": "Loại tin",
    "kind.tip": "Mẹo dịch vụ số",
    "kind.announcement": "Thông báo của Ban Tổ chức",
    "text_vi": "Nội dung (tiếng Việt)",
    "text_en": "Nội dung tiếng Anh (không bắt buộc; người dùng tiếng Anh nhận bản này)",
    "preview": "Xem trước",
    "preview.title": "Xem trước",
    "preview.as_seen": "Người nhận sẽ thấy",
    "audience": "Sẽ gửi đến",
    "audience.note": "Con số lúc này; người đồng ý hoặc từ chối trước khi gửi xong cũng được tính theo lựa chọn mới.",
    "send": "Gửi ngay",
    "edit": "Sửa lại",
    "recent": "Các lần gửi",
    "col.id": "Số",
    "col.created": "Lúc tạo",
    "col.kind": "Loại",
    "col.text": "Nội dung",
    "col.status": "Trạng thái",
    "col.progress": "Đã xử lý",
    "none": "Chưa gửi tin nào.",
    "status.pending": "Chờ gửi",
    "status.running": "Đang gửi",
    "status.done": "Đã gửi xong",
    "status.cancelled": "Đã dừng",
    "total": "Người nhận",
    "sent": "Đã gửi",
    "failed": "Không gửi được",
    "skipped": "Bỏ qua",
    "reasons": "Lý do bỏ qua hoặc không gửi được",
    "reason": "Kênh hoặc lý do",
    "count": "Số người",
    "cancel": "Dừng gửi",
    "waiting": "Chưa có kênh nào để gửi trong dịch vụ này (Telegram chưa chạy). Tin sẽ được gửi khi dịch vụ "
               "khởi động cùng Telegram.",
    "refreshing": "Trang tự cập nhật mỗi {s} giây trong khi gửi.",
    "bad": "Không gửi được: {detail}",
    "bad.empty": "hãy viết nội dung tiếng Việt.",
    "bad.long": "nội dung dài quá {n} ký tự.",
    "expired": "Bản xem trước đã hết hạn. Hãy xem trước lại rồi gửi.",
    "back": "← Tất cả các lần gửi",
}
REASONS = {
    "telegram": "Telegram", "zalo": "Zalo (trong 48 giờ)",
    "zalo_window": "Zalo: người dùng nhắn OA lần cuối quá 48 giờ (Zalo không cho gửi)",
    "zalo_off": "Zalo: kênh chưa bật", "telegram_off": "Telegram: kênh chưa bật",
    "cannot_push": "Trò chuyện trên web (không nhận được tin gửi chủ động)",
    "blocked": "Đã chặn bot hoặc xoá tài khoản", "bad_request": "Telegram từ chối tin",
    "rate_limited": "Telegram báo quá tải nhiều lần", "error": "Lỗi mạng hoặc máy chủ", "refused": "Zalo từ chối tin",
    "interrupted": "Dịch vụ dừng đúng lúc gửi: không gửi lại để không ai nhận hai lần",
}


def setup(app: web.Application) -> None:
    app.router.add_get("/broadcast", broadcast_page)
    app.router.add_post("/broadcast/preview", preview)
    app.router.add_post("/broadcast/send", send)
    app.router.add_get(r"/broadcast/{id:[0-9]{1,18}}", progress_page)
    app.router.add_post(r"/broadcast/{id:[0-9]{1,18}}/cancel", cancel)
    add_nav(PATH, T["nav"], role="admin")


def _broadcaster(request: web.Request) -> Broadcaster:
    return admin(request).broadcaster


def _owner(request: web.Request) -> str:
    return f"staff:{staff(request).user_id}"


def _when(request: web.Request, at: datetime) -> str:
    return f"{at.astimezone(admin(request).tz):%d/%m/%Y %H:%M}"


def _form(request: web.Request, kind: str = "tip", vi: str = "", en: str = "") -> Markup:
    kinds = join(html('<option value="{k}"{sel}>{label}</option>', k=k, label=T[f"kind.{k}"],
                      sel=Markup(" selected") if k == kind else "") for k in ("tip", "announcement"))
    inner = html(
        '<p><label for="kind">{l_kind}</label><br><select id="kind" name="kind">{kinds}</select></p>'
        '<p><label for="text_vi">{l_vi}</label><br><textarea id="text_vi" name="text_vi" rows="6" cols="70" '
        'maxlength="{max}" required>{vi}</textarea></p><p><label for="text_en">{l_en}</label><br>'
        '<textarea id="text_en" name="text_en" rows="4" cols="70" maxlength="{max}">{en}</textarea></p>'
        '<p><button type="submit">{go}</button></p>', l_kind=T["kind"], kinds=kinds, l_vi=T["text_vi"], vi=vi,
        l_en=T["text_en"], en=en, max=MAX_TEXT, go=T["preview"])
    return post_form(request, "/admin/broadcast/preview", inner, cls="panel broadcast")


def _recent(request: web.Request, broadcasts: list[Broadcast]) -> Markup:
    if not broadcasts:
        return html('<p class="empty">{t}</p>', t=T["none"])
    rows = [cells([html('<a href="{h}">#{n}</a>', h=f"{PATH}/{b.id}", n=b.id), _when(request, b.created_at),
                   T[f"kind.{b.kind}"], _excerpt(b.body.get("vi", "")), T[f"status.{b.status}"],
                   f"{number(b.handled)}/{number(b.total)}"], numeric=(5,)) for b in broadcasts]
    return table([T["col.id"], T["col.created"], T["col.kind"], T["col.text"], T["col.status"], T["col.progress"]],
                 rows, numeric=(5,))


def _message(text: str) -> Markup:
    """A chat message as a panel, its line breaks kept."""
    return html('<div class="panel message">{lines}</div>', lines=join((html("{l}", l=line) for line in
                                                                         text.split("\n")), "<br>"))


def _excerpt(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@require("admin")
async def broadcast_page(request: web.Request) -> web.Response:
    recent = await admin(request).broadcasts.recent()
    body = html('<p class="muted">{intro}</p>{form}<h2>{h}</h2>{recent}', intro=T["intro"], form=_form(request),
                h=T["recent"], recent=_recent(request, recent))
    return page(request, title=T["title"], body=body, active=PATH)


def _problem(kind: str, vi: str, en: str) -> str | None:
    if not vi:
        return T["bad.empty"]
    if len(vi) > MAX_TEXT or len(en) > MAX_TEXT:
        return T["bad.long"].format(n=MAX_TEXT)
    return None if kind in KINDS else "?"


@require("admin")
async def preview(request: web.Request) -> web.Response:
    form = await request.post()
    kind, vi, en = (str(form.get(k, "")).strip() for k in ("kind", "text_vi", "text_en"))
    problem = _problem(kind, vi, en)
    if problem is not None:
        body = html('<p class="notice error">{t}</p>{form}', t=T["bad"].format(detail=problem),
                    form=_form(request, kind if kind in KINDS else "tip", vi, en))
        return page(request, title=T["title"], body=body, active=PATH, status=400)
    b = _broadcaster(request)
    shown = [html("<h3>{l}</h3>{t}", l=label, t=_message(b.text(kind, {"vi": vi, "en": en}, locale)))
             for label, locale in (("Tiếng Việt", "vi"), ("English", "en")) if locale == "vi" or en]
    audience = await b.audience()
    rows = [cells([REASONS.get(k, k), number(n)], numeric=(1,)) for k, n in sorted(audience.items(),
                                                                                    key=lambda kv: -kv[1])]
    token = await admin(request).broadcasts.preview(kind=kind, text_vi=vi, text_en=en, owner=_owner(request),
                                                    now=admin(request).now())
    send_form = post_form(request, "/admin/broadcast/send", html(
        '<input type="hidden" name="draft" value="{d}"><button type="submit">{t}</button>', d=token, t=T["send"]),
        cls="inline")
    body = html('<h2>{p}</h2>{shown}<h2>{a}</h2>{table}<p class="muted">{note}</p><div class="toolbar">{send}</div>'
                '<h2>{e}</h2>{form}', p=T["preview.as_seen"], shown=join(shown), a=T["audience"],
                table=table([T["reason"], T["count"]], rows, numeric=(1,)), note=T["audience.note"], send=send_form,
                e=T["edit"], form=_form(request, kind, vi, en))
    return page(request, title=T["preview.title"], body=body, active=PATH)


@require("admin")
async def send(request: web.Request) -> web.Response:
    token = str((await request.post()).get("draft", ""))
    who = staff(request)
    try:  # the same form sent again finds the broadcast it already started
        created = await admin(request).broadcasts.create_from(token, owner=_owner(request), created_by=who.user_id,
                                                              by=actor(request), now=admin(request).now())
    except Stale:
        body = html('<p class="notice error">{t}</p>{form}', t=T["expired"], form=_form(request))
        return page(request, title=T["title"], body=body, active=PATH, status=409)
    except BadBroadcast as exc:
        body = html('<p class="notice error">{t}</p>{form}', t=T["bad"].format(detail=str(exc)), form=_form(request))
        return page(request, title=T["title"], body=body, active=PATH, status=400)
    if created.status == "pending":  # not one that a runner somewhere already sends
        _broadcaster(request).launch(created.id)
    return redirect(f"{PATH}/{created.id}")


@require("admin")
async def progress_page(request: web.Request) -> web.Response:
    b, broadcasts = _broadcaster(request), admin(request).broadcasts
    found = await broadcasts.get(int(request.match_info["id"]))
    if found is None:
        raise web.HTTPNotFound()
    reasons = await broadcasts.reasons(found.id)
    cards = join([card(T["total"], found.total), card(T["sent"], found.sent), card(T["failed"], found.failed),
                  card(T["skipped"], found.skipped)])
    parts = [html('<p><a href="{h}">{t}</a></p><p><span class="badge">{status}</span> {kind} · {when}</p>'
                  '<div class="cards">{cards}</div><p><progress value="{v}" max="{m}">{v}/{m}</progress></p>',
                  h=PATH, t=T["back"], status=T[f"status.{found.status}"], kind=T[f"kind.{found.kind}"],
                  when=_when(request, found.created_at), cards=cards, v=found.handled, m=max(found.total, 1))]
    if reasons:
        rows = [cells([REASONS.get(k, k or "—"), number(n)], numeric=(1,)) for k, n in sorted(reasons.items())]
        parts.append(html("<h2>{h}</h2>{t}", h=T["reasons"], t=table([T["reason"], T["count"]], rows, numeric=(1,))))
    if not found.finished:
        if not b.ready and not b.running(found.id):
            parts.append(html('<p class="notice warn">{t}</p>', t=T["waiting"]))
        parts.append(html('<p class="muted">{t}</p>', t=T["refreshing"].format(s=REFRESH_SECONDS)))
        parts.append(post_form(request, f"{PATH}/{found.id}/cancel", html(
            '<button type="submit" class="danger">{t}</button>', t=T["cancel"]), cls="inline"))
    parts.append(html('<h2>{h}</h2>{t}', h=T["preview.as_seen"], t=_message(b.text(found.kind, found.body, "vi"))))
    response = page(request, title=f"{T['title']} #{found.id}", body=join(parts), active=PATH)
    if not found.finished:
        response.headers["Refresh"] = str(REFRESH_SECONDS)  # progress without a script (the CSP allows none)
    return response


@require("admin")
async def cancel(request: web.Request) -> web.Response:
    broadcast_id = int(request.match_info["id"])
    await admin(request).broadcasts.cancel(broadcast_id, by=actor(request), now=admin(request).now())
    return redirect(f"{PATH}/{broadcast_id}")
