"""Standings: one answer for every surface (citizens' views, the dashboard, exports, reports, closing).

Which round is shown, the ranking of a round, the all-correct figure, winners live or as published,
unit figures and the collective ranking. Citizens read the live boards every worker shares, kept up as
attempts are handed in (quiz.services.boards); organisers' whole rankings are read from storage into
this worker's memory when they ask, and kept BOARD_TTL."""
from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from quiz.attempts import Attempt
from quiz.boards import Glimpse
from quiz.identity import VerifiedRule
from quiz.leaderboard import Board, build_board
from quiz.model import Round
from quiz.ports import Boards, UowFactory
from quiz.privacy import public_name
from quiz.ranking import Entry, Ranked, entry_of, standing_of, standings, winners
from quiz.rounds import FrozenWinner, default_round
from quiz.season import has_opened
from quiz.services.boards import LiveBoards
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

    def __init__(self, *, live: LiveContest, uow: UowFactory, read: UowFactory, boards: Boards) -> None:
        self._live, self._uow, self._read = live, uow, read
        self.live_boards = LiveBoards(live=live, read=read, store=boards)
        self._shared = boards
        self._boards: dict[str, Board] = {}
        self._revisions: dict[str, int] = {}  # the shared revision each held board was built at (Boards.revise)
        self._dirty: set[str] = set()
        self._rebuilding: dict[str, asyncio.Task[Board]] = {}
        # Full names of those at the top of each board, read with it (as fresh as the board, BOARD_TTL): another
        # worker may change a name or unit, and says so only to the shared store.
        self._top_names: dict[str, dict[int, tuple[str, str]]] = {}
        self._forgetting: set[asyncio.Task[None]] = set()
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
        """The next read of this round's whole ranking (of every one) here reads storage again."""
        self._dirty.update([round_code] if round_code else self._boards)

    def forget_person(self, participant_id: int) -> None:
        """A participant's name or unit changed, or they erased their data."""
        self._drop_top_name(participant_id)
        task = asyncio.get_running_loop().create_task(self._shared.forget_names([participant_id]))
        self._forgetting.add(task)  # kept until done; names are read after it (`public_names`)
        task.add_done_callback(self._forgetting.discard)

    # who counts
    async def handed_in(self, attempt: Attempt, *, now: datetime, entries: Sequence[Entry] | None = None) -> None:
        """An attempt finished, or ended at its deadline: its participant moves on the live board at once.
        `entries`: what storage says of it (read here if not given)."""
        self.invalidate(attempt.round_code)
        if attempt.practice:
            return
        if entries is None:
            async with self._read() as uow:
                entries = await uow.attempts.entries(round_code=attempt.round_code, ids=[attempt.id])
        await self.live_boards.handed_in(attempt.round_code, entries, now=now)

    async def changed(self, round_code: str | None = None) -> None:
        """Who counts in the round (in every round) changed in a way only storage can tell (a regrade, a
        decision, a round closed or reopened): every worker's board of it is built again."""
        self.invalidate(round_code)
        for code in [round_code] if round_code else [r.code for r in self.ranked_rounds()]:
            await self._shared.revise(code)
            await self.live_boards.changed(code)

    async def left(self, participant_id: int, *, round_code: str | None = None) -> None:
        """The participant no longer counts in the round (in any round): erased, withdrawn, disqualified."""
        self.invalidate(round_code)
        if round_code is None:
            self._drop_top_name(participant_id)
            await self._shared.forget_names([participant_id])
        for code in [round_code] if round_code else [r.code for r in self.ranked_rounds()]:
            await self._shared.revise(code)
            await self.live_boards.remove(code, participant_id)

    async def verified(self, participant_id: int) -> None:
        """The participant's number is proven now: under a contest that ranks proven numbers only, their
        attempts count from now on (each of their rounds `changed`); otherwise who may win changed, here and
        on every worker."""
        self.forget_person(participant_id)
        if self._live.runtime.contest.verified_phones is not VerifiedRule.TO_RANK:
            self.invalidate()
            for r in self.ranked_rounds():
                await self._shared.revise(r.code)
            return
        async with self._read() as uow:
            rounds = {a.round_code for a in await uow.attempts.of_participant(participant_id=participant_id)
                      if not a.practice}
        for code in sorted(rounds):
            await self.changed(code)

    async def upkeep(self, *, now: datetime) -> None:
        """The scheduler's tick: attempts left open past their deadline are handed in; boards missing or
        stale are built (by one worker)."""
        for r in self.ranked_rounds():
            if has_opened(r, now) and (r.closes is None or now <= r.closes + r.time_limit):  # attempts may be open
                async with self._uow() as uow:
                    ids = await uow.attempts.hand_in_expired(round_code=r.code, now=now)
                    await uow.commit()
                if ids:
                    async with self._read() as uow:
                        entries = await uow.attempts.entries(round_code=r.code, ids=ids)
                    await self.live_boards.handed_in(r.code, entries, now=now)
                    self.invalidate(r.code)
            await self.live_boards.refresh(r.code, now=now)

    # the citizens' leaderboard
    async def glimpse(self, *, round_code: str, top: int, participant_id: int | None,
                      now: datetime) -> Glimpse:
        """The first `top` of the round's live board, how many are ranked, and the participant's own row."""
        return await self.live_boards.glimpse(round_code, top=top, participant_id=participant_id, now=now)

    def _drop_top_name(self, participant_id: int) -> None:
        for top in self._top_names.values():
            top.pop(participant_id, None)

    async def public_names(self, participant_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """The name others may see (quiz.privacy) and the unit name of each participant, kept for every worker:
        what is missing there is read from storage, never from this worker's copy, which may be older."""
        if self._forgetting:
            await asyncio.wait(list(self._forgetting))
        found = await self._shared.names(participant_ids)
        missing = [pid for pid in participant_ids if pid not in found]
        if missing:
            fetched = {pid: (public_name(name), unit) for pid, (name, unit) in (await self._stored(missing)).items()}
            await self._shared.keep_names(fetched)
            found.update(fetched)
        return found

    # rankings
    async def board(self, *, round_code: str, now: datetime | None = None, current: bool = False) -> Board:
        """The round's ranking: exact for small rounds, at most BOARD_TTL stale for large ones, which are built
        again in the background meanwhile. `current` (an export, which decisions are taken from): a large
        one out of date is built again first, too."""
        now = now or datetime.now(UTC)
        held = self._boards.get(round_code)
        revision = await self._shared.revision(round_code)  # a decision on another worker
        outdated = held is not None and (round_code in self._dirty or now - held.built_at > self.BOARD_TTL
                                         or self._revisions.get(round_code) != revision)
        if held is None or (outdated and (current or len(held) < self.BOARD_SYNC)):
            return await self._rebuild(round_code, now, revision)
        if outdated and round_code not in self._rebuilding:
            task = asyncio.create_task(self._rebuild(round_code, now, revision))
            self._rebuilding[round_code] = task
            task.add_done_callback(lambda _t: self._rebuilding.pop(round_code, None))
        return held

    def updating(self, round_code: str) -> bool:
        """Whether this worker is building the round's board again (a large one, served as held meanwhile)."""
        return round_code in self._rebuilding

    async def exact_board(self, *, round_code: str, now: datetime) -> Board:
        """The round's ranking read from storage now, never a stale one."""
        return await self._rebuild(round_code, now, await self._shared.revision(round_code))

    async def _rebuild(self, round_code: str, now: datetime, revision: int) -> Board:
        """Build from storage; `revision`, read before it, says which decisions the board holds (at least)."""
        self._dirty.discard(round_code)
        async with self._read() as uow:
            entries = await uow.attempts.entries(round_code=round_code)
            state = await uow.rounds.state(round_code)
        actual, rule = state.figure if state is not None else None, self._live.runtime.contest.verified_phones
        board = await asyncio.to_thread(lambda: build_board(round_code, standings(entries, now, rule),
                                                            actual=actual, now=now))
        self._top_names[round_code] = await self._stored([r.standing.participant_id for r in board.top(self.TOP_NAMES)])
        self._boards[round_code] = board
        self._revisions[round_code] = revision
        return board

    async def leaderboard(self, *, round_code: str, current: bool = False) -> tuple[tuple[Ranked, ...], int]:
        """Strict ranking of a round and the prediction figure it used (`current`: see `board`)."""
        board = await self.board(round_code=round_code, current=current)
        return board.ranked, board.figure

    async def place_of(self, attempt: Attempt, *, now: datetime) -> tuple[int | None, int]:
        """Where a just-finished attempt ranks now, and how many are ranked with it."""
        return await self.live_boards.place_for(attempt.round_code, standing_of(entry_of(attempt)), now=now)

    async def all_correct(self, *, now: datetime, round_code: str | None = None) -> int:
        """Participants with every answer of a counted attempt right: in one round, or in any ranked round."""
        codes = [round_code] if round_code else [r.code for r in self.ranked_rounds()]
        return await self.live_boards.perfect(codes, now=now)

    async def names(self, participant_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """Full name and unit name of each participant, for leaderboards; the top of each board as read with
        it, everyone else from storage."""
        found: dict[int, tuple[str, str]] = {}
        for top in self._top_names.values():
            found.update((pid, top[pid]) for pid in participant_ids if pid in top)
        missing = [pid for pid in participant_ids if pid not in found]
        if missing:
            found.update(await self._stored(missing))
        return found

    async def _stored(self, participant_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        if not participant_ids:
            return {}
        async with self._read() as uow:
            people = await uow.participants.names(participant_ids)
        units = self._live.runtime.units
        return {pid: (p.full_name, (u.name if (u := units.get(p.unit_code or "")) else ""))
                for pid, p in people.items()}

    # winners
    async def winners(self, round_code: str, *, now: datetime, current: bool = False) -> RoundWinners:
        """The winners published when the round closed; before that, the prize ladder down the live ranking
        (`current`: see `board`)."""
        async with self._read() as uow:
            published = await uow.rounds.winners(round_code)
            decided = await uow.reviews.of_round(round_code, statuses=("disqualified",), limit=100_000) \
                if published else []
        if published:
            out = {r.participant_id for r in decided}
            kept = tuple(_published(w) for w in published if w.participant_id not in out)
            return RoundWinners(round_code, True, kept, tuple(w.participant_id for w in published
                                                              if w.participant_id in out))
        board = await self.board(round_code=round_code, now=now, current=current)
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
