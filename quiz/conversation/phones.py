"""Proving a phone number, and carrying a registration on in a new browser.

A number is verified when the platform vouches for it (Telegram's "share my number" button with the
citizen's own contact; Zalo's user-info form) or when its owner types back a code sent to it by SMS (the
web chat, where an SMS gateway is configured). A verified claim takes a number over from a registration
that only typed it (quiz.identity); otherwise a registered number stays its holder's."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from quiz.conversation.actions import CodeAgain, Data, DataItem
from quiz.conversation.context import Ctx, Elsewhere, Turn, back_to_menu, button, menu, say
from quiz.conversation.messages import Button, Contact, Msg, Outcome, Text
from quiz.conversation.state import Step
from quiz.identity import PhoneSource, takes_over
from quiz.people import Participant, PhoneTaken, normalise_phone
from quiz.verification import Check, Purpose, SendRefused

WEB = "web"
PLATFORMS = {"telegram": PhoneSource.TELEGRAM, "zalo": PhoneSource.ZALO}  # channels that vouch for a number


def shared_source(ctx: Ctx) -> PhoneSource:
    """How a number the platform sent as the citizen's own contact is proven."""
    return PLATFORMS.get(ctx.account.channel, PhoneSource.TYPED)


def proves_by_code(ctx: Ctx) -> bool:
    """Whether a typed number is proven by a code here: the web chat, with an SMS gateway."""
    return ctx.account.channel == WEB and ctx.codes is not None


async def claimable(ctx: Ctx, phone: str, source: PhoneSource) -> bool:
    """Whether this claim may register the number: nobody holds it, or the claim wins it."""
    holder = await ctx.people.holder(phone)
    return holder is None or takes_over(source, PhoneSource.stored(holder.phone_verified_by))


