"""Zalo webhook bodies read into what the channel needs: who, what, when, and a key to process it once."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

TEXT = "user_send_text"  # also what a quick-reply (oa.query.show) button sends back
FOLLOW, UNFOLLOW = "follow", "unfollow"
SUBMIT_INFO = "user_submit_info"  # the shared-information form (request_user_info)
_SENT = "user_send_"  # user_send_image, _sticker, _gif, _file, _location, _audio, _video, _link…
KEY_LIMIT = 64  # inbound_events.event_id


@dataclass(frozen=True, slots=True)
class Incoming:
    """One event from a Zalo user; ids stay strings as Zalo sends them."""

    name: str
    user_id: str
    at: datetime | None
    text: str | None = None
    phone: str | None = None
    full_name: str | None = None

    @property
    def kind(self) -> str:
        """What an unsupported message was: sticker, image, file, location…"""
        return self.name.removeprefix(_SENT)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _id(value: Any) -> str | None:
    return _text(value.get("id")) if isinstance(value, dict) else None


def when(payload: dict[str, Any]) -> datetime | None:
    """The body's timestamp (milliseconds since the epoch) as an aware datetime."""
    try:
        return datetime.fromtimestamp(int(str(payload.get("timestamp"))) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def user_of(payload: dict[str, Any]) -> str | None:
    name = payload.get("event_name")
    if name in (FOLLOW, UNFOLLOW):
        return _id(payload.get("follower"))
    if isinstance(name, str) and name.startswith("user_"):
        return _id(payload.get("sender"))
    return None  # the OA's own sends, delivery receipts and the like


def event_key(payload: dict[str, Any]) -> str | None:
    """The id that makes a redelivery a duplicate: the message's msg_id, else event, user and time."""
    message = payload.get("message")
    msg_id = _text(message.get("msg_id")) if isinstance(message, dict) else None
    if msg_id:
        key = msg_id
    else:
        name, stamp = _text(payload.get("event_name")), _text(payload.get("timestamp"))
        if name is None or stamp is None:
            return None
        key = f"{name}:{user_of(payload) or '-'}:{stamp}"
    if len(key) > KEY_LIMIT:
        key = "h:" + hashlib.sha256(key.encode()).hexdigest()[:KEY_LIMIT - 2]
    return key


def parse(payload: dict[str, Any]) -> Incoming | None:
    """The user event in `payload`, or None for events that need no answer."""
    name, user = _text(payload.get("event_name")), user_of(payload)
    if name is None or user is None:
        return None
    at = when(payload)
    if name == TEXT:
        message = payload.get("message")
        return Incoming(name, user, at, text=_text(message.get("text")) if isinstance(message, dict) else None)
    if name == SUBMIT_INFO:
        info = payload.get("info")
        info = info if isinstance(info, dict) else {}
        return Incoming(name, user, at, phone=_text(info.get("phone")), full_name=_text(info.get("name")))
    if name in (FOLLOW, UNFOLLOW) or name.startswith(_SENT):
        return Incoming(name, user, at)
    return None
