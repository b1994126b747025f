"""Conversations over the in-memory use cases: the whole engine, its flows and catalogs, in milliseconds."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from bot.content import read_pack
from bot.dispatch import Dispatcher
from bot.i18n import Translator
from bot.state import MemoryStates
from conftest import Clock
from fakes import use_cases
from quiz.conversation.context import Citizen
from quiz.conversation.engine import Conversation
from quiz.identity import VerifiedRule
from quiz.ports import PhoneVerifier
from quiz.runtime import ContestRuntime
from quiz.services import UseCases

from .people import Person

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_PACK = ROOT / "tests" / "fixtures" / "pack"
HA_GIANG = ROOT / "content" / "ha-giang"


class World:
    """One contest's use cases, the engine over them, and the people talking to it."""

    def __init__(self, pack: Path, clock: Clock, *, verifier: PhoneVerifier | None = None,
                 verified_phones: VerifiedRule | None = None) -> None:
        runtime = ContestRuntime.from_pack(read_pack(pack))
        if verified_phones is not None:  # the pack's contest, asking this of numbers
            runtime = replace(runtime, contest=replace(runtime.contest, verified_phones=verified_phones))
        self.uses, self.memory = use_cases(runtime, verifier=verifier)
        self.clock = clock
        self.states = MemoryStates()
        citizen = Citizen(self.uses.live, self.uses.people, self.uses.play, self.uses.standings,
                          self.uses.phone_codes)
        self.dispatcher = Dispatcher(Conversation(citizen), self.states, clock=clock)
        self.translator = Translator(ROOT / "locales", tz=runtime.contest.timezone)

    def person(self, user: str = "an", *, channel: str = "console", page: bool = False) -> Person:
        """Someone in the chat; `page`: the same account speaking through a web page (the Telegram Mini App)."""
        return Person(self, user, channel=channel, page=page)


@pytest.fixture
def world(clock: Clock) -> World:
    """The fixture contest: "chinh" (10 questions, 10 minutes, a prediction) and "luyen" (practice, 3)."""
    return World(FIXTURE_PACK, clock)


@pytest.fixture
def uses(world: World) -> UseCases:
    return world.uses


@pytest.fixture
def ha_giang() -> Callable[[Clock], World]:
    return lambda clock: World(HA_GIANG, clock)
