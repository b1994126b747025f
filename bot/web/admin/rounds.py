"""Rounds: everyone on the staff sees them; admins create, change, open and close them.

A form's fields are turned into the contest pack's round settings, so the page is checked
by the same rules as a pack (quiz.rounds) and shows the same problem messages. Closing
freezes the winners; opening a closed round again needs a tick of confirmation."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.web.admin.auth import require
from bot.web.admin.context import actor, admin, staff
from bot.web.admin.html import NOTHING, Markup, html, join, number, url
from bot.web.admin.layout import add_nav, page, post_form, redirect
from bot.web.admin.widgets import cells, table
from quiz.conversation.messages import Msg
from quiz.model import pick
from quiz.problems import Invalid
from quiz.rounds import RoundRefused, RoundState
from quiz.text import whole_number

PATH = "/admin/rounds"
T = {
    "nav": "Vòng thi", "title": "Vòng thi",
    "code": "Mã", "name": "Tên vòng", "state": "Trạng thái", "times": "Mở → đóng", "settings": "Thiết lập",
    "open": "đang mở", "waiting": "chưa mở", "ended": "đã hết giờ, sắp chốt", "closed": "đã đóng {at}",
    "figure": "số người đúng hết: {n}", "winners": "{n} người đoạt giải đã chốt",
    "edit": "Sửa «{name}»", "new": "Thêm vòng thi", "save": "Lưu", "create": "Thêm",
    "f.code": "Mã vòng (chữ thường, số, gạch ngang)", "f.title": "Tên vòng", "f.set": "Bộ câu hỏi",
    "f.questions": "Số câu mỗi lượt (10–40)", "f.minutes": "Thời gian làm bài (phút)",
    "f.per_round": "Số lượt mỗi người trong vòng (trống: không giới hạn)",
    "f.per_day": "Số lượt mỗi người mỗi ngày (trống: không giới hạn)", "f.practice": "Luyện tập (không xếp hạng)",
    "f.prediction": "Có câu hỏi dự đoán", "f.quotas": "Số câu theo chủ đề, ví dụ «vneid=3, an-toan=3»",
    "f.levels": "Số câu theo độ khó, ví dụ «easy=8, medium=8, hard=4» (dễ, trung bình, khó)",
    "f.opens": "Mở lúc", "f.closes": "Đóng lúc",
    "do.open": "Mở ngay", "do.close": "Đóng ngay và chốt giải", "do.reopen": "Mở lại (thu hồi giải đã chốt)",
    "do.refreeze": "Chốt lại giải (sau khi chấm lại)", "confirm": "Tôi hiểu",
    "close.note": "Bài đang làm dở kết thúc ngay với các câu đã trả lời.",
    "unconfirmed": "Hãy đánh dấu «Tôi hiểu» để xác nhận.",
    "done.saved": "Đã lưu vòng «{code}»; lượt thi mới dùng thiết lập này ngay.",
    "done.opened": "Vòng «{code}» đang mở.",
    "done.closed": "Đã đóng vòng «{code}» và chốt danh sách đoạt giải.",
    "problems": "Thiết lập chưa hợp lệ, chưa có gì được lưu:",
}


def setup(app: web.Application) -> None:
    app.router.add_get("/rounds", rounds_page)
    app.router.add_post("/rounds/new", create)
    app.router.add_post("/rounds/{code}", change)
    app.router.add_post("/rounds/{code}/open", open_round)
    app.router.add_post("/rounds/{code}/close", close_round)
    add_nav(PATH, T["nav"])


def _when(moment: datetime | None, tz: Any, fmt: str = "%d/%m/%Y %H:%M") -> str:
    return moment.astimezone(tz).strftime(fmt) if moment else ""


def _state(s: RoundState, now: datetime, tz: Any) -> str:
    r = s.round
    if s.closed:
        return f'{T["closed"].format(at=_when(s.closed_at, tz))}; {T["figure"].format(n=number(s.figure or 0))}'
    return T["open"] if r.is_open(now) else T["waiting"] if r.opens and now < r.opens else T["ended"]


def _settings(s: RoundState) -> str:
    r = s.round
    parts = [f"{r.questions_per_attempt} câu", f"{int(r.time_limit.total_seconds() // 60)} phút", r.question_set]
    parts += [f"{r.attempts_per_round} lượt/vòng"] if r.attempts_per_round else []
    parts += [f"{r.attempts_per_day} lượt/ngày"] if r.attempts_per_day else []
    parts += ["luyện tập"] if r.practice else ["dự đoán"] if r.prediction else []
    parts += [", ".join(f"{k}={v}" for k, v in r.topic_quotas.items())] if r.topic_quotas else []
    parts += [", ".join(f"{k}={v}" for k, v in r.difficulty_quotas.items())] if r.difficulty_quotas else []
    return " · ".join(parts)


def _field(label: str, name: str, value: object, kind: str = "text", **extra: str) -> Markup:
    attrs = join(html(' {k}="{v}"', k=k, v=v) for k, v in extra.items())
    if kind == "checkbox":
        return html('<p><label><input type="checkbox" name="{n}" value="1"{c}> {l}</label></p>', n=name, l=label,
                    c=Markup(" checked") if value else "")
    return html('<p><label>{l}<br><input type="{k}" name="{n}" value="{v}"{a}></label></p>', l=label, k=kind,
                n=name, v="" if value is None else value, a=attrs)


def _form(request: web.Request, s: RoundState | None, values: Mapping[str, str] | None = None) -> Markup:
    runtime, tz = admin(request).runtime, admin(request).tz
    r = s.round if s else None
    v = dict(values or {})

    def get(key: str, current: object) -> object:
        return v.get(key, current)

    sets = join(html('<option value="{n}"{sel}>{n}</option>', n=name,
                     sel=Markup(" selected") if name == get("question_set", r.question_set if r else "") else "")
                for name in sorted(runtime.sets))
    fields = join([
        _field(T["f.code"], "code", get("code", ""), pattern="[a-z0-9][a-z0-9-]{0,63}", required="required")
        if r is None else Markup(""),
        _field(T["f.title"], "title", get("title", pick(r.title, "vi") if r else "")),
        html('<p><label>{l}<br><select name="question_set">{o}</select></label></p>', l=T["f.set"], o=sets),
        _field(T["f.questions"], "questions", get("questions", r.questions_per_attempt if r else 10), "number",
               min="1", max="40"),
        _field(T["f.minutes"], "minutes", get("minutes", int(r.time_limit.total_seconds() // 60) if r else 15),
               "number", min="1", max="60"),
        _field(T["f.per_round"], "per_round", get("per_round", r.attempts_per_round if r else ""), "number", min="1"),
        _field(T["f.per_day"], "per_day", get("per_day", r.attempts_per_day if r else ""), "number", min="1"),
        _field(T["f.practice"], "practice", get("practice", r.practice if r else False), "checkbox"),
        _field(T["f.prediction"], "prediction", get("prediction", r.prediction if r else True), "checkbox"),
        _field(T["f.quotas"], "quotas", get("quotas", ", ".join(f"{k}={n}" for k, n in r.topic_quotas.items())
                                              if r else "")),
        _field(T["f.levels"], "levels", get("levels", ", ".join(f"{k}={n}" for k, n in r.difficulty_quotas.items())
                                            if r else "")),
        _field(T["f.opens"], "opens", get("opens", _when(r.opens if r else None, tz, "%Y-%m-%dT%H:%M")),
               "datetime-local"),
        _field(T["f.closes"], "closes", get("closes", _when(r.closes if r else None, tz, "%Y-%m-%dT%H:%M")),
               "datetime-local")])
    action = f"{PATH}/{r.code}" if r else f"{PATH}/new"
    return post_form(request, action, html('{f}<p><button type="submit">{b}</button></p>', f=fields,
                                           b=T["save"] if r else T["create"]), cls="round-form")


def _actions(request: web.Request, s: RoundState) -> Markup:
    code = s.round.code
    confirm = html('<label><input type="checkbox" name="confirm" value="1" required> {t}</label> ', t=T["confirm"])
    if s.closed:
        return join([
            post_form(request, f"{PATH}/{code}/open", html('<input type="hidden" name="reopen" value="1">{c}'
                                                           '<button type="submit" class="secondary">{b}</button>',
                                                           c=confirm, b=T["do.reopen"])),
            post_form(request, f"{PATH}/{code}/close", html('<input type="hidden" name="refreeze" value="1">{c}'
                                                            '<button type="submit" class="secondary">{b}</button>',
                                                            c=confirm, b=T["do.refreeze"]))])
    return join([
        post_form(request, f"{PATH}/{code}/open", html('<button type="submit" class="secondary">{b}</button>',
                                                       b=T["do.open"])),
        post_form(request, f"{PATH}/{code}/close", html('<span class="muted">{n}</span><br>{c}'
                                                        '<button type="submit" class="danger">{b}</button>',
                                                        n=T["close.note"], c=confirm, b=T["do.close"]))])


async def _show(request: web.Request, *, before: Markup = NOTHING, editing: str | None = None,
                values: Mapping[str, str] | None = None, status: int = 200) -> web.Response:
    ctx = admin(request)
    rounds, now, tz = ctx.rounds, ctx.now(), ctx.tz
    states = await rounds.states()
    rows = []
    for s in states:
        state = _state(s, now, tz)
        if s.closed:
            state += "; " + T["winners"].format(n=len(await rounds.winners(s.round.code)))
        rows.append(cells([s.round.code, pick(s.round.title, "vi"), state,
                           f"{_when(s.round.opens, tz) or '…'} → {_when(s.round.closes, tz) or '…'}", _settings(s)]))
    body = [before, table([T["code"], T["name"], T["state"], T["times"], T["settings"]], rows)]
    if staff(request).is_admin:
        for s in states:
            form = Markup("") if s.closed else _form(request, s, values if editing == s.round.code else None)
            body.append(html('<details class="panel"{o}><summary>{t}</summary>{actions}{form}</details>',
                             o=Markup(" open") if editing == s.round.code else "",
                             t=T["edit"].format(name=pick(s.round.title, "vi")), actions=_actions(request, s),
                             form=form))
        body.append(html('<details class="panel"{o}><summary>{t}</summary>{form}</details>', t=T["new"],
                         o=Markup(" open") if editing == "" else "",
                         form=_form(request, None, values if editing == "" else None)))
    return page(request, title=T["title"], body=join(body), active=PATH, status=status)


def notice(text: str, kind: str) -> Markup:
    return html('<p class="notice {k}" role="status">{t}</p>', k=kind, t=text)


def settings_from(form: Mapping[str, str]) -> dict[str, Any]:
    """The form in the contest pack's terms: numbers as numbers where they are, ticks as booleans."""
    def number_or_text(text: str) -> object:
        text = text.strip()
        number = whole_number(text, max_digits=9)
        return number if number is not None else text or None

    def counts(field: str) -> dict[str, object]:
        out: dict[str, object] = {}
        for item in form.get(field, "").replace(";", ",").split(","):
            key, _, n = item.partition("=")
            if key.strip():
                out[key.strip()] = number_or_text(n)
        return out

    out: dict[str, Any] = {
        "question_set": form.get("question_set", "").strip(),
        "questions_per_attempt": number_or_text(form.get("questions", "")),
        "time_limit_minutes": number_or_text(form.get("minutes", "")),
        "attempts_per_round": number_or_text(form.get("per_round", "")),
        "attempts_per_day": number_or_text(form.get("per_day", "")),
        "practice": form.get("practice") == "1", "prediction": form.get("prediction") == "1",
        "topic_quotas": counts("quotas"), "difficulty_quotas": counts("levels"),
        "opens": form.get("opens", "").replace("T", " ").strip() or None,
        "closes": form.get("closes", "").replace("T", " ").strip() or None,
    }
    if form.get("title", "").strip():
        out["title"] = form["title"].strip()
    return out


