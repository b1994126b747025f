"""A person in a conversation: what they do (start, type, press) and what they see, rendered as text."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from quiz.conversation.actions import Action, Answer
from quiz.conversation.engine import Who
from quiz.conversation.messages import Button, Contact, Event, Outcome, Press, Start, Text, Unsupported
from quiz.people import Participant

if TYPE_CHECKING:
    from .conftest import World

Label = str | Callable[[str], bool]


class Person:
    def __init__(self, world: World, user: str, *, channel: str = "console", page: bool = False) -> None:
        self.world, self.who = world, Who(channel, user, page=page)
        self.outcomes: list[tuple[Outcome, str]] = []

    async def _do(self, event: Event) -> Outcome:
        handled = await self.world.dispatcher.handle(self.who, event)
        self.outcomes.append((handled.outcome, handled.locale))
        return handled.outcome

    async def participant(self) -> Participant | None:
        """The participant this chat account registered (or linked) as."""
        people = self.world.uses.people
        account = await people.account(channel=self.who.channel, external_id=self.who.external_id, locale=None,
                                       now=self.world.clock())
        return await people.participant(account.participant_id) if account.participant_id else None

    async def start(self, payload: str | None = None) -> Outcome:
        return await self._do(Start(payload))

    async def say(self, text: str) -> Outcome:
        return await self._do(Text(text))

    async def share(self, phone: str, *, own: bool = True) -> Outcome:
        """The platform's "share my number" button: the account's own contact, or someone else's card."""
        return await self._do(Contact(phone, own=own))

    async def send_unsupported(self, kind: str) -> Outcome:
        """A sticker, a photo, a voice message…"""
        return await self._do(Unsupported(kind))

    async def press(self, action: Action) -> Outcome:
        return await self._do(Press(action))

    async def tap(self, label: Label) -> Outcome:
        """Press the newest button whose label matches, as a person looks at the bottom of the chat."""
        return await self.press(self.button(label))

    def _render(self, outcome: Outcome, locale: str) -> str:
        t = self.world.translator
        return "\n\n".join(t.text(p, locale) for r in outcome.replies for p in r.parts)

    @property
    def text(self) -> str:
        """Everything the last event showed."""
        outcome, locale = self.outcomes[-1]
        return self._render(outcome, locale)

    @property
    def last(self) -> Outcome:
        return self.outcomes[-1][0]

    @property
    def toast(self) -> str | None:
        outcome, locale = self.outcomes[-1]
        return self.world.translator.text(outcome.toast, locale) if outcome.toast else None

    def labels(self, back: int = 1) -> list[str]:
        outcome, locale = self.outcomes[-back]
        return [self.world.translator.text(b.label, locale) for r in outcome.replies for row in r.buttons for b in row]

    def button(self, label: Label) -> Action:
        match = label if callable(label) else (lambda text: label in text)
        for outcome, locale in reversed(self.outcomes):
            buttons: list[Button] = [b for r in outcome.replies for row in r.buttons for b in row]
            for b in reversed(buttons):
                if match(self.world.translator.text(b.label, locale)):
                    return b.action
        raise AssertionError(f"no button {label!r}; last shown: {self.text!r}")

    def answer_keys(self) -> list[Answer]:
        """The answer buttons of the last question shown."""
        return [b.action for r in self.last.replies for row in r.buttons for b in row if isinstance(b.action, Answer)]

    def right_letter(self) -> str:
        found = re.search(r"^([A-F])\. Đúng", self.text, re.MULTILINE)
        assert found, self.text
        return found.group(1)

    def right_key(self) -> Answer:
        return self.answer_keys()["ABCDEF".index(self.right_letter())]


async def agree(person: Person, *, news: bool = False) -> None:
    """Consent to take part and to be contacted about a prize; news as asked."""
    await person.tap("Tôi đồng ý")
    await person.tap("Đồng ý liên hệ khi đoạt giải")
    await person.tap("Có, gửi cho tôi" if news else "Không, cảm ơn")


async def register(person: Person, *, name: str = "Nguyễn Văn An", phone: str = "0912345678",
                   shared: bool = False) -> None:
    """Consent, then register in the fixture pack's commune Xã Đông Sơn; the number typed, or `shared` with
    the platform's button (proven)."""
    await person.start()
    await agree(person)
    await person.say(name)
    await person.say("1990")
    await (person.share(phone) if shared else person.say(phone))
    await person.tap("Huyện An Bình")
    await person.tap("Xã Đông Sơn")
    await person.tap("Xác nhận")
    assert "Đăng ký thành công" in person.text, person.text
