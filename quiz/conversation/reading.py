"""Reading without personal data: rules, tips, FAQ answers, help, language, leaderboard."""
from __future__ import annotations

import random
from datetime import timedelta

from quiz.conversation.actions import Faq, Language, Leaderboard, Menu, MenuItem, RulesSection, ShowTip, TipTopics
from quiz.conversation.context import Ctx, Turn, back_to_menu, button, menu, say
from quiz.conversation.messages import Button, Msg
from quiz.model import LOCALES, Tip
from quiz.privacy import public_name
from quiz.ranking import Ranked
from quiz.search import Confidence, Item, Kind

LEADERBOARD_SIZE = 10


def rules_index(ctx: Ctx) -> Turn:
    rows = tuple((Button(Msg("rules.section_button", title=s.title), RulesSection(s.id)),) for s in ctx.runtime.rules)
    return ctx.state.idle(), say(Msg("rules.intro", title=ctx.runtime.contest.title, version=ctx.runtime.rules_version),
                                 buttons=rows + (back_to_menu(),))


def rules_section(ctx: Ctx, section_id: str) -> Turn:
    sections = ctx.runtime.rules
    idx = next((i for i, s in enumerate(sections) if s.id == section_id), None)
    if idx is None:
        return rules_index(ctx)
    s = sections[idx]
    nav: list[Button] = []
    if idx + 1 < len(sections):
        nav.append(Button(Msg("rules.next", title=sections[idx + 1].title), RulesSection(sections[idx + 1].id)))
    nav.append(button("rules.all", Menu(MenuItem.RULES)))
    return ctx.state.idle(), say(Msg("rules.section", title=s.title, body=s.body),
                                 buttons=(tuple(nav), back_to_menu()), replace=True)


def tip(ctx: Ctx, topic: str | None = None) -> Turn:
    pool: list[Tip] = [t for t in ctx.runtime.tips if topic is None or t.topic == topic]
    if not pool:
        return menu(ctx, Msg("tips.none"))
    chosen = random.choice(pool)
    label = ctx.runtime.contest.topics.get(chosen.topic, {"vi": chosen.topic})
    more = (button("tips.another", ShowTip(topic)), button("tips.by_topic", TipTopics()))
    return ctx.state.idle(), say(Msg("tips.tip", topic=label, text=chosen.text), buttons=(more, back_to_menu()))


def tip_topics(ctx: Ctx) -> Turn:
    used = {t.topic for t in ctx.runtime.tips}
    rows = tuple((Button(Msg("tips.topic_button", topic=label), ShowTip(slug)),)
                 for slug, label in ctx.runtime.contest.topics.items() if slug in used)
    return ctx.state.idle(), say(Msg("tips.choose_topic"), buttons=rows + (back_to_menu(),))


def faq_answer(ctx: Ctx, entry_id: str) -> Turn:
    entry = next((e for e in ctx.runtime.faq if e.id == entry_id), None)
    if entry is None:
        return menu(ctx, Msg("error.stale_button"))
    return menu(ctx, Msg("faq.answer", question=entry.question, answer=entry.answer))


def free_text(ctx: Ctx, text: str) -> Turn:
    """Answer a question typed as text from the FAQ, the tips or the rules (quiz.search): directly when
    one is clearly best, "did you mean" when a few really compete."""
    found = ctx.runtime.answers.find(text)
    if found.confidence is Confidence.SURE:
        return _answer(ctx, found.items[0])
    if found.confidence is Confidence.UNSURE:
        rows = tuple((Button(Msg("faq.suggestion", question=item.title), _open(item)),) for item in found.items)
        return ctx.state.idle(), say(Msg("faq.did_you_mean"), buttons=rows + (back_to_menu(),))
    return menu(ctx, Msg("faq.no_match"))


def _answer(ctx: Ctx, item: Item) -> Turn:
    if item.kind is Kind.FAQ:
        return faq_answer(ctx, item.id)
    if item.kind is Kind.RULES:
        return rules_section(ctx, item.id)
    found = next(t for t in ctx.runtime.tips if t.id == item.id)
    return menu(ctx, Msg("search.tip", topic=item.title, text=found.text))


def _open(item: Item) -> Faq | RulesSection | ShowTip:
    """The button that shows an item offered as "did you mean"."""
    if item.kind is Kind.FAQ:
        return Faq(item.id)
    if item.kind is Kind.RULES:
        return RulesSection(item.id)
    return ShowTip(item.topic or None)


def help_(ctx: Ctx) -> Turn:
    return menu(ctx, Msg("help.text", title=ctx.runtime.contest.title))


def language(ctx: Ctx) -> Turn:
    names = {"vi": Msg("language.vi"), "en": Msg("language.en")}
    rows = (tuple(Button(names[code], Language(code)) for code in LOCALES), back_to_menu())
    return ctx.state.idle(), say(Msg("language.choose"), buttons=rows)


async def leaderboard(ctx: Ctx, round_code: str | None = None) -> Turn:
    ranked_rounds = ctx.standings.ranked_rounds()
    if not ranked_rounds:
        return menu(ctx, Msg("lb.none"))
    chosen = ctx.standings.pick_round(round_code, ctx.now)
    if chosen is None:
        return menu(ctx, Msg("error.stale_button"))
    board = await ctx.standings.board(round_code=chosen.code, now=ctx.now)
    top = board.top(LEADERBOARD_SIZE)
    people = await ctx.standings.names([r.standing.participant_id for r in top])
    rows = tuple(_row(r, people) for r in top)
    mine = board.place_of(ctx.account.participant_id) if ctx.account.participant_id is not None else None
    parts = [Msg("lb.title", round=chosen.title, count=len(board))]
    parts.append(Msg("lb.rows", rows=rows) if rows else Msg("lb.empty"))
    if mine is not None:
        parts.append(Msg("lb.mine", rank=mine.rank, correct=mine.standing.correct, total=mine.standing.total))
    others = tuple(Button(Msg("lb.round_button", title=r.title),
                          Leaderboard(r.code)) for r in ranked_rounds if r is not chosen)
    return ctx.state.idle(), say(*parts, buttons=tuple(others[i:i + 2] for i in range(0, len(others),
                                                                                      2)) + (back_to_menu(),))


def _row(r: Ranked, people: dict[int, tuple[str, str]]) -> Msg:
    name, unit = people.get(r.standing.participant_id, ("—", ""))
    return Msg("lb.row", rank=r.rank, name=public_name(name), unit=unit, correct=r.standing.correct,
               total=r.standing.total, duration=timedelta(milliseconds=r.standing.duration_ms))