async def _refused(request: web.Request, exc: Exception, *, editing: str | None, values: Mapping[str,
                                                                                                 str]) -> web.Response:
    t = admin(request).translator
    if isinstance(exc, Invalid):
        items = join(html("<li>{m}</li>", m=t.text(Msg(p.message_id, **p.params), "vi")) for p in exc.problems)
        before = html('<div class="notice error" role="alert">{h}<ul>{items}</ul></div>', h=T["problems"],
                      items=items)
    else:
        assert isinstance(exc, RoundRefused)
        before = notice(t.text(Msg(exc.message_id, **exc.params), "vi"), "error")
    return await _show(request, before=before, editing=editing, values=values, status=422)


def _done(kind: str, code: str) -> web.Response:
    return redirect(url(PATH, done=kind, code=code))


async def _form_of(request: web.Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.post()).items() if k != "csrf_token"}


@require("admin")
async def create(request: web.Request) -> web.Response:
    form = await _form_of(request)
    code = form.get("code", "").strip()
    try:
        await admin(request).rounds.create(code, settings_from(form), by=actor(request), now=admin(request).now())
    except (Invalid, RoundRefused) as exc:
        return await _refused(request, exc, editing="", values=form)
    return _done("saved", code)


@require("admin")
async def change(request: web.Request) -> web.Response:
    code, form = request.match_info["code"], await _form_of(request)
    try:
        await admin(request).rounds.change(code, settings_from(form), by=actor(request), now=admin(request).now())
    except (Invalid, RoundRefused) as exc:
        return await _refused(request, exc, editing=code, values=form)
    return _done("saved", code)


