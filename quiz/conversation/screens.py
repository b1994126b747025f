"""Where a conversation really stands, shown again.

Opening the chat again, a button that no longer applies, a language switch, a sticker: each answers
with the screen the citizen is really on (the running attempt, the registration step, the question
asked) instead of starting anything over."""
from __future__ import annotations

from dataclasses import replace

from quiz.conversation import consent, guardian, linking, personal, phones, playing, registration
from quiz.conversation.context import Ctx, Turn, menu, registering
from quiz.conversation.messages import Msg, Reply
from quiz.conversation.state import Step


async def current(ctx: Ctx, *, note: Msg | None = None, opening: bool = False) -> Turn:
    """The screen the citizen is on. `note` comes first; `opening` (a start, a reload) offers a running
    attempt with its time left rather than dropping the citizen into the question."""
    step = ctx.state.step
    if registering(ctx):
        return _noted(note, registration.reask(ctx, again=opening))
    if ctx.registered:
        att = await playing.open_attempt(ctx)
        if att is not None:
            turn = await (playing.resume_prompt(ctx, att) if opening else playing.show_current(ctx, att))
            return _noted(note, turn)
        ended = await playing.just_ended(ctx)
        if ended is not None:
            return _noted(note, await playing.finish(ctx, ended.id, toast=Msg("toast.time_up")))
    if step is Step.CONSENT:
        return _noted(note, consent.reask(ctx))
    if step is Step.LINK_CODE or step is Step.LINK_CONFIRM:
        return _noted(note, linking.ask_code(ctx))
    if step is Step.ERASE_CONFIRM and ctx.registered:
        return _noted(note, personal.confirm_erase(ctx))
    if step is Step.WITHDRAW_CONFIRM and ctx.registered:
        return _noted(note, personal.confirm_withdraw(ctx))
    if step in guardian.STEPS and ctx.registered:
        return _noted(note, (ctx.state, guardian.reask(ctx)))
    if step in (Step.RECOVER_PHONE, Step.RECOVER_CODE) and not ctx.registered and phones.proves_by_code(ctx):
        return _noted(note, phones.ask_recovery_phone(ctx))
    if step in phones.PROVING and ctx.registered:
        return _noted(note, await phones.reask_proof(ctx))
    return menu(ctx, note) if note is not None else menu(ctx)


def _noted(note: Msg | None, turn: Turn) -> Turn:
    """The note as a message of its own before the screen, so the screen itself is shown as always."""
    if note is None:
        return turn
    state, outcome = turn
    return state, replace(outcome, replies=(Reply((note,)), *outcome.replies))
