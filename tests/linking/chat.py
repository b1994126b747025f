"""A citizen on any channel, driving the dispatcher as that channel would, reading the translated replies."""
from __future__ import annotations

import re

from bot.compose import App
from quiz.conversation.engine import Who
from quiz.conversation.messages import Button, Event, Press, Start, Text


class Chat:
    """One chat account: what it sends, and what the last answer showed (text and buttons)."""

    def __init__(self, app: App, channel: str, external_id: str, *, language: str = "vi") -> None:
        self.app, self.who = app, Who(channel, external_id, language)
        self.text: str = ""
        self.buttons: list[tuple[str, Button]] = []
        self.toast: str | None = None

    async def _run(self, event: Event) -> str:
        handled = await self.app.dispatcher.handle(self.who, event)
        t, locale = self.app.translator, handled.locale
        self.toast = t.text(handled.outcome.toast, locale) if handled.outcome.toast else None
        self.text = "\n\n".join(t.text(p, locale) for r in handled.outcome.replies for p in r.parts)
        self.buttons = [(t.text(b.label, locale), b) for r in handled.outcome.replies for row in r.buttons for b in row]
        return self.text

    async def start(self) -> str:
        return await self._run(Start())

    async def say(self, text: str) -> str:
        return await self._run(Text(text))

    async def tap(self, label: str) -> str:
        found = [b for shown, b in self.buttons if shown == label] or [b for shown, b in self.buttons if label in shown]
        assert found, f"no button {label!r} among {[shown for shown, _ in self.buttons]}"
        return await self._run(Press(found[0].action))

    def right_letter(self) -> str:
        found = re.search(r"^([A-F])\. Đúng", self.text, re.MULTILINE)
        assert found, self.text
        return found.group(1)

    def link_code(self) -> str:
        found = re.search(r"/lienket ([0-9A-Z]{4}-[0-9A-Z]{4})", self.text)
        assert found, self.text
        return found.group(1)


async def register(chat: Chat, *, name: str = "Nguyễn Văn An", phone: str = "0912345678") -> None:
    """Consent, then register in the fixture pack's commune Xã Đông Sơn."""
    await chat.start()
    await chat.tap("Tôi đồng ý")
    await chat.tap("Đồng ý liên hệ khi đoạt giải")
    await chat.tap("Không, cảm ơn")
    await chat.say(name)
    await chat.say("1990")
    await chat.say(phone)
    await chat.tap("Huyện An Bình")
    await chat.tap("Xã Đông Sơn")
    await chat.tap("Xác nhận")
    assert "Đăng ký thành công" in chat.text, chat.text


async def code_from(chat: Chat) -> str:
    """My data → Link accounts on a registered chat: the code it shows."""
    await chat.say("/dulieu")
    await chat.tap("Liên kết tài khoản")
    return chat.link_code()
