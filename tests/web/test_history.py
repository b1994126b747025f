"""A browser's kept conversation: each exchange is one write and no read; the bubbles are drawn from the
exchanges when the page opens, on top of a conversation kept the way it was before (one record of
bubbles, rewritten on every press)."""
from __future__ import annotations

from typing import Any

from bot.state import MemoryStates
from bot.web.history import ChatHistory
from quiz.conversation.state import ChatState

from .conftest import WebChat, register, served


class Counted(MemoryStates):
    def __init__(self) -> None:
        super().__init__()
        self.reads: list[str] = []
        self.appends = 0

    async def get(self, key: str) -> ChatState:
        self.reads.append(key)
        return await super().get(key)

    async def items(self, key: str) -> list[str]:
        self.reads.append(key)
        return await super().items(key)

    async def append(self, key: str, item: str, *, keep: int) -> None:
        self.appends += 1
        await super().append(key, item, keep=keep)


async def test_a_press_adds_to_the_kept_conversation_without_reading_it(db_url: str) -> None:
    async with served(db_url) as (app, client):
        states = app.dispatcher.states = Counted()
        chat = WebChat(client)
        await register(chat)
        await chat.tap("Thi ngay")
        picked = chat.action_of("Vòng chính")
        await chat.tap("Vòng chính")
        states.reads.clear()
        appended = states.appends
        for _ in range(3):
            await chat.tap(chat.right_letter())
        assert not [key for key in states.reads if key.startswith(("web-chat:", "web-history:"))]
        assert states.appends - appended == 3
        again = await chat.start()  # the page opened again

    earlier = again["history"]
    assert [b["chosen"] for b in earlier if "chosen" in b][-1] == picked, "the round picked is drawn as chosen"
    assert "Câu 4/10" in earlier[-1]["parts"][0] and not earlier[-1].get("spent"), \
        "each question took the place of the one answered; the one the citizen is on comes last, its keys live"
    assert not any("Câu 3/10" in " ".join(b.get("parts", [])) for b in earlier)


async def test_a_conversation_kept_before_is_still_drawn_with_what_came_after() -> None:
    store = MemoryStates()
    history = ChatHistory(store)
    kept = [{"user": "Nguyễn Văn An"},
            {"parts": ["Câu 1/10 …"], "buttons": [[{"label": "A", "action": "a:1:0:0"},
                                                    {"label": "B", "action": "a:1:0:1"}]],
             "progress": {"position": 1, "total": 10}}]
    await store.set("web-history:b1", ChatState(data={"b": kept}))  # as the service kept it before
    reply: dict[str, Any] = {"parts": ["Câu 2/10 …"], "buttons": [[{"label": "A", "action": "a:1:1:0"}]],
                             "replace": False, "progress": {"position": 2, "total": 10, "deadline": "…"}}
    await history.record("b1", typed=None, pressed="a:1:0:1", replies=[reply])

    drawn = await history.load("b1")
    assert drawn[0] == {"user": "Nguyễn Văn An"}
    assert drawn[1]["chosen"] == "a:1:0:1" and drawn[1]["spent"] is True
    assert drawn[1]["buttons"] == [[{"label": "B", "action": "a:1:0:1"}]]  # only the one chosen is left
    assert drawn[2] == {"parts": ["Câu 2/10 …"], "buttons": [[{"label": "A", "action": "a:1:1:0"}]],
                        "progress": {"position": 2, "total": 10}}
    await history.clear("b1")
    assert await history.load("b1") == []
