"""A shared contact: the phone number, and whether it is the sender's own."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.types import Message

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.groups import is_group
from bot.channels.telegram.render import Target
from quiz.conversation.messages import Contact


def router(channel: TelegramChannel) -> Router:
    r = Router(name="contacts")

    @r.message(F.contact)
    async def contact(message: Message) -> None:
        user, card = message.from_user, message.contact
        if user is None or card is None or is_group(message.chat.type):
            return  # phone numbers are only taken in the private chat
        own = card.user_id is not None and card.user_id == user.id
        handled = await channel.converse(user, Contact(card.phone_number, own=own))
        await channel.show(handled, Target(message.chat.id))

    return r
