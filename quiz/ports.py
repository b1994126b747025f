"""What the core needs from storage. Repositories never commit; the unit of work does."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, Self

from quiz.attempts import Attempt, PaperItem
from quiz.ranking import Standing
from quiz.regrade import StoredAnswer


@dataclass(frozen=True, slots=True)
class Account:
    """A chat account on one channel (telegram, zalo, web, console)."""

    id: int
    channel: str
    external_id: str
    participant_id: int | None
    locale: str | None


@dataclass(frozen=True, slots=True)
class Participant:
    id: int
    full_name: str
    birth_year: int | None
    phone: str | None
    unit_code: str | None
    referral: str | None
    registered_at: datetime
    erased: bool = False


@dataclass(frozen=True, slots=True)
class Consent:
    purpose: str
    granted: bool
    text_version: str
    at: datetime


@dataclass(frozen=True, slots=True)
class NewAttempt:
    participant_id: int
    round_code: str
    set_name: str
    set_version: int
    paper: tuple[PaperItem, ...]
    started_at: datetime
    deadline: datetime
    practice: bool
    seq: int
    day: date


class PhoneTaken(Exception):
    """Another participant already registered this phone number."""


class AttemptRace(Exception):
    """Another request started an attempt at the same moment; retry reads it."""


@dataclass(frozen=True, slots=True)
class LinkCode:
    """A one-time code that lets another chat account join a participant."""

    code: str
    participant_id: int
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


class AccountTaken(Exception):
    """The participant already has an account on that channel (one account per channel)."""


class Accounts(Protocol):
    async def find(self, *, channel: str, external_id: str) -> Account | None: ...
    async def get_or_create(self, *, channel: str, external_id: str, locale: str | None, now: datetime) -> Account: ...
    async def get(self, account_id: int) -> Account | None: ...
    async def set_locale(self, *, account_id: int, locale: str) -> None: ...
    async def link(self, *, account_id: int, participant_id: int) -> None: ...
    async def forget_participant(self, *, participant_id: int) -> None: ...


class Participants(Protocol):
    async def add(self, *, full_name: str, birth_year: int, phone: str, unit_code: str,
                  referral: str | None, now: datetime) -> Participant: ...
    async def get(self, participant_id: int) -> Participant | None: ...
    async def phone_taken(self, phone: str) -> bool: ...
    async def anonymise(self, *, participant_id: int, now: datetime) -> None: ...
    async def set_unit(self, *, participant_id: int, unit_code: str) -> None: ...
    async def names(self, ids: Sequence[int]) -> Mapping[int, Participant]: ...


class Consents(Protocol):
    async def record(self, *, account_id: int, purpose: str, granted: bool, text_version: str, now: datetime) -> None: ...
    async def latest(self, *, account_id: int) -> Mapping[str, Consent]: ...
    async def attach(self, *, account_id: int, participant_id: int) -> None: ...
    async def of_participant(self, *, participant_id: int) -> list[Consent]: ...


class Attempts(Protocol):
    async def add(self, new: NewAttempt) -> Attempt: ...
    async def get(self, attempt_id: int) -> Attempt | None: ...
    async def open_for(self, *, participant_id: int, round_code: str) -> Attempt | None: ...
    async def count(self, *, participant_id: int, round_code: str, day: date | None = None) -> int: ...
    async def answers(self, attempt_id: int) -> dict[int, int]: ...
    async def record_answer(self, *, attempt_id: int, position: int, question_id: str, choice: int, correct: bool,
                            now: datetime) -> bool: ...
    async def set_prediction(self, *, attempt_id: int, prediction: int) -> None: ...
    async def finish(self, *, attempt_id: int, at: datetime) -> Attempt | None: ...
    async def standings(self, *, round_code: str) -> list[Standing]: ...
    async def of_participant(self, *, participant_id: int) -> list[Attempt]: ...
    async def answers_to(self, *, set_name: str, versions: Sequence[int],
                         question_ids: Sequence[str]) -> list[StoredAnswer]: ...
    async def rescore(self, *, changes: Sequence[tuple[int, int, bool]]) -> list[str]:
        """Set (attempt, position) → correct, recount those attempts; return their rounds."""
        ...


class UnitCounters(Protocol):
    async def bump(self, *, unit_code: str, participants: int = 0, attempts: int = 0) -> None: ...
    async def all(self) -> tuple[Mapping[str, int], Mapping[str, int]]: ...


class RoundStates(Protocol):
    async def actual_figure(self, round_code: str) -> int | None: ...
    async def close(self, *, round_code: str, actual: int, now: datetime) -> None: ...


class Links(Protocol):
    """One-time link codes, and chat accounts joining a participant."""

    async def add(self, link: LinkCode) -> bool: ...  # False if the code is already taken
    async def get(self, code: str) -> LinkCode | None: ...
    async def use(self, *, code: str, now: datetime) -> bool: ...  # False if used or expired meanwhile
    async def revoke(self, *, participant_id: int, now: datetime) -> None: ...
    async def account_on(self, *, participant_id: int, channel: str) -> Account | None: ...
    async def attach(self, *, account_id: int, participant_id: int) -> bool: ...  # AccountTaken


class AnswerLog(Protocol):
    """Stores answers durably; True only if this answer was stored (position free, attempt open)."""

    async def record(self, *, attempt_id: int, position: int, question_id: str, choice: int, correct: bool,
                     now: datetime) -> bool: ...


class UnitOfWork(Protocol):
    """A transaction over the repositories of one contest."""

    accounts: Accounts
    participants: Participants
    consents: Consents
    attempts: Attempts
    counters: UnitCounters
    rounds: RoundStates
    links: Links

    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def commit(self) -> None: ...
