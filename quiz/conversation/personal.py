"""A citizen's own things: results, the data stored about them, erasure."""
from __future__ import annotations

from dataclasses import replace

from quiz.conversation import phones
from quiz.conversation.actions import Data, DataItem, Menu, Review
from quiz.conversation.consent import deletion
from quiz.conversation.context import Ctx, Elsewhere, Turn, back_to_menu, button, menu, round_title, say
from quiz.conversation.linking import CHANNELS
from quiz.conversation.messages import Button, Msg
from quiz.conversation.registration import candidate_number, unit_page
from quiz.conversation.state import Step
from quiz.people import PURPOSE_CONTEST, PURPOSE_NEWS, PURPOSE_PRIZES

LANGUAGES = {"vi": Msg("language.vi_name"), "en": Msg("language.en_name")}
REVIEW_BUTTONS = 5  # the newest reviewable attempts offered under the results


async def my_results(ctx: Ctx) -> Turn:
    pid = ctx.account.participant_id
    if pid is None:
        return menu(ctx, Msg("play.register_first"))
    attempts = await ctx.play.my_attempts(participant_id=pid)
    if not attempts:
        return menu(ctx, Msg("results.none"))
    rows = []
    for att in attempts:
        round_ = ctx.runtime.contest.round(att.round_code)
        title = round_title(ctx, round_) if round_ else {"vi": att.round_code}
        if att.finished_at is None:
            rows.append(Msg("results.row_open", round=title, started=att.started_at))
        else:
            rows.append(Msg("results.row", round=title, started=att.started_at, correct=att.correct,
                            total=len(att.paper), duration=att.duration()))
    reviewable = await ctx.play.reviewable(attempts, now=ctx.now)
    newest = sorted((a for a in attempts if a.id in reviewable), key=lambda a: a.started_at, reverse=True)
    reviews = tuple((button("review.button", Review(a.id, 0), started=a.started_at, correct=a.correct,
                            total=len(a.paper)),) for a in newest[:REVIEW_BUTTONS])
    parts = [Msg("results.title", rows=tuple(rows))]
    if any(not a.practice for a in attempts if a.id not in reviewable and a.finished_at is not None):
        parts.append(Msg("review.later_here"))
    state, outcome = menu(ctx, *parts)
    if not reviews:
        return state, outcome
    reply = outcome.replies[0]
    return state, say(*reply.parts, buttons=reviews + reply.buttons)


async def my_data(ctx: Ctx) -> Turn:
    person, attempts, consents = await ctx.people.my_data(account_id=ctx.account.id,
                                                           participant_id=ctx.account.participant_id)
    purposes = {PURPOSE_CONTEST: Msg("data.purpose.contest"), PURPOSE_PRIZES: Msg("data.purpose.prizes"),
                PURPOSE_NEWS: Msg("data.purpose.news")}
    order = {p: i for i, p in enumerate(purposes)}  # as the notice lists them
    consent_rows = tuple(Msg("data.consent_row", purpose=purposes.get(p, p), granted=g) for p,
                         g in sorted(consents.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))
    parts = [Msg("data.account", channel=CHANNELS.get(ctx.account.channel, ctx.account.channel),
                 locale=LANGUAGES.get(ctx.locale, ctx.locale))]
    buttons: list[tuple[Button, ...]] = []
    if person is not None and not person.erased:
        unit = " › ".join(u.name for u in ctx.runtime.units.path(person.unit_code or ""))
        parts.append(Msg("data.person", name=person.full_name, year=str(person.birth_year or "—"),
                         phone=person.phone or "—", number=candidate_number(person.id),
                         unit=unit, registered=person.registered_at, attempts=len(attempts)))
        parts.append(Msg("data.phone_proven") if person.phone_verified_by else Msg("data.phone_typed"))
        if phones.may_prove(ctx, person):
            buttons.append((button("data.prove", Data(DataItem.PROVE)),))
        kept = await ctx.people.guardian(person.id)
        if kept is not None:
            parts.append(Msg("data.guardian", guardian=kept.full_name, phone=kept.phone))
        elif ctx.people.needs_guardian(person, ctx.now) and not person.withdrawn:
            buttons.append((button("data.guardian_give", Data(DataItem.GUARDIAN)),))
        if person.withdrawn:
            parts.append(Msg("data.withdrawn"))
        buttons.append((button("data.change_unit", Data(DataItem.UNIT)), button("data.erase", Data(DataItem.ERASE))))
        if not person.withdrawn:
            buttons.append((button("data.withdraw", Data(DataItem.WITHDRAW)),))
    parts.append(Msg("data.consents", rows=consent_rows) if consent_rows else Msg("data.no_consents"))
    if consents.get(PURPOSE_NEWS):
        buttons.append((button("data.news_off", Data(DataItem.NEWS_OFF)),))
    if consents.get(PURPOSE_PRIZES):
        buttons.append((button("data.prizes_off", Data(DataItem.PRIZES_OFF)),))
    parts.append(Msg("data.rights", organiser=ctx.runtime.contest.organiser))
    buttons.append((button("data.link", Data(DataItem.LINK)),))
    return ctx.state.idle(), say(*parts, buttons=tuple(buttons) + (back_to_menu(),))


