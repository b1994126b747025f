"""Question statistics: the share of right answers per question, hardest first.

A question almost nobody gets right usually has a wrong answer key, so it is flagged."""
from __future__ import annotations

from aiohttp import web

from bot.web.admin.context import admin
from bot.web.admin.data import ranked_rounds
from bot.web.admin.html import Markup, html, number, percent
from bot.web.admin.layout import add_nav, page
from bot.web.admin.vi import T
from bot.web.admin.widgets import cells, round_tabs, table
from quiz.integrity import SUSPECT_MIN_ANSWERS, SUSPECT_SHARE, suspect_key
from quiz.model import LETTERS, Question
from quiz.statistics import QuestionCount

PATH = "/admin/questions"
MAX_TEXT = 160


def setup(app: web.Application) -> None:
    app.router.add_get("/questions", questions_page)
    add_nav(PATH, T["nav.questions"])


def needs_check(q: QuestionCount) -> bool:
    return suspect_key(answers=q.answers, correct=q.correct)


def _questions(request: web.Request) -> dict[str, Question]:
    runtime = admin(request).runtime
    known: dict[str, Question] = {}
    for qs in sorted(runtime.archive.values(), key=lambda s: s.version):
        known.update(qs.by_id())
    for qs in runtime.sets.values():  # the versions in use win
        known.update(qs.by_id())
    return known


def _share_bar(share: float) -> Markup:
    return html('<svg class="share" viewBox="0 0 100 10" width="100" height="10" aria-hidden="true">'
                '<rect width="100" height="10" rx="2" fill="#e3e8ef"/>'
                '<rect class="{cls}" width="{w}" height="10" rx="2" fill="{fill}"/></svg>',
                cls="low" if share < SUSPECT_SHARE else "ok", w=f"{share * 100:.1f}",
                fill="#c2410c" if share < SUSPECT_SHARE else "#1d6fb8")


def _row(q: QuestionCount, question: Question | None) -> Markup:
    text = question.text if question else T["questions.unknown"]
    text = text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"
    key = f"{LETTERS[question.correct]}. {question.options[question.correct]}" if question else "—"
    flag = html(' <span class="badge warn">{t}</span>', t=T["questions.check"]) if needs_check(q) else ""
    return cells([q.question_id, html("{t}{f}", t=text, f=flag), key, number(q.answers),
                  html('{bar} <span>{p}</span>', bar=_share_bar(q.share), p=percent(q.share))], numeric=(3, 4))


async def questions_page(request: web.Request) -> web.Response:
    ctx = admin(request)
    rounds = ranked_rounds(ctx)
    code = request.query.get("round") or None
    current = next((r for r in ctx.runtime.contest.rounds if r.code == code), None)
    counts = await ctx.figures.question_counts(round_code=current.code if current else None)
    counts.sort(key=lambda q: (not needs_check(q), q.share, -q.answers, q.question_id))
    known = _questions(request)
    flagged = sum(1 for q in counts if needs_check(q))
    note = T["questions.note"].format(percent=percent(SUSPECT_SHARE, 0), min=SUSPECT_MIN_ANSWERS)
    alert = html('<p class="notice warn">{t}</p>', t=T["questions.flagged"].format(n=flagged)) if flagged else ""
    listing = table([T["questions.id"], T["questions.text"], T["questions.answer"], T["questions.answers"],
                     T["questions.share"]], [_row(q, known.get(q.question_id)) for q in counts],
                    cls="questions", numeric=(3, 4)) if counts \
        else html('<p class="empty">{t}</p>', t=T["questions.empty"])
    body = html('{tabs}<p class="muted">{note}</p>{alert}{listing}',
                tabs=round_tabs(PATH, rounds, current, extra=[("", T["questions.all_rounds"])]),
                note=note, alert=alert, listing=listing)
    return page(request, title=T["questions.title"], body=body, active=PATH)
