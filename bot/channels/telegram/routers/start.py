"""/start [code]: the first contact; a deep link carries a unit or referral code."""
from __future__ import annotations

from aiogram import Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import Message

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.groups import is_group
from bot.channels.telegram.render import Target
from quiz.conversation.messages import Start


def router(channel: TelegramChannel) -> Router:
    r = Router(name="start")

    @r.message(CommandStart())
    async def start(message: Message, command: CommandObject) -> None:
        user, payload = message.from_user, command.args
        if user is None:
            return
        if is_group(message.chat.type):  # registration needs the private chat
            await channel.send_to_private(message.chat.id, user, payload)
            return
        handled = await channel.converse(user, Start(payload))
        await channel.show(handled, Target(message.chat.id))

    return r
