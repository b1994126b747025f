"""A parent's or guardian's consent for a participant who may be under 16 (Law 91/2025/QH15 on personal
data, Decree 13/2023/NĐ-CP): asked right after the birth year, before the phone and before any attempt.

The guardian gives their name and number. With an SMS gateway, the code sent to *their* phone is the
confirmation (the guardian reads it out or types it); without one, the guardian reads what they agree to
on the citizen's screen and presses "I am the parent or guardian and I agree" themselves. The child's
own agreement is the contest consent they gave before registering."""
from __future__ import annotations

from quiz.conversation import phones
from quiz.conversation.actions import GuardianAgrees
from quiz.conversation.context import Ctx, Elsewhere, Turn, back_to_menu, button, menu, say
from quiz.conversation.messages import Msg, Outcome
from quiz.conversation.state import Step
from quiz.identity import GUARDIAN_UNDER, Guardian
from quiz.people import normalise_phone, valid_name
from quiz.verification import Check, Purpose

CODE, DECLARED = "code", "declared"


def ask_name(ctx: Ctx) -> Turn:
    return ctx.state.at(Step.REG_GUARDIAN_NAME), say(Msg("guardian.why", age=GUARDIAN_UNDER),
                                                     Msg("guardian.ask_name"))


def reask(ctx: Ctx) -> Outcome:
    d, step = ctx.state.data, ctx.state.step
    if step is Step.REG_GUARDIAN_PHONE:
        return say(Msg("guardian.ask_phone", guardian=d.get("guardian_name")))
    if step is Step.REG_GUARDIAN_CODE:
        return phones.ask_code(str(d.get("guardian_phone")), intro="guardian.code_sent")
    if step is Step.REG_GUARDIAN_OK:
        return _agreement(ctx)
    return say(Msg("guardian.why", age=GUARDIAN_UNDER), Msg("guardian.ask_name"))


def _agreement(ctx: Ctx) -> Outcome:
    d = ctx.state.data
    return say(Msg("guardian.agreement", guardian=d.get("guardian_name"), child=d.get("name"),
                   organiser=ctx.runtime.contest.organiser, title=ctx.runtime.contest.title),
               buttons=((button("guardian.agree", GuardianAgrees(True)),),
                        (button("guardian.refuse", GuardianAgrees(False)),)))


async def on_text(ctx: Ctx, text: str) -> Turn:
    step, d = ctx.state.step, ctx.state.data
    if step is Step.REG_GUARDIAN_NAME:
        name = valid_name(text)
        if name is None:
            return ctx.state, say(Msg("reg.bad_name"))
        if name == d.get("name"):
            return ctx.state, say(Msg("guardian.same_name"))
        return ctx.state.at(Step.REG_GUARDIAN_PHONE, guardian_name=name), say(
            Msg("guardian.ask_phone", guardian=name))
    if step is Step.REG_GUARDIAN_PHONE:
        phone = normalise_phone(text)
        if phone is None:
            return ctx.state, say(Msg("reg.bad_phone"))
        state = ctx.state.at(Step.REG_GUARDIAN_PHONE, guardian_phone=phone)
        if ctx.codes is None:
            return state.at(Step.REG_GUARDIAN_OK), _agreement(ctx.with_state(state))
        return await _send(ctx.with_state(state), phone)
    if step is Step.REG_GUARDIAN_CODE:
        phone = str(d.get("guardian_phone"))
        verdict = await phones.check_code(ctx, phone, Purpose.GUARDIAN, text)
        if verdict is not Check.OK:
            return ctx.state, phones.ask_code(phone, phones.refusal(verdict), intro="guardian.code_sent")
        return await _agreed(ctx, CODE)
    return ctx.state, _agreement(ctx)  # REG_GUARDIAN_OK: only its buttons answer it


async def _send(ctx: Ctx, phone: str) -> Turn:
    problem = await phones.send_code(ctx, phone, Purpose.GUARDIAN)
    if problem is not None:
        return ctx.state.at(Step.REG_GUARDIAN_PHONE), say(problem, Msg("guardian.ask_phone",
                                                                       guardian=ctx.state.data.get("guardian_name")))
    return ctx.state.at(Step.REG_GUARDIAN_CODE), phones.ask_code(phone, intro="guardian.code_sent")


async def send_again(ctx: Ctx) -> Turn:
    phone = ctx.state.data.get("guardian_phone")
    if ctx.state.step is not Step.REG_GUARDIAN_CODE or not isinstance(phone, str):
        raise Elsewhere()
    return await _send(ctx, phone)


async def on_agreement(ctx: Ctx, yes: bool) -> Turn:
    """The guardian's own press on the agreement screen (no SMS gateway here)."""
    if ctx.state.step is not Step.REG_GUARDIAN_OK:
        raise Elsewhere()
    if not yes:
        return menu(ctx, Msg("guardian.refused"))
    return await _agreed(ctx, DECLARED)


async def _agreed(ctx: Ctx, how: str) -> Turn:
    """The guardian agreed: on to the citizen's own number (or, for a participant registered already,
    their consent is kept and the attempts may start)."""
    state = ctx.state.at(ctx.state.step, guardian_by=how)
    pid = ctx.account.participant_id
    if pid is not None:
        guardian = collected(ctx.with_state(state))
        if guardian is not None:
            await ctx.people.set_guardian(participant_id=pid, guardian=guardian, now=ctx.now)
        return menu(ctx, Msg("guardian.saved"), toast=Msg("toast.saved"))
    return state.at(Step.REG_PHONE), say(Msg("guardian.thanks"), Msg("reg.ask_phone"), request_contact=True)


def collected(ctx: Ctx) -> Guardian | None:
    """The guardian gathered while registering, once they agreed."""
    d = ctx.state.data
    name, phone, how = d.get("guardian_name"), d.get("guardian_phone"), d.get("guardian_by")
    if isinstance(name, str) and isinstance(phone, str) and how in (CODE, DECLARED):
        return Guardian(name, phone, str(how))
    return None


STEPS = frozenset({Step.REG_GUARDIAN_NAME, Step.REG_GUARDIAN_PHONE, Step.REG_GUARDIAN_CODE, Step.REG_GUARDIAN_OK})


def start_for_registered(ctx: Ctx) -> Turn:
    """A participant who may be under 16 and has no guardian's consent yet (registered before it was asked)."""
    if not ctx.registered:
        raise Elsewhere()
    person_name = ctx.state.data.get("name")
    return ctx.state.at(Step.REG_GUARDIAN_NAME, name=person_name), say(
        Msg("guardian.why", age=GUARDIAN_UNDER), Msg("guardian.ask_name"), buttons=(back_to_menu(),))
