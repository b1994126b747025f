"""The recent conversation of one browser, kept on the server so a reload, a new tab or the Back
button brings it back as it was. It sits in the conversation state store (memory, the journal, or
Redis shared by every worker), holds what that browser was shown, and goes when its data is erased."""
from __future__ import annotations

from typing import Any

from bot.state import StateStore
from quiz.conversation.state import ChatState

KEEP = 30  # bubbles: a few screens of scrolling on a phone
PART_LIMIT = 4000  # characters of one part kept (a page of a review is the longest thing shown)


def _key(browser_id: str) -> str:
    return f"web-history:{browser_id}"


class ChatHistory:
    def __init__(self, states: StateStore) -> None:
        self.states = states

    async def load(self, browser_id: str) -> list[dict[str, Any]]:
        bubbles = (await self.states.get(_key(browser_id))).data.get("b")
        return [b for b in bubbles if isinstance(b, dict)] if isinstance(bubbles, list) else []

    async def record(self, browser_id: str, *, typed: str | None, pressed: str | None,
                     replies: list[dict[str, Any]]) -> None:
        """Add one exchange: what the citizen typed (or which button they pressed) and the replies drawn."""
        bubbles = await self.load(browser_id)
        if pressed is not None:
            _mark_chosen(bubbles, pressed)
        if typed is not None:
            bubbles.append({"user": typed[:PART_LIMIT]})
        for reply in replies:
            if reply.get("replace"):
                _drop_last_keyboard(bubbles)
            if reply.get("buttons"):
                _spend(bubbles)
            bubble = {"parts": [str(p)[:PART_LIMIT] for p in reply.get("parts", [])],
                      "buttons": reply.get("buttons", [])}
            progress = reply.get("progress")
            if isinstance(progress, dict):  # a question: its "k/n ⏱" line is left out when drawn again
                bubble["progress"] = {"position": progress.get("position"), "total": progress.get("total")}
            bubbles.append(bubble)
        await self.states.set(_key(browser_id), ChatState(data={"b": bubbles[-KEEP:]}))

    async def clear(self, browser_id: str) -> None:
        await self.states.set(_key(browser_id), ChatState())


def _mark_chosen(bubbles: list[dict[str, Any]], action: str) -> None:
    """The pressed button, on the newest bubble that has it, is what the restored chat shows as chosen."""
    for bubble in reversed(bubbles):
        for row in bubble.get("buttons", []):
            for button in row:
                if isinstance(button, dict) and button.get("action") == action:
                    bubble["chosen"] = action
                    return


def _spend(bubbles: list[dict[str, Any]]) -> None:
    """Newer buttons came: earlier keyboards keep only the button chosen (all the page shows of them)."""
    for bubble in bubbles:
        buttons = bubble.get("buttons")
        if buttons and not bubble.get("spent"):
            picked = bubble.get("chosen")
            chosen = [b for row in buttons for b in row if isinstance(b, dict) and b.get("action") == picked]
            bubble["buttons"] = [chosen] if chosen else []
            bubble["spent"] = True


def _drop_last_keyboard(bubbles: list[dict[str, Any]]) -> None:
    """A reply that takes the place of the last message with buttons (as the page draws it)."""
    for i in range(len(bubbles) - 1, -1, -1):
        if bubbles[i].get("buttons") and not bubbles[i].get("spent"):
            del bubbles[i]
            return
