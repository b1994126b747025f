"""/baocao in the organisers' chat: the daily report on demand, for Telegram admins only."""
from __future__ import annotations

import logging
from collections.abc import Collection

from aiogram import F, Router
from aiogram.methods import SendMessage
from aiogram.types import Message

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.groups import command_name
from bot.failures import traceback_without_messages
from bot.reports.daily import DailyReports
from quiz.conversation.engine import guess_locale
from quiz.conversation.messages import Msg

log = logging.getLogger(__name__)
COMMAND = "baocao"


def router(channel: TelegramChannel, reports: DailyReports, *, admins: Collection[int], chat_id: int | None) -> Router:
    r = Router(name="report")

    @r.message(F.text.regexp(rf"^/{COMMAND}(@\w+)?(\s|$)"))
    async def baocao(message: Message) -> None:
        name, mention = command_name(message.text or "")
        user = message.from_user
        if name != COMMAND or user is None or (mention is not None and mention.lower() != channel.username.lower()):
            return
        locale = guess_locale(user.language_code)
        if user.id not in admins or chat_id is None or message.chat.id != chat_id:
            log.info("telegram: /baocao refused for user %s in chat %s", user.id, message.chat.id)
            await _say(channel, message.chat.id, Msg("report.refused"), locale)
            return
        try:
            await reports.send(channel.sender, chat_id, await reports.build(now=channel.dispatcher.clock()))
        except Exception as exc:  # logged; the organisers hear that it did not work
            log.error("telegram: /baocao could not build or send the report\n%s", traceback_without_messages(exc))
            await _say(channel, chat_id, Msg("report.failed"), locale)

    return r


async def _say(channel: TelegramChannel, chat_id: int, msg: Msg, locale: str) -> None:
    await channel.sender.send(SendMessage(chat_id=chat_id, text=channel.translator.text(msg, locale)))
