"""Reading without personal data: rules, tips, FAQ answers, help, language, leaderboard."""
from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

from quiz.conversation.actions import Faq, Language, Leaderboard, Menu, MenuItem, RulesSection, ShowTip, TipTopics
from quiz.conversation.context import Ctx, Turn, back, back_to_menu, button, menu, say
from quiz.conversation.messages import Button, Msg
from quiz.conversation.registration import candidate_number
from quiz.conversation.state import TIPS, Step
from quiz.model import LOCALES, Round, Tip
from quiz.privacy import public_name
from quiz.ranking import Ranked
from quiz.search import Confidence, Item, Kind
from quiz.season import has_closed, has_opened

LEADERBOARD_SIZE = 10
PRIZES = {"nhat": Msg("prize.nhat"), "nhi": Msg("prize.nhi"), "ba": Msg("prize.ba"),
          "khuyen_khich": Msg("prize.khuyen_khich")}


def rules_index(ctx: Ctx) -> Turn:
    rows = tuple((Button(Msg("rules.section_button", title=s.title), RulesSection(s.id)),) for s in ctx.runtime.rules)
    return ctx.state, say(Msg("rules.intro", title=ctx.runtime.contest.title, version=ctx.runtime.rules_version),
                          buttons=rows + (back(ctx),))


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
    return ctx.state, say(Msg("rules.section", title=s.title, body=s.body), buttons=(tuple(nav), back(ctx)),
                          replace=True)


def tip(ctx: Ctx, topic: str | None = None) -> Turn:
    """The next tip of the pool in this chat's own shuffled order: none again until all have been shown."""
    pool: list[Tip] = [t for t in ctx.runtime.tips if topic is None or t.topic == topic]
    if not pool:
        return menu(ctx, Msg("tips.none"))
    key = TIPS if topic is None else f"{TIPS}:{topic}"
    shown = ctx.state.data.get(key, 0)
    shown = shown if isinstance(shown, int) and shown >= 0 else 0
    order = list(range(len(pool)))
    random.Random(f"{ctx.account.id}:{key}:{shown // len(pool)}").shuffle(order)  # a new order each round
    chosen = pool[order[shown % len(pool)]]
    label = ctx.runtime.contest.topics.get(chosen.topic, {"vi": chosen.topic})
    more = (button("tips.another", ShowTip(topic)), button("tips.by_topic", TipTopics()))
    return ctx.state.at(ctx.state.step, **{key: shown + 1}), say(
        Msg("tips.tip", topic=label, text=chosen.text, k=shown % len(pool) + 1, n=len(pool)),
        buttons=(more, back(ctx)))


def tip_topics(ctx: Ctx) -> Turn:
    used = {t.topic for t in ctx.runtime.tips}
    rows = tuple((Button(Msg("tips.topic_button", topic=label), ShowTip(slug)),)
                 for slug, label in ctx.runtime.contest.topics.items() if slug in used)
    return ctx.state, say(Msg("tips.choose_topic"), buttons=rows + (back(ctx),))


def faq_answer(ctx: Ctx, entry_id: str) -> Turn:
    entry = next((e for e in ctx.runtime.faq if e.id == entry_id), None)
    if entry is None:
        return menu(ctx, Msg("error.stale_button"))
    return _read(ctx, Msg("faq.answer", question=entry.question, answer=entry.answer))


def _read(ctx: Ctx, *parts: Msg) -> Turn:
    """Something read: under it the menu, or, in the middle of a flow, the way back to it."""
    if ctx.state.step is Step.IDLE or ctx.public:
        return menu(ctx, *parts)
    return ctx.state, say(*parts, buttons=(back(ctx),))


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
    return _read(ctx, Msg("help.text", title=ctx.runtime.contest.title))


def language(ctx: Ctx) -> Turn:
    names = {"vi": Msg("language.vi"), "en": Msg("language.en")}
    rows = (tuple(Button(names[code], Language(code)) for code in LOCALES), back(ctx))
    return ctx.state, say(Msg("language.choose"), buttons=rows)


async def leaderboard(ctx: Ctx, round_code: str | None = None) -> Turn:
    ranked_rounds = ctx.standings.ranked_rounds()
    if not ranked_rounds:
        return menu(ctx, Msg("lb.none"))
    chosen = ctx.standings.pick_round(round_code, ctx.now)
    if chosen is None:
        return menu(ctx, Msg("error.stale_button"))
    board = await ctx.standings.glimpse(round_code=chosen.code, top=LEADERBOARD_SIZE,
                                        participant_id=ctx.account.participant_id, now=ctx.now)
    top = board.top(LEADERBOARD_SIZE)
    people = await ctx.standings.public_names([r.standing.participant_id for r in top])
    shown = {pid: (public_name(name), unit) for pid, (name, unit) in people.items()}
    namesakes = {who for who, n in Counter(shown.values()).items() if n > 1}
    prizes: dict[int, str] = {}
    if has_closed(chosen, ctx.now):  # a closed round's board names its prize winners, as published
        published = await ctx.standings.winners(chosen.code, now=ctx.now)
        prizes = {w.participant_id: w.prize for w in published.rows} if published.frozen else {}
    rows = tuple(_row(r, shown, namesakes, prizes.get(r.standing.participant_id)) for r in top)
    mine = board.place_of(ctx.account.participant_id) if ctx.account.participant_id is not None else None
    parts = [Msg("lb.title", round=chosen.title, count=len(board)), _when(ctx, chosen)]
    parts.append(Msg("lb.rows", rows=rows) if rows else Msg("lb.empty"))
    if mine is not None:
        parts.append(Msg("lb.mine", rank=mine.rank, correct=mine.standing.correct, total=mine.standing.total))
    others = tuple(Button(Msg("lb.round_button", title=r.title),
                          Leaderboard(r.code)) for r in ranked_rounds if r is not chosen)
    return ctx.state, say(*parts, buttons=tuple(others[i:i + 2] for i in range(0, len(others), 2)) + (back(ctx),))


def _when(ctx: Ctx, r: Round) -> Msg:
    """Whether the board is final, still moving, or not begun: a closed week says it is closed."""
    if has_closed(r, ctx.now):
        return Msg("lb.closed", closes=r.closes)
    if not has_opened(r, ctx.now):
        return Msg("lb.not_open", opens=r.opens)
    return Msg("lb.open_until", closes=r.closes) if r.closes is not None else Msg("lb.open")


def _row(r: Ranked, shown: dict[int, tuple[str, str]], namesakes: set[tuple[str, str]], prize: str | None) -> Msg:
    pid = r.standing.participant_id
    public, unit = shown.get(pid, ("—", ""))
    name: Msg | str = public
    if (public, unit) in namesakes:  # two people shown alike in one commune: candidate numbers tell them apart
        name = Msg("lb.namesake", name=public, number=candidate_number(pid))
    if prize is not None:
        name = Msg("lb.prize", prize=PRIZES.get(prize, prize), name=name)
    return Msg("lb.row", rank=r.rank, name=name, unit=unit, correct=r.standing.correct,
               total=r.standing.total, duration=timedelta(milliseconds=r.standing.duration_ms))

