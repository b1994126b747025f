"""Rounds in SQL: settings rows, closing, the frozen winners. Never commits: the unit of work does."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from bot.storage import tables as t
from bot.storage.codec import round_from_json, round_to_json
from bot.storage.repositories import _Repo
from quiz.model import Round
from quiz.rounds import FrozenWinner, RoundRefused, RoundState

_R, _W = t.rounds.c, t.round_winners.c
_STATES = select(t.rounds).where(_R.contest_id == bindparam("cid")).order_by(_R.position)  # on every finish


class SqlRounds(_Repo):
    def _where(self, round_code: str) -> ColumnElement[bool]:
        return and_(_R.contest_id == self.scope.contest_id, _R.code == round_code)

    async def _rid(self, round_code: str) -> int | None:
        rid = self.scope.round_ids.get(round_code)
        if rid is None:  # created by another worker since this one loaded the contest
            rid = (await self.conn.execute(select(_R.id).where(self._where(round_code)))).scalar()
        return rid

    async def states(self) -> list[RoundState]:
        rows = (await self.conn.execute(_STATES, {"cid": self.scope.contest_id})).all()
        return [RoundState(round_from_json(r.code, r.config), r.closed_at, r.actual_figure) for r in rows]

    async def state(self, round_code: str, *, lock: bool = False) -> RoundState | None:
        q = select(t.rounds).where(self._where(round_code))
        if lock:
            q = q.with_for_update()  # PostgreSQL; SQLite's writer already holds the database
        r = (await self.conn.execute(q)).first()
        return RoundState(round_from_json(r.code, r.config), r.closed_at, r.actual_figure) if r else None

    async def save(self, round_: Round) -> None:
        config = round_to_json(round_)
        done = await self.conn.execute(update(t.rounds).where(self._where(round_.code)).values(config=config))
        if done.rowcount:
            return
        last = (await self.conn.execute(select(func.max(_R.position))
                                        .where(_R.contest_id == self.scope.contest_id))).scalar()
        try:
            async with self.conn.begin_nested():
                await self.conn.execute(insert(t.rounds).values(
                    contest_id=self.scope.contest_id, code=round_.code,
                    position=(last if last is not None else -1) + 1, config=config))
        except IntegrityError as exc:  # created at the same moment elsewhere
            raise RoundRefused("exists", code=round_.code) from exc

    async def close(self, *, round_code: str, actual: int, now: datetime) -> None:
        await self.conn.execute(update(t.rounds).where(self._where(round_code))
                                .values(actual_figure=actual, closed_at=now))

    async def reopen(self, round_code: str) -> None:
        rid = await self._rid(round_code)
        await self.conn.execute(delete(t.round_winners).where(_W.round_id == rid))
        await self.conn.execute(update(t.rounds).where(_R.id == rid).values(closed_at=None, actual_figure=None))

    async def freeze(self, *, round_code: str, winners: Sequence[FrozenWinner]) -> None:
        rid = await self._rid(round_code)
        await self.conn.execute(delete(t.round_winners).where(_W.round_id == rid))
        if winners:
            await self.conn.execute(insert(t.round_winners), [
                {"round_id": rid, "rank": w.rank, "prize": w.prize, "participant_id": w.participant_id,
                 "attempt_id": w.attempt_id, "correct": w.correct, "total": w.total,
                 "duration_ms": w.duration_ms, "prediction": w.prediction} for w in winners])

    async def winners(self, round_code: str) -> list[FrozenWinner]:
        rid = await self._rid(round_code)
        rows = await self.conn.execute(select(t.round_winners).where(_W.round_id == rid).order_by(_W.rank))
        return [FrozenWinner(r.rank, r.prize, r.participant_id, r.attempt_id, r.correct, r.total, r.duration_ms,
                             r.prediction) for r in rows]

    async def remove(self, round_code: str) -> None:
        await self.conn.execute(delete(t.rounds).where(self._where(round_code)))
