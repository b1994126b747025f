"""Consent per purpose, asked before any personal data; then registration starts."""
from __future__ import annotations

from quiz.conversation.actions import Consent
from quiz.conversation.context import Ctx, Turn, button, menu, say
from quiz.conversation.messages import Msg
from quiz.conversation.registration import ask_name
from quiz.conversation.state import Step
from quiz.people import PURPOSE_CONTEST, PURPOSE_NEWS


def ask_contest_consent(ctx: Ctx) -> Turn:
    title = ctx.runtime.contest.title
    organiser = ctx.runtime.contest.organiser
    return ctx.state.at(Step.CONSENT), say(
        Msg("consent.contest", title=title, organiser=organiser),
        buttons=((button("consent.agree", Consent(PURPOSE_CONTEST, yes=True)),
                  button("consent.refuse", Consent(PURPOSE_CONTEST, yes=False))),),
    )


async def on_consent(ctx: Ctx, purpose: str, granted: bool) -> Turn:
    if purpose not in (PURPOSE_CONTEST, PURPOSE_NEWS):
        return menu(ctx, Msg("error.stale_button"))
    await ctx.people.consent(account_id=ctx.account.id, purpose=purpose, granted=granted, now=ctx.now)
    if purpose == PURPOSE_CONTEST and not granted:
        return menu(ctx, Msg("consent.refused"), toast=Msg("toast.saved"))
    if purpose == PURPOSE_CONTEST:
        return ctx.state.at(Step.CONSENT), say(
            Msg("consent.news"),
            buttons=((button("consent.news_yes", Consent(PURPOSE_NEWS, yes=True)),
                      button("consent.news_no", Consent(PURPOSE_NEWS, yes=False))),),
        )
    if ctx.registered:
        return menu(ctx, Msg("consent.news_saved"), toast=Msg("toast.saved"))
    state, outcome = ask_name(ctx)
    return state, outcome
