"""All routers of the Telegram channel, in the order updates try them."""
from __future__ import annotations

from collections.abc import Collection

from aiogram import Dispatcher

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.routers import admin_import, contacts, joined, other, presses, report, start, text
from bot.reports.daily import DailyReports
from quiz.services.imports import Imports

ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]  # the last: being added to a group


def build_dispatcher(channel: TelegramChannel, *, imports: Imports | None = None,
                     admins: Collection[int] = (), reports: DailyReports | None = None,
                     organiser_chat_id: int | None = None) -> Dispatcher:
    """An aiogram Dispatcher whose handlers all speak to `channel` (no FSM: state lives in the engine).
    With an import desk, question files from the `admins` (Telegram user ids) are checked and published."""
    dp = Dispatcher(disable_fsm=True)
    if reports is not None:  # /baocao for the `admins`, in the organisers' chat; before the engine's commands
        dp.include_router(report.router(channel, reports, admins=admins, chat_id=organiser_chat_id))
    if imports is not None and admins:
        dp.include_router(admin_import.router(channel, imports, admins))  # before presses and other
    dp.include_routers(start.router(channel), text.router(channel), contacts.router(channel),
                       presses.router(channel), joined.router(channel), other.router(channel))
    return dp
