"""Linking chat accounts: a code shown on the channel where one registered, typed on another."""
from __future__ import annotations

import logging
from dataclasses import replace

from quiz.conversation.actions import LinkAskCode, LinkConfirm, Menu
from quiz.conversation.context import Ctx, Elsewhere, Turn, back_to_menu, button, menu, say
from quiz.conversation.messages import Msg
from quiz.conversation.state import Step
from quiz.linking import CODE_TTL, LinkRefused, Refusal, normalise_code, shown
from quiz.privacy import public_name

log = logging.getLogger(__name__)
COMMANDS = ("lienket", "link")
CHANNELS = {"telegram": Msg("channel.telegram"), "zalo": Msg("channel.zalo"), "web": Msg("channel.web"),
            "console": Msg("channel.console")}


async def offer(ctx: Ctx) -> Turn:
    """My data → Link accounts: a registered citizen gets a code to type elsewhere; anyone else types one."""
    pid = ctx.account.participant_id
    if pid is None:
        return ask_code(ctx)
    link = await ctx.people.issue_link_code(participant_id=pid, now=ctx.now)
    minutes = int(CODE_TTL.total_seconds() // 60)
    return ctx.state.idle(), say(Msg("link.code", code=shown(link.code), minutes=minutes, expires=link.expires_at),
                                 buttons=(back_to_menu(),))


def ask_code(ctx: Ctx) -> Turn:
    return ctx.state.at(Step.LINK_CODE), say(Msg("link.ask_code"), buttons=(back_to_menu(),))


async def command(ctx: Ctx, arg: str) -> Turn:
    """/lienket gives or asks for a code; /lienket CODE uses one."""
    return await on_code(ctx, arg) if arg.strip() else await offer(ctx)


async def on_code(ctx: Ctx, text: str) -> Turn:
    """A typed code: say whose account it joins and ask to confirm; nothing is linked yet."""
    code = normalise_code(text)
    if code is None:
        return ctx.state.at(Step.LINK_CODE), say(Msg("link.bad_code"), buttons=(back_to_menu(),))
    try:
        person = await ctx.people.link_target(account_id=ctx.account.id, code=code, now=ctx.now)
    except LinkRefused as no:
        return refused(ctx, no)
    return ctx.state.at(Step.LINK_CONFIRM, code=code), say(
        Msg("link.confirm", name=public_name(person.full_name), channel=_channel(ctx.account.channel)),
        buttons=((button("link.yes", LinkConfirm()), button("link.cancel", Menu())),))


async def on_press(ctx: Ctx, action: LinkAskCode | LinkConfirm) -> Turn:
    """LinkAskCode asks for a code; LinkConfirm confirms the link offered by the code typed before."""
    if isinstance(action, LinkAskCode):
        return ask_code(ctx)
    code = ctx.state.data.get("code")
    if ctx.state.step != Step.LINK_CONFIRM or not isinstance(code, str):
        raise Elsewhere()
    try:
        person = await ctx.people.link_account(account_id=ctx.account.id, code=code, now=ctx.now)
    except LinkRefused as no:
        return refused(ctx, no)
    linked = Ctx(ctx.services, replace(ctx.account, participant_id=person.id), ctx.state, ctx.now, ctx.locale)
    return menu(linked, Msg("link.done", name=person.full_name), toast=Msg("toast.saved"))


def refused(ctx: Ctx, no: LinkRefused) -> Turn:
    if no.refusal is Refusal.INVALID:
        log.warning("link code refused for account %s", ctx.account.id)  # many of these: someone guessing
        return menu(ctx, Msg("link.invalid"))
    if no.refusal is Refusal.ALREADY:
        return menu(ctx, Msg("link.already"))
    if no.refusal is Refusal.OWN:
        return menu(ctx, Msg("link.own"))
    return menu(ctx, Msg("link.channel_taken", channel=_channel(no.channel or ctx.account.channel)))


def _channel(name: str) -> Msg | str:
    return CHANNELS.get(name, name)
