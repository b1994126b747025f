"""The recent conversation of one browser, kept on the server so a reload, a new tab or the Back
button brings it back as it was. It sits in the conversation state store (memory, the journal, or
Redis shared by every worker), holds what that browser was shown, and goes when its data is erased."""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import orjson

from bot.dispatch import state_key
from bot.state import StateStore
from quiz.conversation.phones import WEB  # the web chat's channel, whose browsers keep a conversation
from quiz.conversation.state import ChatState

KEEP = 30  # bubbles: a few screens of scrolling on a phone
EXCHANGES = 2 * KEEP  # exchanges kept: each draws at least one bubble, unless it only showed a toast
PART_LIMIT = 4000  # characters of one part kept (a page of a review is the longest thing shown)


def _key(browser_id: str) -> str:
    return f"web-chat:{browser_id}"


def _bubbles_key(browser_id: str) -> str:
    """Where the bubbles themselves were kept before, rewritten on every press; read (and folded in) until
    they expire, a week after the browser's last press before the change."""
    return f"web-history:{browser_id}"


class ChatTraces:
    """quiz.ports.ChatTraces: a chat account's conversation state, and a browser's kept conversation."""

    def __init__(self, states: StateStore) -> None:
        self.states = states

    async def forget(self, accounts: Sequence[tuple[str, str]]) -> None:
        for channel, external_id in accounts:
            if channel == WEB:
                await ChatHistory(self.states).clear(external_id)
            await self.states.set(state_key(channel, external_id), ChatState())


class ChatHistory:
    """Each exchange is appended as it happens (one write, nothing read); the bubbles are drawn from the
    exchanges only when the page opens."""

    def __init__(self, states: StateStore) -> None:
        self.states = states

    async def load(self, browser_id: str) -> list[dict[str, Any]]:
        before = (await self.states.get(_bubbles_key(browser_id))).data.get("b")
        bubbles = [b for b in before if isinstance(b, dict)] if isinstance(before, list) else []
        for raw in await self.states.items(_key(browser_id)):
            try:
                exchange = json.loads(raw)
            except ValueError:
                continue
            if isinstance(exchange, dict):
                _add(bubbles, exchange)
        return bubbles

    async def record(self, browser_id: str, *, typed: str | None, pressed: str | None,
                     replies: list[dict[str, Any]]) -> None:
        """Add one exchange: what the citizen typed (or which button they pressed) and the replies drawn."""
        kept = []
        for reply in replies:
            bubble: dict[str, Any] = {"parts": [str(p)[:PART_LIMIT] for p in reply.get("parts", [])],
                                      "buttons": reply.get("buttons", [])}
            if reply.get("replace"):
                bubble["replace"] = True
            progress = reply.get("progress")
            if isinstance(progress, dict):  # a question: its "k/n ⏱" line is left out when drawn again
                bubble["progress"] = {"position": progress.get("position"), "total": progress.get("total")}
            kept.append(bubble)
        exchange = {"typed": typed[:PART_LIMIT] if typed is not None else None, "pressed": pressed, "replies": kept}
        await self.states.append(_key(browser_id), orjson.dumps(exchange).decode(), keep=EXCHANGES)

    async def clear(self, browser_id: str) -> None:
        await self.states.drop(_key(browser_id))
        await self.states.set(_bubbles_key(browser_id), ChatState())


def _add(bubbles: list[dict[str, Any]], exchange: dict[str, Any]) -> None:
    """What one exchange did to the bubbles drawn: the button pressed marked chosen, what was typed,
    then each reply (taking the place of the last keyboard, or spending the earlier ones)."""
    pressed, typed, replies = exchange.get("pressed"), exchange.get("typed"), exchange.get("replies")
    if isinstance(pressed, str):
        _mark_chosen(bubbles, pressed)
    if isinstance(typed, str):
        bubbles.append({"user": typed})
    for reply in replies if isinstance(replies, list) else []:
        if not isinstance(reply, dict):
            continue
        bubble = dict(reply)
        if bubble.pop("replace", False):
            _drop_last_keyboard(bubbles)
        if bubble.get("buttons"):
            _spend(bubbles)
        bubbles.append(bubble)
    del bubbles[:-KEEP]


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
