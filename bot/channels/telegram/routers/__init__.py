"""All routers of the Telegram channel, in the order updates try them."""
from __future__ import annotations

from aiogram import Dispatcher

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.routers import contacts, other, presses, start, text

ALLOWED_UPDATES = ["message", "callback_query"]


def build_dispatcher(channel: TelegramChannel) -> Dispatcher:
    """An aiogram Dispatcher whose handlers all speak to `channel` (no FSM: state lives in the engine)."""
    dp = Dispatcher(disable_fsm=True)
    dp.include_routers(start.router(channel), text.router(channel), contacts.router(channel),
                       presses.router(channel), other.router(channel))
    return dp
