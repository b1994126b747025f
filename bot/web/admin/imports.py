"""Question-set import for admins: upload, a dry run with row-level problems or the diff, then publish.

The file is checked by the import use case (quiz.services.imports), which keeps the dry run in
storage, so "Xuất bản" may reach any worker; the form carries only its reference and the CSRF
token, never the file again."""
from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence

from aiohttp import web
from aiohttp.web_request import FileField

from bot.import_files import TooLarge, from_bytes
from bot.importers import SUFFIXES
from bot.importers.template import write_template
from bot.web.admin.auth import require
from bot.web.admin.context import actor, admin, staff
from bot.web.admin.html import NOTHING, Markup, html, join, number
from bot.web.admin.import_preview import preview
from bot.web.admin.layout import add_nav, csrf_field, page
from bot.web.admin.widgets import cells, table
from quiz.drafts import Stale
from quiz.imports import MAX_FILE_BYTES as MAX_BYTES
from quiz.imports import LiveRounds
from quiz.model import pick
from quiz.problems import Invalid, Problem
from quiz.services.imports import Published

PATH = "/admin/import"
MAX_BODY = MAX_BYTES + 256 * 1024  # the file and the form's other fields; the web app reads no more
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
T = {
    "nav": "Nhập câu hỏi",
    "title": "Nhập bộ câu hỏi",
    "intro": "Tải lên tệp câu hỏi (XLSX, CSV, JSON/YAML, Aiken hoặc GIFT, tối đa {mb} MB). Hệ thống luôn kiểm tra "
             "(chạy thử) trước; chỉ khi bạn bấm «Xuất bản» thì bộ câu hỏi mới được lưu thành phiên bản mới.",
    "template": "Tải tệp mẫu (XLSX)",
    "file": "Tệp câu hỏi",
    "set": "Tên bộ câu hỏi",
    "set_hint": "chữ thường, số và dấu gạch ngang, ví dụ bo-cau-hoi-2024; gõ tên một bộ đang có để thay nó bằng "
                "phiên bản mới",
    "topic": "Chủ đề mặc định (cho dòng để trống cột «Chủ đề»)",
    "no_topic": "— không có (mỗi dòng phải ghi chủ đề) —",
    "check": "Kiểm tra (chạy thử)",
    "sets": "Các bộ câu hỏi",
    "sets.name": "Bộ câu hỏi",
    "sets.version": "Phiên bản",
    "sets.count": "Số câu",
    "sets.rounds": "Dùng cho vòng",
    "sets.history": "Lịch sử, tải về, khôi phục",
    "no_file": "Hãy chọn một tệp câu hỏi.",
    "too_large": "Tệp «{file}» lớn hơn {mb} MB nên không được đọc.",
    "problems": "Tệp «{file}» có {n} lỗi. Không có gì được lưu; hãy sửa tệp rồi tải lên lại.",
    "problem.file": "Tệp",
    "problem.where": "Dòng / vị trí",
    "problem.message": "Lỗi",
    "published": "Đã xuất bản «{set}» phiên bản {v} ({n} câu). Các lượt thi mới dùng phiên bản này ngay.",
    "unchanged": "Không có thay đổi: «{set}» vẫn là phiên bản {v}.",
    "regraded": "Đã chấm lại {answers} câu trả lời trong {attempts} bài thi.",
    "regraded.none": "Không có bài thi nào cần chấm lại.",
    "regraded.frozen": "Vòng {round} đã chốt giải: danh sách giải đã công bố không tự thay đổi. "
                       "Vào trang Vòng thi, chọn «Chốt lại giải» nếu cần công bố lại theo điểm mới.",
    "stale": "Bản chạy thử này đã hết hạn, đã được xuất bản, hoặc bộ câu hỏi vừa được xuất bản từ nơi khác. Hãy "
             "tải tệp lên để kiểm tra lại.",
    "unconfirmed": "Hãy đánh dấu xác nhận cho từng vòng thi đang dùng bộ câu hỏi này rồi bấm «Xuất bản».",
    "refused": "Không xuất bản: bộ câu hỏi mới sẽ làm vòng thi không bốc được đề.",
    "cancelled": "Đã huỷ bản chạy thử; không có gì được lưu.",
}


