"""A question set's history for admins: every version with who published it from which file and what it
changed; what the bank checks (quiz.bank) find in the version served; each version downloadable in the
official template (Mã filled, ready to edit and re-import); an earlier version restored through the same
dry run and "Xuất bản" as a file."""
from __future__ import annotations

import asyncio
import io

from aiohttp import web

from bot.importers.template import write_set
from bot.web.admin.auth import require
from bot.web.admin.context import actor, admin
from bot.web.admin.html import NOTHING, Markup, html, join, number
from bot.web.admin.import_preview import findings_section, preview
from bot.web.admin.imports import PATH as IMPORT_PATH
from bot.web.admin.imports import XLSX, owner, problems_notice
from bot.web.admin.layout import error_page, page, post_form
from bot.web.admin.widgets import cells, table
from quiz.drafts import Stale
from quiz.model import pick
from quiz.problems import Invalid
from quiz.questions import VersionInfo

T = {
    "title": "Bộ câu hỏi «{set}»",
    "intro": "Mỗi lần xuất bản tạo một phiên bản mới; các phiên bản cũ được giữ lại. Khôi phục một phiên bản cũ "
             "cũng qua bước chạy thử và «Xuất bản», tạo phiên bản mới có nội dung như cũ, và chấm lại các câu trả lời "
             "để mọi điểm số trở về đúng như trước.",
    "version": "Phiên bản",
    "when": "Xuất bản lúc",
    "by": "Người xuất bản",
    "file": "Từ tệp",
    "count": "Số câu",
    "changes": "Thay đổi",
    "download": "Tải về (XLSX)",
    "restore": "Khôi phục phiên bản này",
    "current": "đang dùng",
    "pack": "nạp từ gói nội dung",
    "restored": "khôi phục phiên bản {v}",
    "summary": "+{added} −{removed} · sửa {changed} · đổi đáp án {rekeyed} · chấm lại {answers} câu trả lời",
    "missing": "Không có bộ câu hỏi hoặc phiên bản này.",
    "back": "← Nhập câu hỏi",
}


def setup(app: web.Application) -> None:
    app.router.add_get(r"/sets/{name:[a-z0-9][a-z0-9-]{0,63}}", history_page)
    app.router.add_get(r"/sets/{name:[a-z0-9][a-z0-9-]{0,63}}/{version:\d{1,6}}.xlsx", download)
    app.router.add_post(r"/sets/{name:[a-z0-9][a-z0-9-]{0,63}}/{version:\d{1,6}}/restore", restore)


def _origin(v: VersionInfo) -> Markup:
    p = v.provenance
    if p is None:
        return html('<span class="muted">{t}</span>', t=T["pack"])
    made = T["restored"].format(v=p.restored_from) if p.restored_from else p.source
    return html("{f}", f=made)


def _changes(v: VersionInfo) -> str:
    s = v.provenance.summary if v.provenance else {}
    if not s:
        return "—"
    return T["summary"].format(added=s.get("added", 0), removed=s.get("removed", 0), changed=s.get("changed", 0),
                               rekeyed=s.get("rekeyed", 0), answers=number(int(s.get("answers_regraded", 0))))


@require("admin")
async def history_page(request: web.Request) -> web.Response:
    ctx, name = admin(request), request.match_info["name"]
    current = ctx.runtime.sets.get(name)
    if current is None:
        return error_page(request, 404, T["missing"])
    rows = []
    for v in await ctx.imports.versions(name):
        restore_form = NOTHING if v.version == current.version else post_form(
            request, f"/admin/sets/{name}/{v.version}/restore",
            html('<button type="submit" class="secondary">{t}</button>', t=T["restore"]), cls="inline")
        rows.append(cells([html("{v}{c}", v=v.version, c=html(' <span class="badge">{t}</span>', t=T["current"])
                                if v.version == current.version else ""),
                           f"{v.published_at.astimezone(ctx.tz):%d/%m/%Y %H:%M}",
                           v.provenance.by if v.provenance else "—", _origin(v), number(v.count), _changes(v),
                           join([html('<a href="{h}" download>{t}</a>', h=f"/admin/sets/{name}/{v.version}.xlsx",
                                      t=T["download"]), restore_form], " ")], numeric=(4,)))
    rounds = ", ".join(pick(r.title, "vi") for r in ctx.runtime.contest.rounds if r.question_set == name)
    report = await asyncio.to_thread(ctx.imports.findings, current.questions, set_name=name)
    body = html('<p><a href="{back}">{b}</a></p><p class="muted">{intro}</p><p>{rounds}</p>{table}{checks}',
                back=IMPORT_PATH, b=T["back"], intro=T["intro"], rounds=rounds,
                table=table([T["version"], T["when"], T["by"], T["file"], T["count"], T["changes"], ""], rows,
                            cls="versions", numeric=(4,)),
                checks=findings_section(request, report, f"{name} v{current.version}"))
    return page(request, title=T["title"].format(set=name), body=body, active=IMPORT_PATH)


@require("admin")
async def download(request: web.Request) -> web.Response:
    ctx, name, version = admin(request), request.match_info["name"], int(request.match_info["version"])
    qs = ctx.runtime.archive.get((name, version))
    if qs is None:
        return error_page(request, 404, T["missing"])
    topics = {code: pick(label, "vi") for code, label in ctx.runtime.contest.topics.items()}
    out = io.BytesIO()
    write_set(out, qs.questions, topics=topics)
    return web.Response(body=out.getvalue(), headers={
        "Content-Type": XLSX, "Content-Disposition": f'attachment; filename="{name}-v{version}.xlsx"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@require("admin")
async def restore(request: web.Request) -> web.Response:
    ctx, name, version = admin(request), request.match_info["name"], int(request.match_info["version"])
    try:
        pending = await ctx.imports.restore(name, version, owner=owner(request), by=actor(request), now=ctx.now())
    except Stale:
        return error_page(request, 404, T["missing"])
    except Invalid as exc:
        body = problems_notice(request, "", exc.problems)
        return page(request, title=T["title"].format(set=name), body=body, active=IMPORT_PATH, status=422)
    return page(request, title=T["title"].format(set=name), body=preview(request, pending), active=IMPORT_PATH)
