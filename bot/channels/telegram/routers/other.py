"""Stickers, photos, voice, documents and the like: a polite hint and the menu (not in groups)."""
from __future__ import annotations

from aiogram import Router
from aiogram.types import Message

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.groups import is_group
from bot.channels.telegram.render import Target
from quiz.conversation.messages import Unsupported


def router(channel: TelegramChannel) -> Router:
    r = Router(name="other")

    @r.message()
    async def other(message: Message) -> None:
        user = message.from_user
        if user is None or is_group(message.chat.type):
            return
        handled = await channel.converse(user, Unsupported(str(message.content_type)))
        await channel.show(handled, Target(message.chat.id))

    return r