def _minutes(wait: timedelta | None) -> int:
    return max(1, -(-int(wait.total_seconds()) // 60)) if wait else 1


async def send_code(ctx: Ctx, phone: str, purpose: Purpose) -> Msg | None:
    """Send a code to `phone`; None when it went, else what to tell the citizen."""
    codes = ctx.codes
    if codes is None:
        return Msg("code.unavailable")
    try:
        await codes.send(phone=phone, purpose=purpose, address=ctx.asker, now=ctx.now)
    except SendRefused as refused:
        if refused.reason == "too_soon":
            return Msg("code.too_soon", minutes=_minutes(refused.wait))
        if refused.reason == "number_limit":
            return Msg("code.number_limit", minutes=_minutes(refused.wait))
        return Msg("code.address_limit") if refused.reason == "address_limit" else Msg("code.unavailable")
    return None


def ask_code(phone: str, *lead: Msg, intro: str = "code.sent", first: tuple[Button, ...] = ()) -> Outcome:
    """The code screen; `first`: a row of buttons above "Gửi lại mã"."""
    return say(*lead, Msg(intro, phone=phone),
               buttons=(*((first,) if first else ()), (button("code.again", CodeAgain()),), back_to_menu()))


async def check_code(ctx: Ctx, phone: str, purpose: Purpose, typed: str) -> Check:
    codes = ctx.codes
    if codes is None:
        return Check.NONE
    return await codes.confirm(phone=phone, purpose=purpose, typed=typed, now=ctx.now)


def refusal(check: Check) -> Msg:
    """What a code that did not prove the number says, and what to do."""
    return {Check.WRONG: Msg("code.wrong"), Check.EXPIRED: Msg("code.expired")}.get(check, Msg("code.used_up"))


# the own number while registering (the web chat with a gateway)
async def start_proof(ctx: Ctx, phone: str) -> Turn:
    """Send a code to the typed number and wait for it (registration continues once it is typed back)."""
    problem = await send_code(ctx, phone, Purpose.REGISTER)
    if problem is not None:
        return ctx.state.at(Step.REG_PHONE), say(problem, Msg("reg.ask_phone"), request_contact=True)
    return ctx.state.at(Step.REG_CODE, pending_phone=phone), ask_code(phone)


# carrying a registration on in a new browser
def ask_recovery_phone(ctx: Ctx) -> Turn:
    if ctx.registered or not proves_by_code(ctx):
        raise Elsewhere()
    return ctx.state.at(Step.RECOVER_PHONE, recover_phone=None), say(Msg("recover.ask_phone"),
                                                                     buttons=(back_to_menu(),))


async def on_recover(ctx: Ctx) -> Turn:
    """"Tôi đã đăng ký": ask for the number, then send the code to it."""
    if ctx.registered or not proves_by_code(ctx):
        raise Elsewhere()
    if ctx.state.step is not Step.RECOVER_PHONE:
        return ask_recovery_phone(ctx)
    phone = ctx.state.data.get("recover_phone")
    if not isinstance(phone, str):
        return ask_recovery_phone(ctx)
    problem = await send_code(ctx, phone, Purpose.RECOVER)
    if problem is not None:
        return ctx.state, say(problem, buttons=(back_to_menu(),))
    return ctx.state.at(Step.RECOVER_CODE), ask_code(phone, intro="recover.sent")


async def on_recovery_text(ctx: Ctx, text: str) -> Turn:
    if ctx.state.step is Step.RECOVER_PHONE:
        phone = normalise_phone(text)
        if phone is None:
            return ctx.state, say(Msg("reg.bad_phone"), buttons=(back_to_menu(),))
        if await ctx.people.holder(phone) is None:
            return ctx.state, say(Msg("recover.unknown", phone=phone), buttons=(back_to_menu(),))
        return await on_recover(ctx.with_state(ctx.state.at(Step.RECOVER_PHONE, recover_phone=phone)))
    phone = str(ctx.state.data.get("recover_phone") or "")
    verdict = await check_code(ctx, phone, Purpose.RECOVER, text)
    if verdict is not Check.OK:
        return ctx.state, ask_code(phone, refusal(verdict), intro="recover.sent")
    person = await ctx.people.recover(account_id=ctx.account.id, phone=phone, now=ctx.now)
    if person is None:
        return menu(ctx, Msg("recover.unknown", phone=phone))
    back = ctx.with_account(replace(ctx.account, participant_id=person.id))
    return menu(back, Msg("recover.done", name=person.full_name), toast=Msg("toast.saved"))


async def on_code_again(ctx: Ctx) -> Turn:
    """"Gửi lại mã": a new code to the number being proven."""
    step = ctx.state.step
    if step is Step.RECOVER_CODE:
        return await on_recover(ctx.with_state(ctx.state.at(Step.RECOVER_PHONE)))
    if step is Step.PROVE_CODE:
        other = _replacing(ctx)
        person = await _unproven(ctx)
        if other is None or person is None:
            return await on_prove(ctx)
        problem = await send_code(ctx, other, Purpose.PROVE)  # a new code to the number replacing theirs
        return ctx.state, ask_proof_code(ctx, person, *(problem,) if problem else (), again=problem is not None)
    if step is Step.REG_CODE:
        phone = ctx.state.data.get("pending_phone")
        if isinstance(phone, str):
            return await start_proof(ctx, phone)
    raise Elsewhere()


# the registered number proven later: one typed when registering (on Telegram or Zalo, where the share
# button was not used), which a contest may not rank or reward until it is proven (quiz.identity)
PROVING = (Step.PROVE_PHONE, Step.PROVE_CODE, Step.PROVE_REPLACE, Step.PROVE_NEW)
REPLACING = "replace_phone"  # state data: the number to take the typed one's place (shared, or sent a code)


def proves_here(ctx: Ctx) -> bool:
    """Whether a registered number can be proven here: the platform's share button in its own chat (not in
    a page such as the Telegram Mini App), or a code."""
    return (ctx.account.channel in PLATFORMS and not ctx.page) or proves_by_code(ctx)


def typed_number(person: Participant) -> bool:
    """Whether the participant's number was only typed, never proven."""
    return bool(person.phone) and not person.phone_verified_by and not person.erased


def may_prove(ctx: Ctx, person: Participant) -> bool:
    """Whether "Xác minh số điện thoại" is offered: a number only typed, here where it can be proven."""
    return typed_number(person) and proves_here(ctx)


async def _unproven(ctx: Ctx) -> Participant | None:
    pid = ctx.account.participant_id
    person = await ctx.people.participant(pid) if pid is not None else None
    return person if person is not None and may_prove(ctx, person) else None


async def on_prove(ctx: Ctx) -> Turn:
    """"Xác minh số điện thoại": the platform's share button, or a code sent to the number."""
    person = await _unproven(ctx)
    if person is None or person.phone is None:
        raise Elsewhere()  # proven already (an old button), or nothing to prove here
    if not proves_by_code(ctx):  # the platform's share button
        return ctx.state.at(Step.PROVE_PHONE), say(Msg("prove.share", phone=person.phone), request_contact=True)
    problem = await send_code(ctx, person.phone, Purpose.PROVE)
    if problem is not None:
        return ctx.state.idle(), say(problem, buttons=(back_to_menu(),))
    proving = ctx.state.at(Step.PROVE_CODE, **{REPLACING: None})
    return proving, ask_proof_code(ctx.with_state(proving), person)


def _replacing(ctx: Ctx) -> str | None:
    shared = ctx.state.data.get(REPLACING)
    return shared if isinstance(shared, str) else None


def ask_proof_code(ctx: Ctx, person: Participant, *lead: Msg, again: bool = False) -> Outcome:
    """The code screen: for the registered number, with a way out when that number is not theirs (a slip of
    the finger: the code cannot reach them), or for the number that is to replace it."""
    other = _replacing(ctx)
    if other is not None:
        return ask_code(other, *lead, intro="recover.sent" if again else "prove.other_sent")
    return ask_code(person.phone or "", *lead, intro="recover.sent" if again else "code.sent",
                    first=(button("prove.not_mine", Data(DataItem.PROVE_OTHER), phone=person.phone),))


async def ask_other_number(ctx: Ctx) -> Turn:
    """"Số … không phải của tôi": the number the code should go to instead."""
    person = await _unproven(ctx)
    if person is None or ctx.state.step is not Step.PROVE_CODE or not proves_by_code(ctx):
        raise Elsewhere()
    return ctx.state.at(Step.PROVE_NEW, **{REPLACING: None}), _ask_new(person)


def _ask_new(person: Participant, *lead: Msg) -> Outcome:
    return say(*lead, Msg("prove.ask_other", typed=person.phone), buttons=(back_to_menu(),))


async def _other_typed(ctx: Ctx, person: Participant, text: str) -> Turn:
    """The number typed at PROVE_NEW: a code to it, unless another registration proved it."""
    phone = normalise_phone(text)
    if phone is None:
        return ctx.state, _ask_new(person, Msg("reg.bad_phone"))
    if phone == person.phone:  # the registered number after all: its code went a moment ago
        proving = ctx.state.at(Step.PROVE_CODE, **{REPLACING: None})
        return proving, ask_proof_code(ctx.with_state(proving), person, again=True)
    if not await claimable(ctx, phone, PhoneSource.CODE):
        return ctx.state, _ask_new(person, Msg("prove.replace_taken", phone=phone))
    problem = await send_code(ctx, phone, Purpose.PROVE)
    if problem is not None:
        return ctx.state, _ask_new(person, problem)
    proving = ctx.state.at(Step.PROVE_CODE, **{REPLACING: phone})
    return proving, ask_proof_code(ctx.with_state(proving), person)


async def reask_proof(ctx: Ctx) -> Turn:
    """The proof under way, asked again as it stands (no new code is sent)."""
    person = await _unproven(ctx)
    if person is None or person.phone is None:
        return menu(ctx)
    if ctx.state.step is Step.PROVE_CODE:
        return ctx.state, ask_proof_code(ctx, person, again=True)
    if ctx.state.step is Step.PROVE_NEW:
        return ctx.state, _ask_new(person)
    shared = _replacing(ctx)
    if ctx.state.step is Step.PROVE_REPLACE and shared is not None:
        return ctx.state, ask_replace(person, shared)
    return ctx.state, say(Msg("prove.share", phone=person.phone), request_contact=True)


def ask_replace(person: Participant, shared: str) -> Outcome:
    return say(Msg("prove.replace_ask", phone=shared, typed=person.phone), buttons=(
        (button("prove.replace_yes", Data(DataItem.PROVE_REPLACE), phone=shared),), back_to_menu()))


async def offer_replace(ctx: Ctx, person: Participant, shared: str) -> Turn:
    """The platform vouches for another number than the one typed when registering (mistyped, or changed
    since): offer to register that one instead, unless another registration proved it."""
    if not await claimable(ctx, shared, shared_source(ctx)):
        return ctx.state.at(Step.PROVE_PHONE), say(Msg("prove.replace_taken", phone=shared), request_contact=True)
    return ctx.state.at(Step.PROVE_REPLACE, **{REPLACING: shared}), ask_replace(person, shared)


async def replace_typed(ctx: Ctx) -> Turn:
    """"✓ Dùng số …": the shared number takes the typed one's place, proven."""
    person, shared = await _unproven(ctx), _replacing(ctx)
    if ctx.state.step is not Step.PROVE_REPLACE or person is None or shared is None:
        raise Elsewhere()  # an old button, or proven meanwhile
    return await _replace(ctx, person, shared, shared_source(ctx))


async def _replace(ctx: Ctx, person: Participant, shared: str, source: PhoneSource) -> Turn:
    try:
        replaced = await ctx.people.replace_phone(participant_id=person.id, phone=shared, source=source, now=ctx.now)
    except PhoneTaken:
        return menu(ctx, Msg("prove.replace_taken", phone=shared))
    if not replaced:
        return menu(ctx, Msg("prove.already"))
    return menu(ctx, Msg("prove.replaced", phone=shared, typed=person.phone), toast=Msg("toast.saved"))


async def on_prove_input(ctx: Ctx, event: Text | Contact) -> Turn:
    """A shared contact, or the code typed back, while proving the registered number."""
    person = await _unproven(ctx)
    if person is None or person.phone is None:
        return menu(ctx, Msg("prove.already"))
    if isinstance(event, Contact):
        if ctx.account.channel not in PLATFORMS or not event.own:
            return ctx.state, say(Msg("prove.share", phone=person.phone), request_contact=True)
        shared = normalise_phone(event.phone)
        if shared is None:  # not a Vietnamese mobile number: no registration can use it
            return ctx.state, say(Msg("prove.other_number", phone=person.phone), request_contact=True)
        if shared != person.phone:
            return await offer_replace(ctx, person, shared)
        source = shared_source(ctx)
    elif ctx.state.step is Step.PROVE_CODE:
        other = _replacing(ctx)
        verdict = await check_code(ctx, other or person.phone, Purpose.PROVE, event.text)
        if verdict is not Check.OK:
            return ctx.state, ask_proof_code(ctx, person, refusal(verdict), again=True)
        if other is not None:
            return await _replace(ctx, person, other, PhoneSource.CODE)
        source = PhoneSource.CODE
    elif ctx.state.step is Step.PROVE_NEW:
        return await _other_typed(ctx, person, event.text)
    elif ctx.state.step is Step.PROVE_REPLACE:  # typed while asked to confirm: the question again
        return await reask_proof(ctx)
    else:  # a number typed where the platform's button proves it
        return ctx.state, say(Msg("prove.press_share", phone=person.phone), request_contact=True)
    await ctx.people.verify_phone(participant_id=person.id, source=source)
    return menu(ctx, Msg("prove.done", phone=person.phone), toast=Msg("toast.saved"))
