"""What the engine hears (events) and says (replies): message ids with parameters."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from quiz.conversation.actions import Action


@dataclass(frozen=True, slots=True)
class Msg:
    """A message id and its parameters; channels translate and format it."""

    id: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, id: str, /, **params: Any) -> None:  # noqa: A002 - the gettext id
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "params", params)


@dataclass(frozen=True, slots=True)
class Button:
    label: Msg
    action: Action  # encoded in at most actions.MAX_BYTES ASCII bytes, so a channel can add its own prefix


@dataclass(frozen=True, slots=True)
class Progress:
    position: int  # 1-based
    total: int
    deadline: datetime
    attempt: int = 0  # whose countdown it is: a page that sees it end asks the server where the attempt stands


@dataclass(frozen=True, slots=True)
class Reply:
    parts: tuple[Msg, ...]
    buttons: tuple[tuple[Button, ...], ...] = ()
    replace: bool = False  # edit the previous reply with buttons where the channel can
    request_contact: bool = False
    progress: Progress | None = None


@dataclass(frozen=True, slots=True)
class Start:
    payload: str | None = None


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Press:
    action: Action


@dataclass(frozen=True, slots=True)
class Contact:
    phone: str
    own: bool


@dataclass(frozen=True, slots=True)
class Unsupported:
    kind: str  # sticker, photo, voice, document, location…


Event = Start | Text | Press | Contact | Unsupported


def event_kind(event: Event) -> str:
    """What kind of event it was, for a log line: never what was typed or shared."""
    if isinstance(event, Press):
        return f"press {type(event.action).__name__}"
    return type(event).__name__.lower()


@dataclass(frozen=True, slots=True)
class Outcome:
    replies: tuple[Reply, ...]
    toast: Msg | None = None  # a short acknowledgement of a button press
    stale: bool = False  # the pressed keyboard no longer applies: channels take it away, then show the replies
    chosen: Action | None = None  # what storage holds for the pressed question, to mark instead of the key tapped
    closes_contact: bool = False  # the share button asked for before is no longer wanted: channels take it away
