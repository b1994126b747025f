"""Engine replies as Telegram messages: plain text, inline keyboards, the pressed message edited in place."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from aiogram.exceptions import AiogramError, TelegramBadRequest
from aiogram.methods import DeleteMessage, EditMessageReplyMarkup, EditMessageText, SendMessage
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.channels.telegram.keyboards import inline_keyboard, phone_keyboard
from bot.channels.telegram.sender import Sender
from bot.i18n import Translator
from quiz.conversation.actions import Action
from quiz.conversation.messages import Msg, Outcome, Reply

log = logging.getLogger(__name__)
TEXT_LIMIT = 4096  # characters in one Telegram message
KEYBOARD_CLOSED = Msg("telegram.keyboard_closed")
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


@dataclass(frozen=True, slots=True)
class Target:
    """Where replies go: the chat, whether it is a group, and the message whose button was pressed."""

    chat_id: int
    group: bool = False
    pressed: int | None = None


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut at line ends where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*pieces, text]


class Renderer:
    def __init__(self, translator: Translator, sender: Sender, *, mini_app: str | None = None) -> None:
        self.translator, self.sender = translator, sender
        self.mini_app = mini_app  # where "📝 Thi ngay" opens the attempt as a Telegram Mini App, if anywhere
        self._phone_keyboard_up: set[int] = set()  # chats that may still show the phone keyboard

    async def show(self, outcome: Outcome, locale: str, target: Target) -> None:
        pressed = target.pressed
        if outcome.stale and pressed is not None:
            # The pressed keyboard no longer applies: it goes, and the real screen comes as a new message.
            await self.sender.send(EditMessageReplyMarkup(chat_id=target.chat_id, message_id=pressed,
                                                          reply_markup=None), paced=False)
            pressed = None
        keep: Callable[[Action], bool] = (lambda action: action.public) if target.group else (lambda action: True)
        for reply in outcome.replies:
            text = self.text(reply, locale)
            inline = inline_keyboard(reply.buttons, self.translator, locale, keep=keep, mini_app=self.mini_app)
            if reply.replace and pressed is not None and not reply.request_contact:
                edited = await self._edit(target.chat_id, pressed, text, inline)
                pressed = None  # one message is edited in place; later replies are new messages
                if edited:
                    continue
            await self._send(target.chat_id, text, await self._markup(target.chat_id, reply, inline, locale))

    def text(self, reply: Reply, locale: str) -> str:
        return "\n\n".join(self.translator.text(part, locale) for part in reply.parts)

    async def _markup(self, chat_id: int, reply: Reply, inline: InlineKeyboardMarkup | None,
                      locale: str) -> Markup | None:
        """The phone keyboard when asked for; otherwise the inline keyboard, closing the phone keyboard first."""
        if reply.request_contact:
            self._phone_keyboard_up.add(chat_id)
            return phone_keyboard(self.translator, locale)
        if chat_id not in self._phone_keyboard_up:
            return inline
        self._phone_keyboard_up.discard(chat_id)
        if inline is None:
            return ReplyKeyboardRemove()
        # One message cannot carry both; a short note closes the phone keyboard and is deleted at once.
        note = await self.sender.send(SendMessage(chat_id=chat_id, text=self.translator.text(KEYBOARD_CLOSED, locale),
                                                  reply_markup=ReplyKeyboardRemove()))
        if note is not None:
            await self.sender.send(DeleteMessage(chat_id=chat_id, message_id=note.message_id), paced=False)
        return inline

    async def _send(self, chat_id: int, text: str, markup: Markup | None) -> None:
        pieces = split_text(text)
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            await self.sender.send(SendMessage(chat_id=chat_id, text=piece, reply_markup=markup if last else None))

    async def _edit(self, chat_id: int, message_id: int, text: str, inline: InlineKeyboardMarkup | None) -> bool:
        if len(text) > TEXT_LIMIT:
            return False
        try:
            await self.sender.call(EditMessageText(chat_id=chat_id, message_id=message_id, text=text,
                                                   reply_markup=inline))
        except TelegramBadRequest as exc:
            if "not modified" in exc.message:  # a double tap re-rendering the same question
                return True
            log.warning("telegram: message %s in chat %s not edited (%s); sending a new one", message_id, chat_id, exc)
            return False
        except AiogramError as exc:
            log.warning("telegram: message %s in chat %s not edited (%s); sending a new one", message_id, chat_id, exc)
            return False
        return True