def setup(app: web.Application) -> None:
    app.router.add_get("/import", import_page)
    app.router.add_post("/import/check", check)
    app.router.add_post("/import/publish", publish)
    app.router.add_post("/import/cancel", cancel)
    app.router.add_get("/import/template.xlsx", template)
    add_nav(PATH, T["nav"], role="admin")


def owner(request: web.Request) -> str:
    return f"staff:{staff(request).user_id}"


def _form(request: web.Request, *, set_name: str = "", topic: str = "") -> Markup:
    """The upload form. It never suggests a set that rounds use: replacing one is typed on purpose."""
    runtime = admin(request).runtime
    sets = sorted(runtime.sets)
    topics = join(html('<option value="{v}"{sel}>{label} ({v})</option>', v=slug, label=pick(label, "vi"),
                       sel=Markup(" selected") if slug == topic else "")
                  for slug, label in runtime.contest.topics.items())
    return html(
        '<form method="post" action="/admin/import/check" enctype="multipart/form-data" class="panel upload">'
        '{csrf}<p><label for="file">{l_file}</label><br><input type="file" id="file" name="file" accept="{accept}" '
        'required></p><p><label for="set">{l_set}</label><br><input type="text" id="set" name="set" value="{set}" '
        'list="known-sets" required pattern="[a-z0-9][a-z0-9-]{{0,63}}" placeholder="bo-cau-hoi-moi"> '
        '<span class="muted">{hint}</span><datalist id="known-sets">{known}</datalist></p>'
        '<p><label for="topic">{l_topic}</label><br><select id="topic" name="topic"><option value="">{none}</option>'
        '{topics}</select></p><p><button type="submit">{check}</button> <a class="button secondary" '
        'href="/admin/import/template.xlsx" download>{template}</a></p></form>',
        csrf=csrf_field(request), l_file=T["file"], accept=",".join(SUFFIXES), l_set=T["set"], set=set_name,
        hint=T["set_hint"], known=join(html('<option value="{s}">', s=s) for s in sets), l_topic=T["topic"],
        none=T["no_topic"], topics=topics, check=T["check"], template=T["template"])


def _sets_table(request: web.Request) -> Markup:
    runtime = admin(request).runtime
    rows = [cells([qs.name, qs.version, number(len(qs.questions)),
                   ", ".join(pick(r.title, "vi") for r in runtime.contest.rounds if r.question_set == qs.name),
                   html('<a href="{h}">{t}</a>', h=f"/admin/sets/{qs.name}", t=T["sets.history"])],
                  numeric=(1, 2)) for qs in sorted(runtime.sets.values(), key=lambda s: s.name)]
    return html("<h2>{t}</h2>{table}", t=T["sets"], table=table(
        [T["sets.name"], T["sets.version"], T["sets.count"], T["sets.rounds"], ""], rows, numeric=(1, 2)))


