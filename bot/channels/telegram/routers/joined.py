"""The bot added to a group: it says what it does there, and where registering and attempts happen."""
from __future__ import annotations

from aiogram import Router
from aiogram.filters import JOIN_TRANSITION, ChatMemberUpdatedFilter
from aiogram.methods import SendMessage
from aiogram.types import ChatMemberUpdated

from bot.channels.telegram.channel import OPEN_PRIVATE, TelegramChannel
from bot.channels.telegram.groups import is_group
from bot.channels.telegram.keyboards import link_keyboard
from quiz.conversation.engine import guess_locale
from quiz.conversation.messages import Msg


def router(channel: TelegramChannel) -> Router:
    r = Router(name="joined")

    @r.my_chat_member(ChatMemberUpdatedFilter(member_status_changed=JOIN_TRANSITION))
    async def joined(update: ChatMemberUpdated) -> None:
        if not is_group(update.chat.type):
            return
        locale = guess_locale(update.from_user.language_code if update.from_user else None)
        t = channel.translator
        text = t.text(Msg("telegram.group_intro", title=channel.contest_title), locale)
        markup = link_keyboard(t.text(OPEN_PRIVATE, locale), channel.private_link())
        await channel.sender.send(SendMessage(chat_id=update.chat.id, text=text, reply_markup=markup))

    return r
