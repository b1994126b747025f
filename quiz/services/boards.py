"""Rankings: boards per round, names on them, unit statistics, regrading, closing a round."""
from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timezone

from quiz.attempts import Attempt
from quiz.leaderboard import Board, build_board
from quiz.model import Question
from quiz.ranking import Ranked, Standing, all_correct_count
from quiz.regrade import corrected_keys, judge_again
from quiz.services.base import ServiceBase
from quiz.units import UnitStats, roll_up


class BoardServices(ServiceBase):
    # rankings
    async def board(self, *, round_code: str, now: datetime | None = None) -> Board:
        """The round's ranking: exact for small rounds, at most BOARD_TTL stale for large ones."""
        now = now or datetime.now(timezone.utc)
        held = self._boards.get(round_code)
        outdated = held is not None and (round_code in self._dirty or now - held.built_at > self.BOARD_TTL)
        if held is None or (outdated and len(held) < self.BOARD_SYNC):
            return await self._rebuild(round_code, now)
        if outdated and round_code not in self._rebuilding:
            task = asyncio.create_task(self._rebuild(round_code, now))
            self._rebuilding[round_code] = task
            task.add_done_callback(lambda _t: self._rebuilding.pop(round_code, None))
        return held

    async def _rebuild(self, round_code: str, now: datetime) -> Board:
        self._dirty.discard(round_code)
        async with self._read() as uow:
            standings = await uow.attempts.standings(round_code=round_code)
            actual = await uow.rounds.actual_figure(round_code)
        board = await asyncio.to_thread(build_board, round_code, standings, actual=actual, now=now)
        await self.names([r.standing.participant_id for r in board.top(self.TOP_NAMES)], keep=True)
        self._boards[round_code] = board
        return board

    async def leaderboard(self, *, round_code: str) -> tuple[tuple[Ranked, ...], int]:
        """Strict ranking of a round and the prediction figure it used."""
        board = await self.board(round_code=round_code)
        return board.ranked, board.figure

    async def exact_board(self, *, round_code: str, now: datetime) -> Board:
        """The round's ranking read from storage now, never a stale one: for closing and publishing."""
        return await self._rebuild(round_code, now)

    async def _rank_of(self, att: Attempt) -> tuple[int | None, int]:
        board = await self.board(round_code=att.round_code)
        mine = Standing(att.participant_id, att.id, att.correct, len(att.paper),
                        int(att.duration().total_seconds() * 1000), att.finished_at or att.deadline, att.prediction)
        held = board.place_of(att.participant_id)
        return board.place_for(mine), len(board) + (0 if held else 1)

    async def names(self, participant_ids: list[int], *, keep: bool = False) -> dict[int, tuple[str, str]]:
        """Full name and unit name of each participant, for leaderboards; the top of each
        board is served from memory."""
        found = {pid: self._names[pid] for pid in participant_ids if pid in self._names}
        missing = [pid for pid in participant_ids if pid not in found]
        if missing:
            async with self._read() as uow:
                people = await uow.participants.names(missing)
            units = self.runtime.units
            fetched = {pid: (p.full_name, (u.name if (u := units.get(p.unit_code or "")) else ""))
                       for pid, p in people.items()}
            found.update(fetched)
            if keep:
                self._names.update(fetched)
        return found

    async def unit_stats(self) -> list[UnitStats]:
        """Participants and attempts per unit, each unit including the units below it."""
        async with self._read() as uow:
            participants, attempts = await uow.counters.all()
        return roll_up(self.runtime.units, participants=participants, attempts=attempts)

    async def regrade(self, *, set_name: str, questions: Sequence[Question]) -> tuple[int, int]:
        """Re-score past answers to questions whose key `questions` corrects; return
        (answers changed, attempts affected). Leaderboards rebuild from the new scores."""
        earlier = [qs for (name, _v), qs in self.runtime.archive.items() if name == set_name]
        keys = corrected_keys(earlier, questions)
        if not keys:
            return 0, 0
        by_version = {qs.version: qs.by_id() for qs in earlier}
        ids = sorted({qid for per in keys.values() for qid in per})
        async with self._uow() as uow:
            stored = await uow.attempts.answers_to(set_name=set_name, versions=sorted(keys), question_ids=ids)
            changes = []
            for a in stored:
                qid = a.item.question_id
                right = keys[a.set_version].get(qid)
                if right is None:
                    continue
                now_correct = judge_again(a, by_version[a.set_version][qid], right)
                if now_correct != a.correct:
                    changes.append((a.attempt_id, a.position, now_correct))
            rounds = await uow.attempts.rescore(changes=changes)
            await uow.commit()
        for code in rounds:
            self._changed(code)
        for attempt_id, _p, _c in changes:
            self._cached.pop(attempt_id, None)
        return len(changes), len({c[0] for c in changes})

    async def closed_rounds_using(self, set_name: str) -> list[str]:
        """Closed rounds drawing from this set: their frozen winners do not follow a regrade."""
        closed = []
        async with self._read() as uow:
            for r in self.runtime.contest.rounds:
                if r.question_set == set_name and r.ranked and await uow.rounds.actual_figure(r.code) is not None:
                    closed.append(r.code)
        return closed

    async def close_round(self, *, round_code: str, now: datetime) -> int:
        """Freeze the round's actual prediction figure (participants with every answer right)."""
        async with self._uow() as uow:
            figure = all_correct_count(await uow.attempts.standings(round_code=round_code))
            await uow.rounds.close(round_code=round_code, actual=figure, now=now)
            await uow.commit()
        self._changed(round_code)
        return figure