def _show(request: web.Request, *, before: Markup = NOTHING, set_name: str = "", topic: str = "",
          status: int = 200) -> web.Response:
    intro = html('<p class="muted">{t}</p>', t=T["intro"].format(mb=MAX_BYTES // (1024 * 1024)))
    body = html("{before}{intro}{form}{sets}", before=before, intro=intro,
                form=_form(request, set_name=set_name, topic=topic), sets=_sets_table(request))
    return page(request, title=T["title"], body=body, active=PATH, status=status)


def notice(text: str, kind: str) -> Markup:
    return html('<p class="notice {k}" role="status">{t}</p>', k=kind, t=text)


@require("admin")
async def import_page(request: web.Request) -> web.Response:
    return _show(request)


@require("admin")
async def check(request: web.Request) -> web.Response:
    form = await request.post()  # within the web app's client_max_size (MAX_BODY)
    upload, set_name, topic = form.get("file"), str(form.get("set", "")).strip(), str(form.get("topic", "")).strip()
    if not isinstance(upload, FileField) or not upload.filename:
        return _show(request, before=notice(T["no_file"], "error"), set_name=set_name, topic=topic, status=400)
    name = upload.filename
    data = upload.file.read(MAX_BYTES + 1)
    ctx = admin(request)
    try:
        read = from_bytes(data, name=name, default_topic=topic or None)
        pending = await ctx.imports.check(read, file=name, set_name=set_name, default_topic=topic or None,
                                          owner=owner(request), by=actor(request), now=ctx.now(),
                                          source_hash=hashlib.sha256(data).hexdigest())
    except TooLarge:
        text = T["too_large"].format(file=name, mb=MAX_BYTES // (1024 * 1024))
        return _show(request, before=notice(text, "error"), set_name=set_name, topic=topic, status=413)
    except Invalid as exc:
        return _show(request, before=problems_notice(request, name, exc.problems), set_name=set_name, topic=topic,
                     status=422)
    return page(request, title=T["title"], body=preview(request, pending), active=PATH)


def problems_notice(request: web.Request, name: str, problems: Sequence[Problem], *, head: str | None = None) -> Markup:
    t = admin(request).translator
    rows = [cells([p.file, where or "—", what]) for p in problems for where, what in [t.problem(p, "vi")]]
    return html('<section class="problems">{notice}{table}</section>',
                notice=notice(head or T["problems"].format(file=name, n=len(problems)), "error"),
                table=table([T["problem.file"], T["problem.where"], T["problem.message"]], rows, cls="problems"))


@require("admin")
async def publish(request: web.Request) -> web.Response:
    form = await request.post()
    token, confirmed = str(form.get("token", "")), [str(c) for c in form.getall("confirm", [])]
    ctx = admin(request)
    try:
        done = await ctx.imports.publish(token, owner=owner(request), by=actor(request), now=ctx.now(),
                                         confirmed=confirmed)
    except Stale:
        return _show(request, before=notice(T["stale"], "error"), status=409)
    except (LiveRounds, Invalid) as exc:
        pending = await ctx.imports.pending(token, owner=owner(request), now=ctx.now())
        error = notice(T["unconfirmed"], "error") if isinstance(exc, LiveRounds) else \
            problems_notice(request, "", exc.problems, head=T["refused"])
        if pending is None:
            return _show(request, before=error, status=409)
        return page(request, title=T["title"], body=preview(request, pending, error=error), active=PATH, status=409)
    return _show(request, before=notice(published_text(done), "ok"), set_name=done.publication.name)


def published_text(done: Published) -> str:
    pub = done.publication
    lines = [T["published"].format(set=pub.name, v=pub.version, n=number(pub.count)) if pub.changed
             else T["unchanged"].format(set=pub.name, v=pub.version)]
    if pub.changed and (done.rekeyed or done.answers_regraded):
        lines.append(T["regraded"].format(answers=number(done.answers_regraded),
                                          attempts=number(done.attempts_regraded)) if done.answers_regraded
                     else T["regraded.none"])
        lines += [T["regraded.frozen"].format(round=code) for code in done.frozen_rounds]
    return " ".join(lines)


@require("admin")
async def cancel(request: web.Request) -> web.Response:
    await admin(request).imports.cancel(str((await request.post()).get("token", "")), owner=owner(request),
                                        now=admin(request).now())
    return _show(request, before=notice(T["cancelled"], "ok"))


@require("admin")
async def template(request: web.Request) -> web.Response:
    topics = {slug: pick(label, "vi") for slug, label in admin(request).runtime.contest.topics.items()}
    out = io.BytesIO()
    write_template(out, topics=topics)
    return web.Response(body=out.getvalue(), headers={
        "Content-Type": XLSX, "Content-Disposition": 'attachment; filename="mau-cau-hoi.xlsx"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
