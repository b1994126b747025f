"""Engine replies as Telegram messages: plain text, inline keyboards, the pressed message edited in place."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiogram.methods import EditMessageReplyMarkup, EditMessageText, SendMessage
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.channels.telegram.keyboards import inline_keyboard, phone_keyboard
from bot.channels.telegram.plan import EDIT, NOTE, QUIET, SEND, Step, carry_out
from bot.channels.telegram.sender import Sender
from bot.i18n import Translator
from quiz.conversation.actions import Action
from quiz.conversation.messages import Msg, Outcome, Reply

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
    """Plans the Bot API calls that show an outcome (`plan`, no I/O), or shows it at once (`show`)."""

    def __init__(self, translator: Translator, sender: Sender, *, mini_app: str | None = None) -> None:
        self.translator, self.sender = translator, sender
        self.mini_app = mini_app  # where "📝 Thi ngay" opens the attempt as a Telegram Mini App, if anywhere

    async def show(self, outcome: Outcome, locale: str, target: Target) -> None:
        await carry_out(self.plan(outcome, locale, target), self.sender)

    def plan(self, outcome: Outcome, locale: str, target: Target) -> list[Step]:
        steps: list[Step] = []
        pressed = target.pressed
        if (outcome.stale or outcome.closes_contact) and pressed is not None:
            # The pressed keyboard no longer applies: it goes, and the real screen comes as a new message (one
            # that can also take the phone keyboard away, which an edit cannot).
            steps.append(Step(QUIET, EditMessageReplyMarkup(chat_id=target.chat_id, message_id=pressed,
                                                            reply_markup=None)))
            pressed = None
        keep: Callable[[Action], bool] = (lambda action: action.public) if target.group else (lambda action: True)
        closing = outcome.closes_contact  # the phone keyboard is up and goes with the first message that can take it
        for reply in outcome.replies:
            text = self.text(reply, locale)
            inline = inline_keyboard(reply.buttons, self.translator, locale, keep=keep, mini_app=self.mini_app)
            if reply.replace and pressed is not None and not reply.request_contact:
                message, pressed = pressed, None  # one message is edited in place; later replies are new messages
                if len(text) <= TEXT_LIMIT:  # if the edit fails, one new message (plan.as_new_message), leaving
                    # a phone keyboard as it is
                    edit = EditMessageText(chat_id=target.chat_id, message_id=message, text=text, reply_markup=inline)
                    steps.append(Step(EDIT, edit))
                    continue
            steps += self._markup(target.chat_id, reply, text, inline, locale, close=closing)
            closing = False
        return steps

    def text(self, reply: Reply, locale: str) -> str:
        return "\n\n".join(self.translator.text(part, locale) for part in reply.parts)

    def _markup(self, chat_id: int, reply: Reply, text: str, inline: InlineKeyboardMarkup | None,
                locale: str, *, close: bool) -> list[Step]:
        """The reply with the phone keyboard when asked for; otherwise with the inline keyboard, closing the
        phone keyboard first."""
        if reply.request_contact:
            return self._pieces(chat_id, text, phone_keyboard(self.translator, locale))
        if not close:
            return self._pieces(chat_id, text, inline)
        if inline is None:
            return self._pieces(chat_id, text, ReplyKeyboardRemove())
        # One message cannot carry both; a short note closes the phone keyboard and is deleted at once.
        note = SendMessage(chat_id=chat_id, text=self.translator.text(KEYBOARD_CLOSED, locale),
                           reply_markup=ReplyKeyboardRemove())
        return [Step(NOTE, note), *self._pieces(chat_id, text, inline)]

    @staticmethod
    def _pieces(chat_id: int, text: str, markup: Markup | None) -> list[Step]:
        pieces = split_text(text)
        return [Step(SEND, SendMessage(chat_id=chat_id, text=piece, reply_markup=markup if i == len(pieces) - 1
                                       else None)) for i, piece in enumerate(pieces)]
