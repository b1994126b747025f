"""What each Zalo user was last offered, so a quick reply or a typed number becomes a button press.

Zalo buttons send text back, not callback data; the engine's actions stay on our side, in the
conversation state store (memory, or Redis shared by every worker), keyed by user. Quick replies stay
on a Zalo screen after newer ones came, so a few earlier offers are kept too: tapping an old one is an
old button pressed (the engine answers with the real screen), not text typed at whatever step is now."""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.state import StateStore
from quiz.conversation.actions import Action, BadAction, decode, encode
from quiz.conversation.state import ChatState
from quiz.text import nfc

_NUMBER = re.compile(r"^\s*(\d{1,3})\s*[.)]?\s*$")
EARLIER = 8  # earlier offers whose quick replies are still recognised (a screenful of chat, and more)


@dataclass(frozen=True, slots=True)
class Choice:
    payload: str  # the text its quick reply sends back; unique among the choices shown together
    action: Action


@dataclass(frozen=True, slots=True)
class Offer:
    """The choices shown by one outcome; `numbered` when some were listed as numbers to type."""

    choices: tuple[Choice, ...]
    numbered: bool = False


class ChoiceMemory:
    def __init__(self, states: StateStore) -> None:
        self.states = states

    @staticmethod
    def _key(user_id: str) -> str:
        return f"zalo-choices:{user_id}"

    async def remember(self, user_id: str, offer: Offer) -> None:
        before = (await self.states.get(self._key(user_id))).data
        rows = [[c.payload, encode(c.action)] for c in offer.choices]
        shown, older = before.get("c"), before.get("old")
        earlier = ([shown] if isinstance(shown, list) and shown else []) + \
            ([r for r in older if isinstance(r, list)] if isinstance(older, list) else [])
        await self.states.set(self._key(user_id), ChatState(data={"c": rows, "n": offer.numbered,
                                                                   "old": earlier[:EARLIER]}))

    async def resolve(self, user_id: str, text: str) -> Action | None:
        """The action `text` picks: a quick reply's payload, or a number when numbers were shown."""
        data = (await self.states.get(self._key(user_id))).data
        rows = data.get("c")
        if not isinstance(rows, list):
            return None
        said = nfc(text)
        picked = _payload(rows, said)
        number = _NUMBER.match(text)
        if picked is None and data.get("n") and number and 1 <= int(number.group(1)) <= len(rows):
            picked = rows[int(number.group(1)) - 1][1]
        for earlier in data.get("old", []) if picked is None and isinstance(data.get("old"), list) else []:
            picked = _payload(earlier, said) if isinstance(earlier, list) else None
            if picked is not None:
                break
        try:
            return decode(picked) if picked is not None else None
        except BadAction:  # remembered by an older version of the bot: read it as text
            return None


def _payload(rows: list[list[str]], said: str) -> str | None:
    """The encoded action of the quick reply whose payload is `said`."""
    return next((action for payload, action in rows if nfc(str(payload)) == said), None)
