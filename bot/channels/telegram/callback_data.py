"""Callback data on inline buttons: a version tag and the engine's action, at most 64 bytes."""
from __future__ import annotations

VERSION = "1"
_SEP = "|"
LIMIT = 64  # bytes, Telegram's limit for callback_data


class BadCallbackData(ValueError):
    """Callback data this version of the bot did not make (old, foreign or forged)."""


def encode(action: str) -> str:
    data = f"{VERSION}{_SEP}{action}"
    if len(data.encode()) > LIMIT:
        raise BadCallbackData(f"action too long for a Telegram button: {action!r}")
    return data


def decode(data: str | None) -> str:
    """The engine action inside `data`; BadCallbackData for anything else."""
    if not data or len(data.encode()) > LIMIT:
        raise BadCallbackData(data)
    version, sep, action = data.partition(_SEP)
    if version != VERSION or not sep or not action or not action.isprintable():
        raise BadCallbackData(data)
    return action
