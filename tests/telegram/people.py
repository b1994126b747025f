"""Citizens as Telegram sees them: updates they cause, and the chat screen they look at."""
from __future__ import annotations

import itertools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .fake_api import FakeTelegram, chat

_update_ids = itertools.count(1)
Deliver = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class Shown:
    message_id: int
    text: str
    buttons: list[list[dict[str, Any]]]
    markup: dict[str, Any] | None


class Screen:
    """One chat as its member sees it: messages sent, edited in place, deleted; and the toasts."""

    def __init__(self, fake: FakeTelegram, chat_id: int) -> None:
        self.fake, self.chat_id = fake, chat_id

    def messages(self) -> list[Shown]:
        shown: dict[int, Shown] = {}
        for call in self.fake.delivered():
            if int(call.params.get("chat_id", 0)) != self.chat_id:
                continue
            if call.method in ("sendMessage", "editMessageText"):
                markup = call.params.get("reply_markup")
                rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
                shown[call.result["message_id"]] = Shown(call.result["message_id"], call.params["text"], rows, markup)
            elif call.method == "editMessageReplyMarkup" and int(call.params["message_id"]) in shown:
                markup = call.params.get("reply_markup")
                old = shown[int(call.params["message_id"])]
                rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
                shown[old.message_id] = Shown(old.message_id, old.text, rows, markup)
            elif call.method == "deleteMessage":
                shown.pop(int(call.params["message_id"]), None)
        return sorted(shown.values(), key=lambda m: m.message_id)

    @property
    def last(self) -> Shown:
        return max(self.messages(), key=self._touched)

    def _touched(self, message: Shown) -> int:
        """Position of the last send or edit of `message`, so an edited question counts as newest."""
        for i in range(len(self.fake.calls) - 1, -1, -1):
            call = self.fake.calls[i]
            if call.status == 200 and call.method in ("sendMessage", "editMessageText") and \
                    call.result["message_id"] == message.message_id:
                return i
        return -1

    def button(self, label: str | Callable[[str], bool]) -> tuple[int, str]:
        """(message id, callback data) of the newest button whose text matches `label`."""
        match = label if callable(label) else (lambda text: label in text)
        for message in sorted(self.messages(), key=self._touched, reverse=True):
            for row in message.buttons:
                for b in row:
                    if "callback_data" in b and match(b["text"]):
                        return message.message_id, b["callback_data"]
        raise AssertionError(f"no button {label!r} on screen; last message: {self.last.text!r}")

    def toasts(self) -> list[str | None]:
        return [c.params.get("text") for c in self.fake.delivered("answerCallbackQuery")]


class Citizen:
    """A Telegram user; `deliver` gets each update to the bot and returns once the bot has handled it."""

    def __init__(self, fake: FakeTelegram, deliver: Deliver, *, user_id: int, chat_id: int | None = None,
                 language_code: str = "vi", first_name: str = "An") -> None:
        self.fake, self.deliver = fake, deliver
        self.user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code}
        self.chat = chat(chat_id if chat_id is not None else user_id)
        self.screen = Screen(fake, self.chat["id"])

    def _message(self, **content: Any) -> dict[str, Any]:
        update_id = next(_update_ids)
        return {"update_id": update_id, "message": {"message_id": 100_000 + update_id, "date": 1_718_850_000,
                                                    "chat": self.chat, "from": self.user, **content}}

    async def send(self, text: str) -> None:
        entities = [{"type": "bot_command", "offset": 0,
                     "length": len(text.split()[0])}] if text.startswith("/") else []
        await self.deliver(self._message(text=text, entities=entities) if entities else self._message(text=text))

    async def share_contact(self, phone: str, *, owner: int | None = None) -> None:
        """Share a contact card; by default one's own (Telegram fills in user_id)."""
        owner = self.user["id"] if owner is None else owner
        await self.deliver(self._message(contact={"phone_number": phone, "first_name": "An", "user_id": owner}))

    async def sticker(self) -> None:
        await self.deliver(self._message(sticker={"file_id": "CAACAgIAAx0", "file_unique_id": "AgAD", "type": "regular",
                                                  "width": 512, "height": 512, "is_animated": False,
                                                  "is_video": False}))

    def press_update(self, message_id: int, data: str) -> dict[str, Any]:
        update_id = next(_update_ids)
        message = {"message_id": message_id, "date": 1_718_850_000, "chat": self.chat, "text": "…",
                   "from": {"id": 123456, "is_bot": True, "first_name": "Công Dân Số"}}
        return {"update_id": update_id, "callback_query": {"id": f"cb{update_id}", "from": self.user,
                                                           "chat_instance": "ci", "message": message, "data": data}}

    async def press(self, message_id: int, data: str) -> None:
        await self.deliver(self.press_update(message_id, data))

    async def tap(self, label: str | Callable[[str], bool]) -> None:
        message_id, data = self.screen.button(label)
        await self.press(message_id, data)


def right_letter(question: str) -> str:
    """The letter of the option whose text starts with "Đúng" (how the fixture pack marks it)."""
    found = re.search(r"^([A-F])\. Đúng", question, re.MULTILINE)
    assert found, f"no right option in {question!r}"
    return found.group(1)
