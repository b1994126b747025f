"""What every flow step sees: the services, the account, its state and the time."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from quiz.conversation.actions import Action, Continue, Menu, MenuItem
from quiz.conversation.messages import Button, Msg, Outcome, Reply
from quiz.conversation.state import ChatState, Step
from quiz.model import Localized, Round
from quiz.people import Account
from quiz.runtime import ContestRuntime
from quiz.services.live import LiveContest
from quiz.services.people import People
from quiz.services.phone_codes import PhoneCodes
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
    phone_codes: PhoneCodes | None = None  # one-time codes by SMS, when a gateway is configured


@dataclass(frozen=True, slots=True)
class Ctx:
    services: Citizen
    account: Account
    state: ChatState
    now: datetime
    locale: str
    public: bool = False  # a group chat: only reading, and nothing of this citizen's own flow is shown
    address: str | None = None  # where the event came from (a browser's address): limits on texts sent
    page: bool = False  # a web page speaking for a platform's account (the Telegram Mini App)

    def with_state(self, state: ChatState) -> Ctx:
        return replace(self, state=state)

    def with_account(self, account: Account) -> Ctx:
        return replace(self, account=account)

    def with_locale(self, locale: str) -> Ctx:
        return replace(self, locale=locale)

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

    @property
    def codes(self) -> PhoneCodes | None:
        """One-time codes by SMS, or None when no gateway is configured."""
        codes = self.services.phone_codes
        return codes if codes is not None and codes.configured else None

    @property
    def asker(self) -> str:
        """Who asks for a code, for its limits: the browser's address, else the chat account."""
        return self.address or f"{self.account.channel}:{self.account.external_id}"


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


def back(ctx: Ctx) -> tuple[Button, ...]:
    """Under something read in the middle of a flow: the way back to it, and the menu."""
    if ctx.public or ctx.state.step is Step.IDLE:
        return back_to_menu()
    return (button("menu.continue", Continue()), *back_to_menu())


def round_title(ctx: Ctx, r: Round) -> Msg | Localized:
    """A round as citizens read its name: a practice round is always called practice, whatever its title."""
    if not r.practice:
        return r.title
    if sum(1 for other in ctx.runtime.contest.rounds if other.practice) > 1:
        return Msg("round.practice_named", title=r.title)
    return Msg("round.practice")


def say(*parts: Msg, buttons: tuple[tuple[Button, ...], ...] = (), **kw: object) -> Outcome:
    return Outcome((Reply(parts, buttons, **kw),))  # type: ignore[arg-type]


def menu(ctx: Ctx, *parts: Msg, state: ChatState | None = None, toast: Msg | None = None) -> Turn:
    """Show `parts` (or the menu title) with the main menu, back at the idle step."""
    body = parts or (Msg("menu.title"),)
    return (state or ctx.state).idle(), Outcome((Reply(body, menu_buttons(ctx)),), toast)


class Elsewhere(Exception):
    """A press that does not apply where the conversation is: the engine shows the real screen instead,
    marked stale, with `toast` (or "no longer valid")."""

    def __init__(self, toast: Msg | None = None) -> None:
        super().__init__("not where the conversation is")
        self.toast = toast


REGISTERING = frozenset({Step.REG_NAME, Step.REG_YEAR, Step.REG_GUARDIAN_NAME, Step.REG_GUARDIAN_PHONE,
                         Step.REG_GUARDIAN_CODE, Step.REG_GUARDIAN_OK, Step.REG_PHONE, Step.REG_CODE, Step.REG_UNIT,
                         Step.REG_CONFIRM})


def registering(ctx: Ctx) -> bool:
    """In the middle of registering (or of changing one's unit, which walks the same steps)."""
    step = ctx.state.step
    if step not in REGISTERING:
        return False
    return not ctx.registered or (step is Step.REG_UNIT and bool(ctx.state.data.get("changing")))


def refused(turn: Turn) -> Turn:
    """The same screen, marked as the answer to a button that no longer applies."""
    state, outcome = turn
    return state, replace(outcome, stale=True, toast=outcome.toast or Msg("toast.stale"))
