"""The command menu Telegram shows next to the text field, in Vietnamese and English."""
from __future__ import annotations

from aiogram.methods import SetMyCommands
from aiogram.types import BotCommand

from bot.channels.telegram.sender import Sender
from bot.i18n import Translator
from quiz.conversation.messages import Msg
from quiz.model import LOCALES

MENU = {
    "start": Msg("telegram.cmd.start"),
    "help": Msg("telegram.cmd.help"),
    "thele": Msg("telegram.cmd.thele"),
    "meo": Msg("telegram.cmd.meo"),
    "ketqua": Msg("telegram.cmd.ketqua"),
    "bxh": Msg("telegram.cmd.bxh"),
    "ngonngu": Msg("telegram.cmd.ngonngu"),
}
DEFAULT_LOCALE = "vi"  # for people whose Telegram speaks neither language


def bot_commands(translator: Translator, locale: str) -> list[BotCommand]:
    return [BotCommand(command=name, description=translator.text(msg, locale)) for name, msg in MENU.items()]


async def publish_commands(sender: Sender, translator: Translator) -> None:
    """setMyCommands per language, and a default list for every other language."""
    for locale in LOCALES:
        await sender.send(SetMyCommands(commands=bot_commands(translator, locale), language_code=locale), paced=False)
    await sender.send(SetMyCommands(commands=bot_commands(translator, DEFAULT_LOCALE)), paced=False)