def choose_new_unit(ctx: Ctx) -> Turn:
    """Walk the unit tree again, as in registration, to correct the participant's unit."""
    if not ctx.registered:
        return menu(ctx, Msg("play.register_first"))
    state = ctx.state.at(Step.REG_UNIT, changing=True)
    return state, unit_page(Ctx(ctx.services, ctx.account, state, ctx.now, ctx.locale), None, 0, Msg("data.ask_unit"))


def confirm_erase(ctx: Ctx) -> Turn:
    if not ctx.registered:
        return menu(ctx, Msg("error.stale_button"))
    # Keeping the data is the safe choice: it comes first, and the irreversible one says so in its label.
    return ctx.state.at(Step.ERASE_CONFIRM), say(Msg("data.erase_confirm", when=deletion(ctx)), buttons=(
        (button("data.erase_no", Menu()),), (button("data.erase_yes", Data(DataItem.ERASE_CONFIRMED)),)))


async def erase(ctx: Ctx) -> Turn:
    pid = ctx.account.participant_id
    if pid is None or ctx.state.step != Step.ERASE_CONFIRM:
        raise Elsewhere()
    await ctx.people.erase(participant_id=pid, now=ctx.now)
    await ctx.people.consent(account_id=ctx.account.id, purpose=PURPOSE_CONTEST, granted=False, now=ctx.now)
    gone = Ctx(ctx.services, replace(ctx.account, participant_id=None), ctx.state, ctx.now, ctx.locale)
    return menu(gone, Msg("data.erased"), toast=Msg("toast.saved"))


async def news_off(ctx: Ctx) -> Turn:
    await ctx.people.consent(account_id=ctx.account.id, purpose=PURPOSE_NEWS, granted=False, now=ctx.now)
    return menu(ctx, Msg("data.news_off_done"), toast=Msg("toast.saved"))


async def prizes_off(ctx: Ctx) -> Turn:
    await ctx.people.consent(account_id=ctx.account.id, purpose=PURPOSE_PRIZES, granted=False, now=ctx.now)
    return menu(ctx, Msg("data.prizes_off_done"), toast=Msg("toast.saved"))


def confirm_withdraw(ctx: Ctx) -> Turn:
    """What withdrawing the consent to take part does, before it is done: keeping things is the first button."""
    if not ctx.registered:
        return menu(ctx, Msg("error.stale_button"))
    return ctx.state.at(Step.WITHDRAW_CONFIRM), say(Msg("data.withdraw_confirm"), buttons=(
        (button("data.withdraw_no", Menu()),), (button("data.withdraw_yes", Data(DataItem.WITHDRAW_CONFIRMED)),)))


async def withdraw(ctx: Ctx) -> Turn:
    """Withdraw: no attempt starts any more, the attempts leave every ranking, and erasing is offered."""
    pid = ctx.account.participant_id
    if pid is None or ctx.state.step != Step.WITHDRAW_CONFIRM:
        raise Elsewhere()
    await ctx.people.withdraw(participant_id=pid, now=ctx.now)
    return ctx.state.idle(), say(Msg("data.withdrawn_done"), buttons=(
        (button("data.erase", Data(DataItem.ERASE)),), back_to_menu()))
