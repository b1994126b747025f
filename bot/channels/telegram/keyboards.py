"""Telegram keyboards from the engine's buttons: inline rows, the phone-number keyboard, a link."""
from __future__ import annotations

import logging
from collections.abc import Callable

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup, WebAppInfo

from bot.channels.telegram.callback_data import BadCallbackData, encode
from bot.i18n import Translator
from quiz.conversation.actions import Action, Menu, MenuItem, WebPage
from quiz.conversation.messages import Button, Msg

log = logging.getLogger(__name__)
SHARE_PHONE = Msg("telegram.share_phone")
PLAY = Menu(MenuItem.PLAY)
PLAY_IN_CHAT = Msg("telegram.play_in_chat")


def inline_keyboard(rows: tuple[tuple[Button, ...], ...], translator: Translator, locale: str, *,
                    keep: Callable[[Action], bool] = lambda action: True,
                    mini_app: str | None = None) -> InlineKeyboardMarkup | None:
    """The engine's button rows, keeping only actions `keep` accepts; None when nothing is left. With a
    `mini_app` address, "📝 Thi ngay" opens the attempt there, beside a button that plays in the chat."""
    keyboard: list[list[InlineKeyboardButton]] = []
    for row in rows:
        cells: list[InlineKeyboardButton] = []
        for b in row:
            if not keep(b.action):
                continue
            label = translator.text(b.label, locale)
            if mini_app and b.action == PLAY:  # a row of their own: two long labels side by side
                if cells:
                    keyboard.append(cells)
                cells = []
                keyboard.append([InlineKeyboardButton(text=label, web_app=WebAppInfo(url=mini_app)),
                                 InlineKeyboardButton(text=translator.text(PLAY_IN_CHAT, locale),
                                                      callback_data=encode(PLAY))])
                continue
            if isinstance(b.action, WebPage):
                cells.append(InlineKeyboardButton(text=label, url=b.action.url))
                continue
            try:
                data = encode(b.action)
            except BadCallbackData:
                log.error("telegram: a %s button left out, its action is too long", type(b.action).__name__)
                continue
            cells.append(InlineKeyboardButton(text=label, callback_data=data))
        if cells:
            keyboard.append(cells)
    return InlineKeyboardMarkup(inline_keyboard=keyboard) if keyboard else None


def phone_keyboard(translator: Translator, locale: str) -> ReplyKeyboardMarkup:
    """One button that shares the citizen's own number; hidden again once used."""
    share = KeyboardButton(text=translator.text(SHARE_PHONE, locale), request_contact=True)
    return ReplyKeyboardMarkup(keyboard=[[share]], resize_keyboard=True, one_time_keyboard=True)


def link_keyboard(label: str, url: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=label, url=url)]])