@require("admin")
async def open_round(request: web.Request) -> web.Response:
    code, form = request.match_info["code"], await _form_of(request)
    reopen = form.get("reopen") == "1"
    if reopen and form.get("confirm") != "1":
        return await _show(request, before=notice(T["unconfirmed"], "error"), status=422)
    try:
        await admin(request).rounds.open(code, by=actor(request), now=admin(request).now(), reopen=reopen)
    except RoundRefused as exc:
        return await _refused(request, exc, editing=None, values={})
    return _done("opened", code)


@require("admin")
async def close_round(request: web.Request) -> web.Response:
    code, form = request.match_info["code"], await _form_of(request)
    if form.get("confirm") != "1":
        return await _show(request, before=notice(T["unconfirmed"], "error"), status=422)
    try:
        await admin(request).rounds.close(code, by=actor(request), now=admin(request).now(),
                                                            refreeze=form.get("refreeze") == "1")
    except RoundRefused as exc:
        return await _refused(request, exc, editing=None, values={})
    return _done("closed", code)


@require("organiser")
async def rounds_page(request: web.Request) -> web.Response:
    done = T.get(f"done.{request.query.get('done', '')}")  # a message of ours, never text from the link
    code = request.query.get("code", "")
    return await _show(request, before=notice(done.format(code=code), "ok") if done else Markup(""))
