"""The terminal channel: numbered choices, the same engine and database as every channel."""
from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.dispatch import Dispatcher
from bot.i18n import Translator
from quiz.conversation.actions import Action, Answer, SkipPrediction, Submit
from quiz.conversation.engine import Who
from quiz.conversation.messages import Button, Event, Msg, Outcome, Press, Start, Text
from quiz.model import LETTERS

RULE = "─" * 40
# Buttons typed as a letter, not a number: answers by their own letter, and the two that end something
# ("Nộp bài", "Bỏ qua dự đoán"), so that a prediction or an answer typed as a digit never presses them.
LETTER_KEYS = {Submit: Msg("console.key.submit"), SkipPrediction: Msg("console.key.skip")}


class ConsoleSession:
    """One person at a terminal. `send` takes a typed line and returns what the screen shows."""

    def __init__(self, dispatcher: Dispatcher, translator: Translator, *, user: str = "console") -> None:
        self.dispatcher, self.translator = dispatcher, translator
        self.who = Who("console", user)
        self._choices: list[Button] = []
        self._lettered: dict[str, Action] = {}

    async def start(self, payload: str | None = None) -> str:
        return await self._run(Start(payload))

    async def send(self, line: str) -> str:
        line = line.strip()
        if line.upper() in self._lettered:
            return await self._run(Press(self._lettered[line.upper()]))
        if line.isdigit() and 1 <= int(line) <= len(self._choices):
            return await self._run(Press(self._choices[int(line) - 1].action))
        return await self._run(Text(line))

    async def _run(self, event: Event) -> str:
        handled = await self.dispatcher.handle(self.who, event)
        return self.render(handled.outcome, handled.locale)

    def render(self, outcome: Outcome, locale: str) -> str:
        t = self.translator
        lines: list[str] = []
        if outcome.toast is not None:
            lines.append(f"✓ {t.text(outcome.toast, locale)}")
        if outcome.replies:
            self._choices, self._lettered = [], {}
        for reply in outcome.replies:
            lines.append(RULE)
            lines += ["\n\n".join(t.text(p, locale) for p in reply.parts)]
            for row in reply.buttons:
                lines.append("   ".join(self._cell(b, locale) for b in row))
        return "\n".join(lines)

    def _cell(self, button: Button, locale: str) -> str:
        label = self.translator.text(button.label, locale)
        action = button.action
        key = LETTERS[action.choice] if isinstance(action, Answer) else None
        if type(action) in LETTER_KEYS:
            key = self.translator.text(LETTER_KEYS[type(action)], locale)
        if key is None:
            self._choices.append(button)
            return f"[{len(self._choices)}] {label}"
        self._lettered[key.upper()] = action
        return f"[{key}]" if label == key else f"[{key}] {label}"


async def run_console(dispatcher: Dispatcher, translator: Translator, *,
                      read: Callable[[str], str] = input, write: Callable[[str], None] = print) -> None:
    """Play in the terminal until end of input or /quit."""
    session = ConsoleSession(dispatcher, translator)
    write(await session.start())
    while True:
        try:
            line = await asyncio.to_thread(read, "› ")
        except (EOFError, KeyboardInterrupt):
            break
        if line.strip() in ("/quit", "/thoat"):
            break
        write(await session.send(line))
