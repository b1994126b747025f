"""Managing rounds: settings checked by the contest pack's own rules; closing freezes the winners."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from quiz.model import Localized, Prizes, QuestionSet, Round
from quiz.pack import TIME_FORMAT, parse_round, round_fit_problems
from quiz.problems import Invalid
from quiz.ranking import Ranked, winners
from quiz.services import Services

# What an admin may set, named as in a pack's `rounds:` entries.
SETTINGS = frozenset({"title", "question_set", "questions_per_attempt", "time_limit_minutes", "opens", "closes",
                      "attempts_per_round", "attempts_per_day", "practice", "prediction", "topic_quotas"})


class RoundRefused(Exception):
    """A change the round's state forbids; `message_id` says why in the catalogs."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason, self.params = reason, params

    @property
    def message_id(self) -> str:
        return f"rounds.refused.{self.reason}"


@dataclass(frozen=True, slots=True)
class RoundState:
    """A round's settings with what closing it fixed: when, and the actual prediction figure."""

    round: Round
    closed_at: datetime | None = None
    figure: int | None = None

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


@dataclass(frozen=True, slots=True)
class FrozenWinner:
    """A prize as published when the round closed; later erasures and regrades leave it as it is."""

    rank: int
    prize: str
    participant_id: int
    attempt_id: int
    correct: int
    total: int
    duration_ms: int
    prediction: int | None


@dataclass(frozen=True, slots=True)
class Closing:
    round_code: str
    figure: int
    winners: tuple[FrozenWinner, ...]
    stopped: int = 0  # attempts still open that the close ended
    already: bool = False  # the round had been closed before


