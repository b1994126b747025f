"""Callback data on inline buttons: a version tag and the engine's encoded action, at most 64 bytes."""
from __future__ import annotations

from quiz.conversation import actions
from quiz.conversation.actions import Action, BadAction

VERSION = "1"
_SEP = "|"
LIMIT = 64  # bytes, Telegram's limit for callback_data


class BadCallbackData(ValueError):
    """Callback data this version of the bot did not make (old, foreign or forged)."""


def encode(action: Action) -> str:
    data = f"{VERSION}{_SEP}{actions.encode(action)}"
    if len(data.encode()) > LIMIT:
        raise BadCallbackData(f"a {type(action).__name__} action is too long for a Telegram button")
    return data


def decode(data: str | None) -> Action:
    """The engine action inside `data`; BadCallbackData for anything else."""
    version, sep, text = (data or "").partition(_SEP)
    if version != VERSION or not sep:
        raise BadCallbackData("not made by this version of the bot")
    try:
        return actions.decode(text)
    except BadAction:
        raise BadCallbackData("not an engine action") from None
