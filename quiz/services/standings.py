"""Standings: one answer for every surface (citizens' views, the dashboard, exports, reports, closing).

Which round is shown, the ranking of a round, the all-correct figure, winners live or as published,
unit figures and the collective ranking. Owner of the in-memory boards and of the names at their top."""
from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from quiz.attempts import Attempt
from quiz.leaderboard import Board, build_board
from quiz.model import Round
from quiz.ports import UowFactory
from quiz.ranking import Ranked, entry_of, standing_of, standings, winners
from quiz.rounds import FrozenWinner, default_round
from quiz.services.live import LiveContest
from quiz.units import COMPARED_LEVEL, UnitStats, collective_ranking, roll_up


@dataclass(frozen=True, slots=True)
class Prizewinner:
    prize: str
    rank: int
    participant_id: int
    attempt_id: int
    correct: int
    total: int
    duration_ms: int
    prediction: int | None
    submitted_at: datetime | None  # not part of what a close publishes


@dataclass(frozen=True, slots=True)
class RoundWinners:
    round_code: str
    frozen: bool  # as published when the round closed, rather than read off the live ranking
    rows: tuple[Prizewinner, ...]
    withdrawn: tuple[int, ...] = ()  # published winners disqualified since: left out, the list needs a re-freeze


class Standings:
    BOARD_TTL = timedelta(seconds=30)  # a large board is at most this stale (plus one rebuild)
    BOARD_SYNC = 20_000  # boards smaller than this are rebuilt at once after a change
    TOP_NAMES = 100  # names kept in memory for the top of each board

    def __init__(self, *, live: LiveContest, read: UowFactory) -> None:
        self._live, self._read = live, read
        self._boards: dict[str, Board] = {}
        self._dirty: set[str] = set()
        self._rebuilding: dict[str, asyncio.Task[Board]] = {}
        self._names: dict[int, tuple[str, str]] = {}  # public names of those at the top of a board
        live.on_reload(self.invalidate)

    # which round
    def ranked_rounds(self) -> list[Round]:
        return [r for r in self._live.runtime.contest.rounds if r.ranked]

    def default_round(self, now: datetime) -> Round | None:
        return default_round(self._live.runtime.contest.rounds, now)

    def pick_round(self, code: str | None, now: datetime) -> Round | None:
        """The ranked round asked for, or the default one when none is asked for; None if unknown."""
        if not code:
            return self.default_round(now)
        return next((r for r in self.ranked_rounds() if r.code == code), None)

    # the cache
    def invalidate(self, round_code: str | None = None) -> None:
        """The next read of this round's board (of every board) rebuilds it."""
        self._dirty.update([round_code] if round_code else self._boards)

    def forget_person(self, participant_id: int) -> None:
        """A participant's name or unit changed, or they erased their data."""
        self._names.pop(participant_id, None)

    # rankings
    async def board(self, *, round_code: str, now: datetime | None = None) -> Board:
        """The round's ranking: exact for small rounds, at most BOARD_TTL stale for large ones."""
        now = now or datetime.now(UTC)
        held = self._boards.get(round_code)
        outdated = held is not None and (round_code in self._dirty or now - held.built_at > self.BOARD_TTL)
        if held is None or (outdated and len(held) < self.BOARD_SYNC):
            return await self._rebuild(round_code, now)
        if outdated and round_code not in self._rebuilding:
            task = asyncio.create_task(self._rebuild(round_code, now))
            self._rebuilding[round_code] = task
            task.add_done_callback(lambda _t: self._rebuilding.pop(round_code, None))
        return held

    async def exact_board(self, *, round_code: str, now: datetime) -> Board:
        """The round's ranking read from storage now, never a stale one."""
        return await self._rebuild(round_code, now)

    async def _rebuild(self, round_code: str, now: datetime) -> Board:
        self._dirty.discard(round_code)
        async with self._read() as uow:
            entries = await uow.attempts.entries(round_code=round_code)
            state = await uow.rounds.state(round_code)
        actual, rule = state.figure if state is not None else None, self._live.runtime.contest.verified_phones
        board = await asyncio.to_thread(lambda: build_board(round_code, standings(entries, now, rule),
                                                            actual=actual, now=now))
        await self.names([r.standing.participant_id for r in board.top(self.TOP_NAMES)], keep=True)
        self._boards[round_code] = board
        return board

    async def leaderboard(self, *, round_code: str) -> tuple[tuple[Ranked, ...], int]:
        """Strict ranking of a round and the prediction figure it used."""
        board = await self.board(round_code=round_code)
        return board.ranked, board.figure

    async def place_of(self, attempt: Attempt) -> tuple[int | None, int]:
        """Where a just-finished attempt ranks now, and how many are ranked with it."""
        board = await self.board(round_code=attempt.round_code)
        held = board.place_of(attempt.participant_id)
        return board.place_for(standing_of(entry_of(attempt))), len(board) + (0 if held else 1)

    async def all_correct(self, *, now: datetime, round_code: str | None = None) -> int:
        """Participants with every answer of a counted attempt right: in one round, or in any ranked round."""
        codes = [round_code] if round_code else [r.code for r in self.ranked_rounds()]
        ids: set[int] = set()
        for code in codes:
            ids |= (await self.board(round_code=code, now=now)).all_correct
        return len(ids)

    async def names(self, participant_ids: Sequence[int], *, keep: bool = False) -> dict[int, tuple[str, str]]:
        """Full name and unit name of each participant, for leaderboards; the top of each
        board is served from memory."""
        found = {pid: self._names[pid] for pid in participant_ids if pid in self._names}
        missing = [pid for pid in participant_ids if pid not in found]
        if missing:
            async with self._read() as uow:
                people = await uow.participants.names(missing)
            units = self._live.runtime.units
            fetched = {pid: (p.full_name, (u.name if (u := units.get(p.unit_code or "")) else ""))
                       for pid, p in people.items()}
            found.update(fetched)
            if keep:
                self._names.update(fetched)
        return found

    # winners
    async def winners(self, round_code: str, *, now: datetime) -> RoundWinners:
        """The winners published when the round closed; before that, the prize ladder down the live ranking."""
        async with self._read() as uow:
            published = await uow.rounds.winners(round_code)
            decided = await uow.reviews.of_round(round_code, statuses=("disqualified",), limit=100_000) \
                if published else []
        if published:
            out = {r.participant_id for r in decided}
            kept = tuple(_published(w) for w in published if w.participant_id not in out)
            return RoundWinners(round_code, True, kept, tuple(w.participant_id for w in published
                                                              if w.participant_id in out))
        board = await self.board(round_code=round_code, now=now)
        rows = tuple(Prizewinner(w.prize, w.ranked.rank, w.ranked.standing.participant_id,
                                 w.ranked.standing.attempt_id, w.ranked.standing.correct, w.ranked.standing.total,
                                 w.ranked.standing.duration_ms, w.ranked.standing.prediction,
                                 w.ranked.standing.submitted_at)
                     for w in winners(board.ranked, self._live.runtime.contest.prizes,
                                      self._live.runtime.contest.verified_phones))
        return RoundWinners(round_code, False, rows)

    # units
    async def unit_stats(self, *, prizewinners: Mapping[str, int] | None = None) -> list[UnitStats]:
        """Participants and attempts per unit (and prize winners, when given by unit), each unit
        including the units below it."""
        async with self._read() as uow:
            participants, attempts = await uow.counters.all()
        return roll_up(self._live.runtime.units, participants=participants, attempts=attempts, winners=prizewinners)

    async def collective(self, winner_units: Sequence[str | None]) -> tuple[list[UnitStats], list[UnitStats]]:
        """Units at the compared level ranked for the collective prize, counting the given winners'
        units; and those that cannot be ranked for want of a population."""
        won = Counter(code for code in winner_units if code)
        return collective_ranking(await self.unit_stats(prizewinners=won), depth=COMPARED_LEVEL)


def _published(w: FrozenWinner) -> Prizewinner:
    return Prizewinner(w.prize, w.rank, w.participant_id, w.attempt_id, w.correct, w.total, w.duration_ms,
                       w.prediction, None)
