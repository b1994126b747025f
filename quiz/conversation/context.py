"""What every flow step sees: the services, the account, its state and the time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from quiz.conversation.actions import Action, Menu, MenuItem
from quiz.conversation.messages import Button, Msg, Outcome, Reply
from quiz.conversation.state import ChatState
from quiz.people import Account
from quiz.runtime import ContestRuntime
from quiz.services.live import LiveContest
from quiz.services.people import People
from quiz.services.playing import Play
from quiz.services.standings import Standings

Turn = tuple[ChatState, Outcome]  # the new state and what to show


@dataclass(frozen=True, slots=True)
class Citizen:
    """The use cases a conversation calls on a citizen's behalf."""

    live: LiveContest
    people: People
    play: Play
    standings: Standings


@dataclass(frozen=True, slots=True)
class Ctx:
    services: Citizen
    account: Account
    state: ChatState
    now: datetime
    locale: str

    @property
    def runtime(self) -> ContestRuntime:
        return self.services.live.runtime

    @property
    def people(self) -> People:
        return self.services.people

    @property
    def play(self) -> Play:
        return self.services.play

    @property
    def standings(self) -> Standings:
        return self.services.standings

    @property
    def registered(self) -> bool:
        return self.account.participant_id is not None


def button(label_id: str, action: Action, **params: object) -> Button:
    return Button(Msg(label_id, **params), action)


def menu_buttons(ctx: Ctx) -> tuple[tuple[Button, ...], ...]:
    """The main menu; a citizen without consent gets the parts that need no personal data."""
    play = button("menu.play", Menu(MenuItem.PLAY))
    if not ctx.registered:
        play = button("menu.join", Menu(MenuItem.JOIN))
    return (
        (play, button("menu.rules", Menu(MenuItem.RULES))),
        (button("menu.tips", Menu(MenuItem.TIPS)), button("menu.results", Menu(MenuItem.RESULTS))),
        (button("menu.leaderboard", Menu(MenuItem.LEADERBOARD)), button("menu.my_data", Menu(MenuItem.DATA))),
        (button("menu.language", Menu(MenuItem.LANGUAGE)), button("menu.help", Menu(MenuItem.HELP))),
    )


def back_to_menu() -> tuple[Button, ...]:
    return (button("menu.back", Menu()),)


def say(*parts: Msg, buttons: tuple[tuple[Button, ...], ...] = (), **kw: object) -> Outcome:
    return Outcome((Reply(parts, buttons, **kw),))  # type: ignore[arg-type]


def menu(ctx: Ctx, *parts: Msg, state: ChatState | None = None, toast: Msg | None = None) -> Turn:
    """Show `parts` (or the menu title) with the main menu, back at the idle step."""
    body = parts or (Msg("menu.title"),)
    return (state or ctx.state).idle(), Outcome((Reply(body, menu_buttons(ctx)),), toast)
