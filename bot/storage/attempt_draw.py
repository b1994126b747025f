"""Starting an attempt on PostgreSQL in two statements, each committed alone: one reads the attempt open in
the round, or else the participant, whether a guardian consented and the person's attempts in the round and
today (SqlAttempts.draw_seen, built from the same count of a person's attempts as every other); the other,
sent to the driver itself (bot.storage.direct), stores the new attempt and adds it to its unit's count, as
one statement composed from the unit of work's own insert and count, compiled once.

Through a unit of work (quiz.services.playing.UowDraws) the same start was seven round trips (BEGIN, the
open attempt, the participant, the counts, the insert, the count, COMMIT), each through SQLAlchemy, and a
web chat's worker spent about a tenth of its time on them. Nothing is lost by leaving the transaction out:
the insert is the guard, as it was inside one (the (participant, round, number) key and the one open attempt
per round are unique, so a start that lost a race inserts nothing, and its count is not added either);
the rules stay in quiz (the `decide` the caller passes)."""
from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from typing import Any

import orjson
from sqlalchemy import bindparam, literal, select
from sqlalchemy.dialects.postgresql import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import direct
from bot.storage import tables as t
from bot.storage.attempts import SqlAttempts, _add_attempt
from bot.storage.codec import paper_to_json
from bot.storage.engine import AUTOCOMMIT
from bot.storage.repositories import ContestScope, SqlUnitCounters, _bump_shard
from quiz.attempts import Attempt, AttemptRace, AttemptStatus, NewAttempt
from quiz.ports import DrawSeen

_OPEN = AttemptStatus.OPEN.value
_NEW = ("participant_id", "round_id", "set_id", "seq", "day", "paper", "total", "started_at", "deadline", "status",
        "practice")


def _add() -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """The new attempt and its unit's count as one statement, composed from the unit of work's own insert
    (SqlAttempts.add: nothing if another start took the number or opened an attempt first) and counter bump
    (SqlUnitCounters.bump, from the attempt inserted: nothing inserted, nothing counted; no unit, no count),
    compiled once for the driver: its text, its parameters' names in order, and the values of its literals."""
    c = t.unit_counters.c
    added = _add_attempt("postgresql").values({k: bindparam(k) for k in _NEW}).cte("added")
    unit = bindparam("unit_code", type_=c.unit_code.type)
    counted = _bump_shard("postgresql").from_select(
        [c.contest_id, c.unit_code, c.shard, c.participants, c.attempts],
        select(bindparam("contest_id", type_=c.contest_id.type), unit, bindparam("shard", type_=c.shard.type),
               literal(0), literal(1)).select_from(added).where(unit.is_not(None))).cte("counted")
    compiled = select(added.c.id).add_cte(counted).compile(dialect=asyncpg.dialect())  # type: ignore[no-untyped-call]
    return compiled.string, tuple(compiled.positiontup or ()), dict(compiled.params)


_ADD, _ADD_ORDER, _ADD_LITERALS = _add()


class PgDraws:
    """AttemptDraws on PostgreSQL (SQLite keeps the unit of work's, one write transaction)."""

    def __init__(self, engine: AsyncEngine, scope: ContestScope) -> None:
        self._engine, self._scope = engine, scope

    async def draw(self, *, participant_id: int, round_code: str, day: date,
                   decide: Callable[[DrawSeen], tuple[NewAttempt, str | None]]) -> Attempt | int:
        scope = self._scope
        async with self._engine.connect() as conn:
            await conn.execution_options(isolation_level=AUTOCOMMIT)  # the read alone, no BEGIN around it
            seen = await SqlAttempts(conn, scope).draw_seen(participant_id=participant_id, round_code=round_code,
                                                            day=day)
            if isinstance(seen, int):
                return seen
            new, unit = decide(seen)  # may refuse
            values = {**_ADD_LITERALS, "participant_id": new.participant_id,
                      "round_id": scope.round_ids[new.round_code],
                      "set_id": scope.set_ids[(new.set_name, new.set_version)], "seq": new.seq, "day": new.day,
                      "paper": orjson.dumps(paper_to_json(new.paper)).decode(), "total": len(new.paper),
                      "started_at": new.started_at, "deadline": new.deadline, "status": _OPEN,
                      "practice": new.practice, "contest_id": scope.contest_id, "unit_code": unit,
                      "shard": random.randrange(SqlUnitCounters.SHARDS)}
            async with direct.driver(conn) as db:
                aid = await db.fetchval(_ADD, *[values[name] for name in _ADD_ORDER])
            direct.report(conn, statements=1, transactions=0, wrote=aid is not None)
        if aid is None:
            raise AttemptRace(seen.in_round)
        return Attempt(aid, new.participant_id, new.round_code, new.set_name, new.set_version, new.paper,
                       new.started_at, new.deadline, new.practice)
