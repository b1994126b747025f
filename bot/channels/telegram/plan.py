"""What a reply does on Telegram, as data: planned while an update is handled, stored with it when it is
marked done, and carried out afterwards (bot.channels.telegram.outbox), by this worker or, if it died,
by another. A step is one Bot API call, or an edit with what to send instead if the edit fails."""
from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from aiogram.exceptions import AiogramError, TelegramBadRequest
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageReplyMarkup,
    EditMessageText,
    SendMessage,
    TelegramMethod,
)

from bot.channels.telegram.sender import Sender, chat_of
from bot.channels.telegram.session import own_params

log = logging.getLogger(__name__)
SEND = "send"  # a message, at its chat's pace
QUIET = "quiet"  # unpaced: a keyboard taken off a message, a note deleted
EDIT = "edit"  # the pressed message edited in place; if that fails, `instead`, or else its text as a new message
NOTE = "note"  # a note closing the phone keyboard, deleted as soon as it is sent
_METHODS: dict[str, type[TelegramMethod[Any]]] = {
    m.__api_method__: m for m in (SendMessage, EditMessageText, EditMessageReplyMarkup, DeleteMessage)}


@dataclass(frozen=True, slots=True)
class Step:
    kind: str
    method: TelegramMethod[Any]
    instead: tuple[Step, ...] = ()

    @property
    def chat(self) -> int | str | None:
        return chat_of(self.method)

    def dump(self) -> dict[str, Any]:
        """As JSON keeps it (the inbound event's `outbox`)."""
        params, _defaults = own_params(self.method)  # the bot's defaults apply as it is sent
        raw: dict[str, Any] = {"k": self.kind, "m": self.method.__api_method__, "p": params}
        if self.instead:
            raw["i"] = [s.dump() for s in self.instead]
        return raw

    @classmethod
    def load(cls, raw: dict[str, Any]) -> Step:
        method = _METHODS[raw["m"]].model_validate(raw["p"])
        return cls(raw["k"], method, tuple(cls.load(s) for s in raw.get("i", ())))


def dump(steps: Sequence[Step]) -> list[dict[str, Any]]:
    return [s.dump() for s in steps]


def load(raw: Sequence[dict[str, Any]]) -> list[Step]:
    return [Step.load(s) for s in raw]


@dataclass(slots=True)
class Said:
    """What handling one update says: the answer to its button press, and the steps to show the rest."""

    answer: AnswerCallbackQuery | None = None
    steps: list[Step] = field(default_factory=list)


_SAYING: ContextVar[Said | None] = ContextVar("telegram_saying", default=None)


def saying() -> Said | None:
    """Where replies go while an update is handled with an outbox; None: send them at once."""
    return _SAYING.get()


@contextmanager
def collecting() -> Iterator[Said]:
    said = Said()
    token = _SAYING.set(said)
    try:
        yield said
    finally:
        _SAYING.reset(token)


async def carry_out(steps: Sequence[Step], sender: Sender) -> None:
    """Every step, in order; a step that finally fails is logged by the sender and the next one goes on."""
    for step in steps:
        if step.kind == EDIT:
            if not await _edited(step.method, sender):
                await carry_out(step.instead or as_new_message(step.method), sender)
        elif step.kind == NOTE:
            note = await sender.send(step.method)
            if note is not None and step.chat is not None:
                await sender.send(DeleteMessage(chat_id=step.chat, message_id=note.message_id), paced=False)
        else:
            await sender.send(step.method, paced=step.kind == SEND)


def as_new_message(method: TelegramMethod[Any]) -> tuple[Step, ...]:
    """What an edit that could not be made sends instead, unless its step says otherwise: the same text and
    keyboard as a new message. Derived when needed rather than stored with every edit, which kept each
    question's text and keyboard twice in every update's outbox."""
    if not isinstance(method, EditMessageText) or method.chat_id is None or method.text is None:
        return ()
    return (Step(SEND, SendMessage(chat_id=method.chat_id, text=method.text, reply_markup=method.reply_markup)),)


async def _edited(method: TelegramMethod[Any], sender: Sender) -> bool:
    chat, message = chat_of(method), getattr(method, "message_id", None)
    try:
        await sender.call(method)
    except TelegramBadRequest as exc:
        if "not modified" in exc.message:  # a double tap re-rendering the same question
            return True
        log.warning("telegram: message %s in chat %s not edited (%s); sending a new one", message, chat, exc)
        return False
    except AiogramError as exc:
        log.warning("telegram: message %s in chat %s not edited (%s); sending a new one", message, chat, exc)
        return False
    return True
