"""Consent per purpose, asked before any personal data; then registration starts."""
from __future__ import annotations

from quiz.conversation.actions import Consent
from quiz.conversation.context import Ctx, Elsewhere, Turn, button, menu, registering, say
from quiz.conversation.messages import Msg, Outcome, Reply
from quiz.conversation.registration import ask_name
from quiz.conversation.state import Step
from quiz.people import PURPOSE_CONTEST, PURPOSE_NEWS
from quiz.text import fold

ASKING = "asking"  # state data: which purpose the question on screen is about
# Typed answers to the question on screen: each is as explicit as the button it stands for.
_YES = {PURPOSE_CONTEST: frozenset({"toi dong y", "dong y", "i agree", "agree"}),
        PURPOSE_NEWS: frozenset({"co", "co gui cho toi", "yes", "yes please", "dong y"})}
_NO = {PURPOSE_CONTEST: frozenset({"khong dong y", "toi khong dong y", "khong", "i do not agree", "no"}),
       PURPOSE_NEWS: frozenset({"khong", "khong cam on", "no", "no thanks", "no thank you"})}


def ask_contest_consent(ctx: Ctx, *lead: Msg) -> Turn:
    title = ctx.runtime.contest.title
    organiser = ctx.runtime.contest.organiser
    return ctx.state.at(Step.CONSENT, **{ASKING: PURPOSE_CONTEST}), say(
        Msg("start.welcome", title=title), *lead, Msg("consent.contest", title=title, organiser=organiser),
        buttons=((button("consent.agree", Consent(PURPOSE_CONTEST, yes=True)),
                  button("consent.refuse", Consent(PURPOSE_CONTEST, yes=False))),),
    )


def ask_news(ctx: Ctx) -> Turn:
    return ctx.state.at(Step.CONSENT, **{ASKING: PURPOSE_NEWS}), say(
        Msg("consent.news"),
        buttons=((button("consent.news_yes", Consent(PURPOSE_NEWS, yes=True)),
                  button("consent.news_no", Consent(PURPOSE_NEWS, yes=False))),),
    )


def reask(ctx: Ctx) -> Turn:
    """The consent question on screen, asked again."""
    return ask_news(ctx) if ctx.state.data.get(ASKING) == PURPOSE_NEWS else ask_contest_consent(ctx)


async def on_text(ctx: Ctx, text: str) -> Turn | None:
    """A typed answer to the question on screen ("đồng ý", "không"); None when the text is no answer."""
    purpose = ctx.state.data.get(ASKING, PURPOSE_CONTEST)
    said = " ".join(fold(text).replace(",", " ").replace(".", " ").split())
    if purpose in _YES and said in _YES[purpose]:
        return await on_consent(ctx, purpose, True)
    if purpose in _NO and said in _NO[purpose]:
        return await on_consent(ctx, purpose, False)
    return None


def press_a_button(ctx: Ctx) -> Turn:
    """Text that answers nothing on screen: say which buttons answer it, and show them again."""
    state, outcome = reask(ctx)
    hint = Msg("hint.news") if state.data.get(ASKING) == PURPOSE_NEWS else Msg("hint.consent")
    return state, Outcome((Reply((hint,)), *outcome.replies))


async def on_consent(ctx: Ctx, purpose: str, granted: bool) -> Turn:
    if purpose not in (PURPOSE_CONTEST, PURPOSE_NEWS):
        raise Elsewhere()
    await ctx.people.consent(account_id=ctx.account.id, purpose=purpose, granted=granted, now=ctx.now)
    if purpose == PURPOSE_CONTEST and not granted:
        return menu(ctx, Msg("consent.refused"), toast=Msg("toast.saved"))
    if ctx.state.step is not Step.CONSENT and registering(ctx):
        # an old "Tôi đồng ý" or "Có, gửi cho tôi" tapped in the middle of registering: carry on from there
        raise Elsewhere(Msg("toast.saved"))
    if purpose == PURPOSE_CONTEST and not ctx.registered:
        return ask_news(ctx)
    if ctx.registered:
        return menu(ctx, *((Msg("consent.news_saved"),) if purpose == PURPOSE_NEWS else ()), toast=Msg("toast.saved"))
    return ask_name(ctx)