def settings_of(r: Round, tz: ZoneInfo) -> dict[str, Any]:
    """A round in its pack form, so that a change is checked exactly as a pack is."""
    def when(moment: datetime | None) -> str | None:
        return moment.astimezone(tz).strftime(TIME_FORMAT) if moment else None

    return {"code": r.code, "title": dict(r.title), "question_set": r.question_set,
            "questions_per_attempt": r.questions_per_attempt,
            "time_limit_minutes": int(r.time_limit.total_seconds() // 60), "opens": when(r.opens),
            "closes": when(r.closes), "attempts_per_round": r.attempts_per_round,
            "attempts_per_day": r.attempts_per_day, "practice": r.practice, "prediction": r.prediction,
            "topic_quotas": dict(r.topic_quotas)}


def changed_round(current: Round | None, changes: Mapping[str, Any], *, code: str, tz: ZoneInfo,
                  sets: Mapping[str, QuestionSet], topics: Mapping[str, Localized]) -> Round:
    """`current` (or a new round) with `changes` applied; Invalid lists every rule broken."""
    unknown = sorted(set(changes) - SETTINGS)
    if unknown:
        raise RoundRefused("unknown_setting", keys=", ".join(unknown))
    raw = {**(settings_of(current, tz) if current else {}), **changes, "code": code}
    for key in ("questions_per_attempt", "time_limit_minutes"):  # left empty: reported as missing
        if raw.get(key) is None:
            raw.pop(key, None)
    new, problems = parse_round(raw, tz=tz, file="")
    if new is not None:
        problems += round_fit_problems(new, sets=sets, topics=topics, file="")
    if new is None or problems:
        raise Invalid(problems)
    return new


def due_to_close(state: RoundState, now: datetime) -> bool:
    """Past its closing time by one time limit, so an attempt begun just before it kept its full time."""
    r = state.round
    return not state.closed and r.closes is not None and now >= r.closes + r.time_limit


def frozen_winners(ranked: Sequence[Ranked], prizes: Prizes) -> list[FrozenWinner]:
    out = []
    for w in winners(ranked, prizes):
        s = w.ranked.standing
        out.append(FrozenWinner(w.ranked.rank, w.prize, s.participant_id, s.attempt_id, s.correct, s.total,
                                s.duration_ms, s.prediction))
    return out


class RoundStore(Protocol):
    """Rounds as storage keeps them; each call is its own transaction."""

    async def states(self) -> list[RoundState]: ...
    async def save(self, round_: Round) -> None: ...
    async def has_attempts(self, round_code: str) -> bool: ...
    async def stop(self, *, round_code: str, at: datetime) -> int:
        """End the round's open attempts at `at` (at their deadline if earlier); how many."""
        ...
    async def freeze(self, *, round_code: str, winners: Sequence[FrozenWinner], replace: bool) -> list[FrozenWinner]:
        """Store the winners unless some are stored (then return those), or replace them."""
        ...
    async def winners(self, round_code: str) -> list[FrozenWinner]: ...
    async def reopen(self, round_code: str) -> None:
        """Forget the close: its time, figure and winners."""
        ...


class RoundAdmin:
    """Create, change, open and close rounds; the running contest follows every change."""

    def __init__(self, *, services: Services, store: RoundStore) -> None:
        self._services, self._store = services, store

    async def sync(self) -> list[RoundState]:
        """Read the rounds from storage and serve them (another worker may have changed them)."""
        states = await self._store.states()
        rounds = tuple(s.round for s in states)
        runtime = self._services.runtime
        if rounds != runtime.contest.rounds:
            runtime.contest = replace(runtime.contest, rounds=rounds)
        return states

    async def state(self, code: str) -> RoundState:
        found = next((s for s in await self.sync() if s.round.code == code), None)
        if found is None:
            raise RoundRefused("unknown_round", code=code)
        return found

    def _checked(self, current: Round | None, changes: Mapping[str, Any], code: str) -> Round:
        rt = self._services.runtime
        return changed_round(current, changes, code=code, tz=rt.tz, sets=rt.sets, topics=rt.contest.topics)

    async def _save(self, round_: Round) -> Round:
        await self._store.save(round_)
        await self.sync()
        return round_

    async def create(self, code: str, settings: Mapping[str, Any]) -> Round:
        if self._services.runtime.contest.round(code) is not None:
            raise RoundRefused("exists", code=code)
        return await self._save(self._checked(None, settings, code))

    async def change(self, code: str, changes: Mapping[str, Any]) -> Round:
        """New settings for a round that is not closed; practice is fixed once anyone has taken it."""
        state = await self.state(code)
        if state.closed:
            raise RoundRefused("closed", code=code)
        new = self._checked(state.round, changes, code)
        if new.practice != state.round.practice and await self._store.has_attempts(code):
            raise RoundRefused("practice_locked", code=code)
        return await self._save(new)

    async def open(self, code: str, *, now: datetime, reopen: bool = False) -> Round:
        """Open the round from now on with no closing time; a closed round only with `reopen`,
        which withdraws its published winners."""
        state = await self.state(code)
        if state.closed:
            if not reopen:
                raise RoundRefused("closed", code=code)
            await self._store.reopen(code)
            await self._services.exact_board(round_code=code, now=now)  # the live figure ranks again
        r = state.round
        opens = None if r.opens is None else min(r.opens, now)
        closes = r.closes if r.closes is None or r.closes > now else None
        return await self._save(replace(r, opens=opens, closes=closes))

    async def close(self, code: str, *, now: datetime, refreeze: bool = False) -> Closing:
        """Stop the round, fix its actual prediction figure and freeze its winners.

        Attempts still open end now with the answers they have. Closing again changes nothing
        unless `refreeze` (after a regrade) computes figure and winners anew."""
        state = await self.state(code)
        if state.closed and not refreeze:
            held = await self._store.winners(code)
            if held:
                return Closing(code, state.figure or 0, tuple(held), already=True)
            # closed without stored winners: nobody ranked, or a close stopped between its steps
            board = await self._services.exact_board(round_code=code, now=now)
            frozen = await self._store.freeze(round_code=code, replace=False,
                                              winners=frozen_winners(board.ranked, self._prizes()))
            return Closing(code, board.figure, tuple(frozen), already=True)
        stopped = 0
        if not state.closed:
            r = state.round
            stopped = await self._store.stop(round_code=code, at=now)
            if r.closes is None or r.closes > now:
                await self._save(replace(r, opens=None if r.opens is None else min(r.opens, now), closes=now))
        figure = await self._services.close_round(round_code=code, now=now)
        board = await self._services.exact_board(round_code=code, now=now)  # ranked with that figure
        frozen = await self._store.freeze(round_code=code, replace=refreeze,
                                          winners=frozen_winners(board.ranked, self._prizes()))
        return Closing(code, figure, tuple(frozen), stopped)

    async def close_due(self, *, now: datetime) -> list[Closing]:
        """Close every round whose time is up (the scheduler's job)."""
        return [await self.close(s.round.code, now=now) for s in await self.sync() if due_to_close(s, now)]

    async def winners(self, code: str) -> list[FrozenWinner]:
        return await self._store.winners(code)

    def _prizes(self) -> Prizes:
        return self._services.runtime.contest.prizes
