"""A dry run as admins read it before "Xuất bản": what changes, side by side; every key change with the
answers it regrades; topics as they were understood; what the bank checks found (quiz.bank: publishing
stays possible); the file's questions in full; the live rounds that must be confirmed by name."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from aiohttp import web

from bot import bank_text
from bot.web.admin.context import admin
from bot.web.admin.html import NOTHING, Markup, html, join, number
from bot.web.admin.layout import csrf_field
from bot.web.admin.widgets import cells, table
from quiz.bank import BankReport
from quiz.model import LETTERS, Question, pick
from quiz.services.imports import Imports, Pending

SHOWN = 200  # questions listed in full before "… và N câu khác"
T = {
    "diff": "Tệp «{file}»: {n} câu hỏi hợp lệ cho bộ «{set}». So với {current}:",
    "restore": "Khôi phục bộ «{set}» về nội dung của phiên bản {v} ({n} câu). So với {current}:",
    "diff.version": "phiên bản {v} đang dùng",
    "diff.new": "bộ mới (chưa có phiên bản nào)",
    "diff.kind": "Thay đổi",
    "diff.count": "Số câu",
    "diff.added": "Thêm",
    "diff.removed": "Bỏ",
    "diff.changed": "Sửa nội dung",
    "diff.rekeyed": "Đổi đáp án đúng",
    "diff.none": "Nội dung giống hệt phiên bản đang dùng: xuất bản sẽ không tạo phiên bản mới.",
    "topics": "Chủ đề trong tệp được hiểu như sau",
    "edited": "Câu hỏi được sửa (so sánh từng cặp)",
    "edited.note": "Mỗi câu trong tệp được ghép với câu đang dùng có cùng mã, hoặc có nội dung giống nhất; thêm, "
                   "bớt hay sắp xếp lại dòng không làm đổi câu nào. Câu giống dưới 80% được coi là câu mới.",
    "edited.id": "Mã",
    "edited.old": "Đang dùng",
    "edited.new": "Trong tệp",
    "edited.alike": "Giống",
    "rekeyed": "Câu hỏi đổi đáp án đúng",
    "rekeyed.note": "Khi xuất bản, các câu trả lời đã làm với những câu này được chấm lại theo đáp án mới; bảng xếp "
                    "hạng cập nhật theo.",
    "rekeyed.old": "Đáp án cũ",
    "rekeyed.new": "Đáp án mới",
    "rekeyed.answers": "Câu trả lời chấm lại",
    "added": "Câu hỏi mới",
    "removed": "Câu hỏi bị bỏ",
    "all": "Xem toàn bộ {n} câu hỏi trong tệp",
    "col.number": "STT",
    "col.text": "Câu hỏi",
    "col.options": "Phương án",
    "col.key": "Đáp án",
    "col.topic": "Chủ đề",
    "more": "… và {n} câu khác",
    "live": "Bộ câu hỏi này đang dùng cho: {rounds}. Lượt thi đang làm dở giữ nguyên đề đã bốc; lượt thi mới bốc đề "
            "từ phiên bản mới ngay khi xuất bản.",
    "live.confirm": "Tôi xác nhận xuất bản khi vòng «{round}» đang dùng bộ câu hỏi này",
    "findings": "Kiểm tra chất lượng ngân hàng câu hỏi",
    "findings.questions": "Câu hỏi",
    "findings.what": "Phát hiện",
    "findings.longest": "{n} câu có đáp án đúng là phương án dài nhất",
    "dry": "Đây là kết quả chạy thử: chưa có gì được lưu. Bản chạy thử được giữ {minutes} phút.",
    "publish": "Xuất bản",
    "cancel": "Huỷ",
}


def _answer(q: Question) -> str:
    return f"{LETTERS[q.correct]}. {q.options[q.correct]}"


def _options(q: Question) -> Markup:
    return join((html("{l}. {o}", l=LETTERS[i], o=o) for i, o in enumerate(q.options)), "<br>")


def question_rows(questions: Sequence[Question], topics: Mapping[str, Mapping[str, str]]) -> list[Markup]:
    return [cells([n, q.id, q.text, _options(q), _answer(q), pick(topics.get(q.topic, {}), "vi") or q.topic],
                  numeric=(0,)) for n, q in enumerate(questions[:SHOWN], start=1)]


def _question_table(questions: Sequence[Question], topics: Mapping[str, Mapping[str, str]]) -> Markup:
    more = html('<p class="muted">{t}</p>', t=T["more"].format(n=len(questions) - SHOWN)) \
        if len(questions) > SHOWN else NOTHING
    return table([T["col.number"], "Mã", T["col.text"], T["col.options"], T["col.key"], T["col.topic"]],
                 question_rows(questions, topics), cls="questions-preview", numeric=(0,)) + more


def preview(request: web.Request, pending: Pending, *, action: str = "/admin/import/publish",
            error: Markup = NOTHING) -> Markup:
    """The whole dry run page body."""
    ctx = admin(request)
    plan, d = pending.plan, pending.plan.diff
    topics = ctx.runtime.contest.topics
    current_set = ctx.runtime.sets.get(plan.set_name)
    old = current_set.by_id() if current_set else {}
    new = {q.id: q for q in plan.questions}
    current = T["diff.version"].format(v=plan.current_version) if plan.current_version else T["diff.new"]
    head = T["restore"].format(set=plan.set_name, v=pending.restores, n=len(plan.questions), current=current) \
        if pending.restores else T["diff"].format(file=pending.name, n=len(plan.questions), set=plan.set_name,
                                                  current=current)
    parts = [error, html("<p>{t}</p>", t=head), table([T["diff.kind"], T["diff.count"]], [
        cells([T[f"diff.{kind}"], number(len(ids))], numeric=(1,))
        for kind, ids in (("added", d.added), ("removed", d.removed), ("changed", d.changed), ("rekeyed", d.rekeyed))],
        cls="diff", numeric=(1,))]
    if d.empty:
        parts.append(html('<p class="notice warn">{t}</p>', t=T["diff.none"]))
    if plan.topics:
        parts.append(html("<h2>{h}</h2><ul>{items}</ul>", h=T["topics"], items=join(
            html("<li>«{w}» → {code} ({label})</li>", w=written, code=code, label=pick(topics.get(code, {}), "vi"))
            for written, code in sorted(plan.topics.items()))))
    if d.rekeyed:
        rows = [cells([qid, new[qid].text, _answer(old[qid]), _answer(new[qid]),
                       number(pending.regrades.get(qid, 0))], numeric=(4,)) for qid in d.rekeyed]
        parts.append(html('<h2>{h}</h2><p class="notice warn">{note}</p>{t}', h=T["rekeyed"], note=T["rekeyed.note"],
                          t=table([T["edited.id"], T["col.text"], T["rekeyed.old"], T["rekeyed.new"],
                                   T["rekeyed.answers"]], rows, cls="rekeyed", numeric=(4,))))
    edited = [qid for qid in d.changed if qid not in d.rekeyed]
    if edited:
        rows = [cells([qid, html("{t}<br><small>{o}</small>", t=old[qid].text, o=_options(old[qid])),
                       html("{t}<br><small>{o}</small>", t=new[qid].text, o=_options(new[qid])),
                       f"{plan.likeness[qid]:.0%}" if qid in plan.likeness else "—"]) for qid in edited[:SHOWN]]
        parts.append(html('<h2>{h}</h2><p class="muted">{note}</p>{t}', h=T["edited"], note=T["edited.note"],
                          t=table([T["edited.id"], T["edited.old"], T["edited.new"], T["edited.alike"]], rows,
                                  cls="edited")))
    if d.added:
        parts.append(html("<h2>{h} ({n})</h2>{t}", h=T["added"], n=number(len(d.added)),
                          t=_question_table([new[qid] for qid in d.added], topics)))
    if d.removed:
        parts.append(html("<h2>{h} ({n})</h2>{t}", h=T["removed"], n=number(len(d.removed)),
                          t=_question_table([old[qid] for qid in d.removed], topics)))
    parts.append(findings_section(request, ctx.imports.findings(plan.questions, set_name=plan.set_name),
                                  plan.set_name))
    parts.append(html("<details><summary>{s}</summary>{t}</details>", s=T["all"].format(n=len(plan.questions)),
                      t=_question_table(plan.questions, topics)))
    minutes = int(Imports.TTL.total_seconds() // 60)
    parts.append(html('<p class="notice ok">{t}</p>', t=T["dry"].format(minutes=minutes)))
    parts.append(_actions(request, pending, action))
    return join(parts)


def findings_section(request: web.Request, report: BankReport, set_name: str) -> Markup:
    """The bank checks as a section: the figures, how many of each kind, then each finding; the
    questions whose key is the longest option folded away, they can be many."""
    t = admin(request).translator
    rows = bank_text.lines(report, t)
    main = [cells([where or "—", what]) for (where, what), f in zip(rows, report.findings, strict=True)
            if f.code != "longest_key"]
    longest = [cells([where, what]) for (where, what), f in zip(rows, report.findings, strict=True)
               if f.code == "longest_key"]
    kind = "warn" if report.findings else "ok"
    body = [html('<p>{h}</p><p class="notice {k}">{c}</p>', h=t.text(bank_text.header(report, set_name), "vi"), k=kind,
                 c=t.text(bank_text.counts(report), "vi"))]
    if main:
        body.append(table([T["findings.questions"], T["findings.what"]], main, cls="findings"))
    if longest:
        body.append(html("<details><summary>{s}</summary>{t}</details>",
                         s=T["findings.longest"].format(n=number(len(longest))),
                         t=table([T["findings.questions"], T["findings.what"]], longest, cls="findings")))
    return html('<section class="bank-checks"><h2>{h}</h2>{b}</section>', h=T["findings"], b=join(body))


def _actions(request: web.Request, pending: Pending, action: str) -> Markup:
    token = html('<input type="hidden" name="token" value="{t}">', t=pending.token)
    confirm = NOTHING
    if pending.live:
        names = ", ".join(f"«{pick(r.title, 'vi')}»" for r in pending.live)
        confirm = html('<p class="notice warn">{t}</p>{boxes}', t=T["live"].format(rounds=names), boxes=join(
            html('<p><label><input type="checkbox" name="confirm" value="{c}" required> {l}</label></p>', c=r.code,
                 l=T["live.confirm"].format(round=pick(r.title, "vi"))) for r in pending.live))
    return html('<div class="actions"><form method="post" action="{action}" class="inline">{csrf}{token}{confirm}'
                '<button type="submit">{publish}</button></form> <form method="post" action="/admin/import/cancel" '
                'class="inline">{csrf}{token}<button type="submit" class="secondary">{cancel}</button></form></div>',
                action=action, csrf=csrf_field(request), token=token, confirm=confirm, publish=T["publish"],
                cancel=T["cancel"])
