"""Rounds in SQL for the admins' tools: settings rows, closing, the frozen winners.

Each method is its own short transaction (admin commands and the scheduler, not citizens'
requests). New rounds' ids join the contest scope that the units of work share."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import case, delete, exists, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage import tables as t
from bot.storage.codec import round_from_json, round_to_json
from bot.storage.repositories import ContestScope
from quiz.attempts import AttemptStatus
from quiz.model import Round
from quiz.rounds import FrozenWinner, RoundAdmin, RoundRefused, RoundState

if TYPE_CHECKING:
    from bot.compose import App

_R, _A, _W = t.rounds.c, t.attempts.c, t.round_winners.c


class SqlRounds:
    def __init__(self, engine: AsyncEngine, scope: ContestScope) -> None:
        self._engine, self._scope = engine, scope

    def _id(self, round_code: str) -> int:
        return self._scope.round_ids[round_code]

    async def states(self) -> list[RoundState]:
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(t.rounds).where(_R.contest_id == self._scope.contest_id)
                                       .order_by(_R.position))).all()
        for r in rows:
            self._scope.round_ids.setdefault(r.code, r.id)  # a round another worker created
        return [RoundState(round_from_json(r.code, r.config), r.closed_at, r.actual_figure) for r in rows]

    async def save(self, round_: Round) -> None:
        """Update the round's settings, or add it after the others."""
        cid, config = self._scope.contest_id, round_to_json(round_)
        try:
            async with self._engine.begin() as conn:
                done = await conn.execute(update(t.rounds).where(_R.contest_id == cid, _R.code == round_.code)
                                          .values(config=config))
                if done.rowcount:
                    return
                last = (await conn.execute(select(func.max(_R.position)).where(_R.contest_id == cid))).scalar()
                rid = (await conn.execute(insert(t.rounds).values(
                    contest_id=cid, code=round_.code, position=(last if last is not None else -1) + 1, config=config)
                    .returning(_R.id))).scalar_one()
        except IntegrityError as exc:  # created at the same moment elsewhere
            raise RoundRefused("exists", code=round_.code) from exc
        self._scope.round_ids[round_.code] = rid

    async def has_attempts(self, round_code: str) -> bool:
        async with self._engine.connect() as conn:
            return bool((await conn.execute(select(exists().where(_A.round_id == self._id(round_code))))).scalar())

    async def stop(self, *, round_code: str, at: datetime) -> int:
        end = case((_A.deadline < literal(at, t.UtcDateTime()), _A.deadline), else_=literal(at, t.UtcDateTime()))
        async with self._engine.begin() as conn:
            done = await conn.execute(update(t.attempts).where(
                _A.round_id == self._id(round_code), _A.status == AttemptStatus.OPEN.value)
                .values(status=AttemptStatus.FINISHED.value, finished_at=end))
            return int(done.rowcount or 0)

    async def freeze(self, *, round_code: str, winners: Sequence[FrozenWinner], replace: bool) -> list[FrozenWinner]:
        rid = self._id(round_code)
        try:
            async with self._engine.begin() as conn:
                if replace:
                    await conn.execute(delete(t.round_winners).where(_W.round_id == rid))
                else:
                    held = await _winners(conn, rid)
                    if held:
                        return held
                if winners:
                    await conn.execute(insert(t.round_winners), [
                        {"round_id": rid, "rank": w.rank, "prize": w.prize, "participant_id": w.participant_id,
                         "attempt_id": w.attempt_id, "correct": w.correct, "total": w.total,
                         "duration_ms": w.duration_ms, "prediction": w.prediction} for w in winners])
        except IntegrityError:
            if replace:
                raise
            return await self.winners(round_code)  # another worker froze them first: theirs stand
        return list(winners)

    async def winners(self, round_code: str) -> list[FrozenWinner]:
        async with self._engine.connect() as conn:
            return await _winners(conn, self._id(round_code))

    async def reopen(self, round_code: str) -> None:
        rid = self._id(round_code)
        async with self._engine.begin() as conn:
            await conn.execute(delete(t.round_winners).where(_W.round_id == rid))
            await conn.execute(update(t.rounds).where(_R.id == rid).values(closed_at=None, actual_figure=None))


async def _winners(conn: AsyncConnection, round_id: int) -> list[FrozenWinner]:
    rows = await conn.execute(select(t.round_winners).where(_W.round_id == round_id).order_by(_W.rank))
    return [FrozenWinner(r.rank, r.prize, r.participant_id, r.attempt_id, r.correct, r.total, r.duration_ms,
                         r.prediction) for r in rows]


def round_admin(application: App) -> RoundAdmin:
    """The admins' round tools over this application's contest."""
    return RoundAdmin(services=application.services, store=SqlRounds(application.engine, application.scope))
