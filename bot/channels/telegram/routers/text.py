"""Typed text and commands; in groups only the public commands (rules, tips, leaderboard)."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.types import Message

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.groups import command_name, group_command_allowed, is_group
from bot.channels.telegram.render import Target
from quiz.conversation.engine import COMMANDS
from quiz.conversation.messages import Text


def router(channel: TelegramChannel) -> Router:
    r = Router(name="text")

    @r.message(F.text)
    async def text(message: Message) -> None:
        user, body, group = message.from_user, message.text or "", is_group(message.chat.type)
        if user is None:
            return
        if group:
            name, mention = command_name(body)
            if not name or (mention is not None and mention.lower() != channel.username.lower()):
                return  # people chatting, or a command for another bot
            if not group_command_allowed(name):
                if name in COMMANDS:
                    await channel.send_to_private(message.chat.id, user)
                return
        handled = await channel.converse(user, Text(body), group=group)
        await channel.show(handled, Target(message.chat.id, group=group))

    return r
