"""The Telegram channel's one seam to the engine: who is talking, what they did, what to show."""
from __future__ import annotations

import logging
import re

from aiogram.methods import AnswerCallbackQuery, SendMessage
from aiogram.types import CallbackQuery, User

from bot.channels.telegram.keyboards import link_keyboard
from bot.channels.telegram.plan import saying
from bot.channels.telegram.render import Renderer, Target
from bot.channels.telegram.sender import Sender
from bot.dispatch import Dispatcher, Handled
from bot.failures import traceback_without_messages
from bot.i18n import Translator
from quiz.conversation.engine import Who, guess_locale
from quiz.conversation.messages import Event, Msg, Outcome, Reply, event_kind
from quiz.model import Localized

log = logging.getLogger(__name__)
NAME = "telegram"
TOAST_LIMIT = 200  # characters in an answerCallbackQuery text
SORRY = Msg("telegram.error")
SORRY_TOAST = Msg("telegram.error_toast")
PRIVATE_ONLY = Msg("telegram.private_only")
PRIVATE_ONLY_TOAST = Msg("telegram.private_only_toast")
OPEN_PRIVATE = Msg("telegram.open_private")
START_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # what a t.me deep link may carry


class TelegramChannel:
    """Turns Telegram users' actions into engine events and the engine's outcome into messages."""

    def __init__(self, dispatcher: Dispatcher, translator: Translator, sender: Sender, *, username: str,
                 mini_app: str | None = None) -> None:
        self.dispatcher, self.translator, self.sender = dispatcher, translator, sender
        self.username = username
        self.renderer = Renderer(translator, sender, mini_app=mini_app)

    @property
    def contest_title(self) -> Localized:
        return self.dispatcher.conversation.services.live.runtime.contest.title

    @staticmethod
    def who(user: User) -> Who:
        return Who(NAME, str(user.id), language_hint=user.language_code)

    async def converse(self, user: User, event: Event, *, group: bool = False) -> Handled:
        """The engine's outcome; an apology instead of a crash when something below fails. In a `group`
        the engine only reads: the citizen's own flow in the private chat stays where it was."""
        try:
            return await self.dispatcher.handle(self.who(user), event, public=group)
        except Exception as exc:  # the update is still answered; nothing half-done was committed
            # Never the event or the exception's message: either may hold what the citizen typed.
            log.error("telegram: %s from user %s failed\n%s", event_kind(event), user.id,
                      traceback_without_messages(exc))
            return Handled(Outcome((Reply((SORRY,)),), SORRY_TOAST), guess_locale(user.language_code))

    async def show(self, handled: Handled, target: Target) -> None:
        """The outcome, sent now or, while an update is handled with an outbox, once it is stored."""
        said = saying()
        if said is None:
            await self.renderer.show(handled.outcome, handled.locale, target)
        else:
            said.steps += self.renderer.plan(handled.outcome, handled.locale, target)

    async def answer(self, callback: CallbackQuery, toast: Msg | None, locale: str) -> None:
        """Every press is answered, with the engine's toast when it has one: in the webhook's reply to
        Telegram when an outbox collects what the update says, else at once."""
        text = self.translator.text(toast, locale)[:TOAST_LIMIT] if toast is not None else None
        method = AnswerCallbackQuery(callback_query_id=callback.id, text=text)
        said = saying()
        if said is not None and said.answer is None:
            said.answer = method
        else:
            await self.sender.send(method, paced=False)

    def private_link(self, payload: str | None = None) -> str:
        """A deep link that opens the private chat with the bot, passing on a valid /start code."""
        code = f"?start={payload}" if payload and START_CODE.match(payload) else ""
        return f"https://t.me/{self.username}{code}"

    async def send_to_private(self, chat_id: int, user: User, payload: str | None = None) -> None:
        """In a group: attempts and registration happen in the private chat; say so with a link."""
        locale = guess_locale(user.language_code)
        markup = link_keyboard(self.translator.text(OPEN_PRIVATE, locale), self.private_link(payload))
        text = self.translator.text(PRIVATE_ONLY, locale)
        await self.sender.send(SendMessage(chat_id=chat_id, text=text, reply_markup=markup))
