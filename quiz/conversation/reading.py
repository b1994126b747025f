"""Reading without personal data: rules, tips, FAQ answers, help, language, leaderboard."""
from __future__ import annotations

import random
from datetime import timedelta

from quiz.conversation.context import Ctx, Step, back_to_menu, button, menu, say
from quiz.conversation.messages import Button, Msg
from quiz.faq import Confidence
from quiz.model import LOCALES, Tip
from quiz.privacy import public_name
from quiz.ranking import Ranked

LEADERBOARD_SIZE = 10


def rules_index(ctx: Ctx) -> Step:
    rows = tuple((Button(Msg("rules.section_button", title=s.title), f"rs:{s.id}"),) for s in ctx.runtime.rules)
    return ctx.state.idle(), say(Msg("rules.intro", title=ctx.runtime.contest.title, version=ctx.runtime.rules_version),
                                 buttons=rows + (back_to_menu(),))


def rules_section(ctx: Ctx, section_id: str) -> Step:
    sections = ctx.runtime.rules
    idx = next((i for i, s in enumerate(sections) if s.id == section_id), None)
    if idx is None:
        return rules_index(ctx)
    s = sections[idx]
    nav: list[Button] = []
    if idx + 1 < len(sections):
        nav.append(Button(Msg("rules.next", title=sections[idx + 1].title), f"rs:{sections[idx + 1].id}"))
    nav.append(button("rules.all", "m:rules"))
    return ctx.state.idle(), say(Msg("rules.section", title=s.title, body=s.body),
                                 buttons=(tuple(nav), back_to_menu()), replace=True)


def tip(ctx: Ctx, topic: str | None = None) -> Step:
    pool: list[Tip] = [t for t in ctx.runtime.tips if topic is None or t.topic == topic]
    if not pool:
        return menu(ctx, Msg("tips.none"))
    chosen = random.choice(pool)
    label = ctx.runtime.contest.topics.get(chosen.topic, {"vi": chosen.topic})
    more = f"t:{topic}" if topic else "t:rand"
    return ctx.state.idle(), say(Msg("tips.tip", topic=label, text=chosen.text),
                                 buttons=((button("tips.another", more), button("tips.by_topic", "t:topics")),
                                          back_to_menu()))


def tip_topics(ctx: Ctx) -> Step:
    used = {t.topic for t in ctx.runtime.tips}
    rows = tuple((Button(Msg("tips.topic_button", topic=label), f"t:{slug}"),)
                 for slug, label in ctx.runtime.contest.topics.items() if slug in used)
    return ctx.state.idle(), say(Msg("tips.choose_topic"), buttons=rows + (back_to_menu(),))


def faq_answer(ctx: Ctx, entry_id: str) -> Step:
    entry = next((e for e in ctx.runtime.faq if e.id == entry_id), None)
    if entry is None:
        return menu(ctx, Msg("error.stale_button"))
    return menu(ctx, Msg("faq.answer", question=entry.question, answer=entry.answer))


def free_text(ctx: Ctx, text: str) -> Step:
    """Answer a question typed in the menu from the FAQ."""
    match = ctx.runtime.faq_index.match(text)
    if match.confidence is Confidence.SURE:
        return faq_answer(ctx, match.entries[0].id)
    if match.confidence is Confidence.UNSURE:
        rows = tuple((Button(Msg("faq.suggestion", question=e.question), f"f:{e.id}"),) for e in match.entries)
        return ctx.state.idle(), say(Msg("faq.did_you_mean"), buttons=rows + (back_to_menu(),))
    return menu(ctx, Msg("faq.no_match"))


def help_(ctx: Ctx) -> Step:
    return menu(ctx, Msg("help.text", title=ctx.runtime.contest.title))


def language(ctx: Ctx) -> Step:
    names = {"vi": Msg("language.vi"), "en": Msg("language.en")}
    rows = (tuple(Button(names[code], f"l:{code}") for code in LOCALES), back_to_menu())
    return ctx.state.idle(), say(Msg("language.choose"), buttons=rows)


async def leaderboard(ctx: Ctx, round_code: str | None = None) -> Step:
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
                          f"lb:{r.code}") for r in ranked_rounds if r is not chosen)
    return ctx.state.idle(), say(*parts, buttons=tuple(others[i:i + 2] for i in range(0, len(others),
                                                                                      2)) + (back_to_menu(),))


def _row(r: Ranked, people: dict[int, tuple[str, str]]) -> Msg:
    name, unit = people.get(r.standing.participant_id, ("—", ""))
    return Msg("lb.row", rank=r.rank, name=public_name(name), unit=unit, correct=r.standing.correct,
               total=r.standing.total, duration=timedelta(milliseconds=r.standing.duration_ms))

