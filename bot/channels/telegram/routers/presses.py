"""Inline button presses: versioned callback data in, a toast always, the question edited in place."""
from __future__ import annotations

import logging

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.channels.telegram.callback_data import BadCallbackData, decode
from bot.channels.telegram.channel import PRIVATE_ONLY_TOAST, TelegramChannel
from bot.channels.telegram.groups import is_group
from bot.channels.telegram.render import Target
from quiz.conversation.engine import guess_locale
from quiz.conversation.messages import Msg, Press

log = logging.getLogger(__name__)
STALE = Msg("toast.stale")


def router(channel: TelegramChannel) -> Router:
    r = Router(name="presses")

    @r.callback_query()
    async def press(callback: CallbackQuery) -> None:
        user, message = callback.from_user, callback.message
        try:
            action = decode(callback.data)
        except BadCallbackData:
            log.warning("telegram: unknown button data (%d characters) from user %s", len(callback.data or ""), user.id)
            await channel.answer(callback, STALE, guess_locale(user.language_code))
            return
        group = message is not None and is_group(message.chat.type)
        if group and message is not None and not action.public:
            await channel.answer(callback, PRIVATE_ONLY_TOAST, guess_locale(user.language_code))
            await channel.send_to_private(message.chat.id, user)
            return
        handled = await channel.converse(user, Press(action), group=group)
        await channel.answer(callback, handled.outcome.toast, handled.locale)
        if message is not None:
            pressed = message.message_id if isinstance(message, Message) else None
            await channel.show(handled, Target(message.chat.id, group=group, pressed=pressed))

    return r
