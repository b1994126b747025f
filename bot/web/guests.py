"""Reading for everyone. A browser that may not open a new chat identity now (its network address has
opened too many lately: a school lab, a commune event, a carrier's shared address) still reads the
rules, tips, FAQ and leaderboard; only what creates personal data (registering, attempts, link codes)
waits until the limit frees up."""
from __future__ import annotations

import hashlib

from bot.dispatch import Dispatcher, Handled
from quiz.conversation.actions import Menu, MenuItem
from quiz.conversation.engine import COMMANDS, Who, guess_locale
from quiz.conversation.messages import Button, Event, Msg, Outcome, Press, Reply, Start, Text
from quiz.model import Localized

READING = (
    (Button(Msg("menu.rules"), Menu(MenuItem.RULES)), Button(Msg("menu.tips"), Menu(MenuItem.TIPS))),
    (Button(Msg("menu.leaderboard"), Menu(MenuItem.LEADERBOARD)), Button(Msg("menu.help"), Menu(MenuItem.HELP))),
    (Button(Msg("menu.language"), Menu(MenuItem.LANGUAGE)),),
)


def guest(channel: str, address: str, language: str | None) -> Who:
    """One reading-only account per address: it never registers, so it holds nobody's personal data."""
    return Who(channel, "guest-" + hashlib.sha256(address.encode()).hexdigest()[:24], language)


def reading(event: Event) -> bool:
    """Whether the event only reads: a public button, a question typed, a public /command."""
    if isinstance(event, Press):
        return event.action.public
    if isinstance(event, Text):
        text = event.text.strip()
        if not text.startswith("/"):
            return True
        name = text[1:].split(" ")[0].split("@")[0].lower()
        action = COMMANDS.get(name)
        return action is not None and name != "start" and action.public
    return False


async def as_guest(dispatcher: Dispatcher, who: Who, event: Event, *, title: Localized, minutes: int) -> Handled:
    """Reading is answered as for anyone (without moving any flow); anything else says when to come back."""
    if reading(event):
        return await dispatcher.handle(who, event, public=True)
    parts = (Msg("start.welcome", title=title), Msg("web.busy", minutes=minutes)) if isinstance(event, Start) \
        else (Msg("web.busy", minutes=minutes),)
    return Handled(Outcome((Reply(parts, READING),)), guess_locale(who.language_hint))
