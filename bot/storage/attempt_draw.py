"""Starting an attempt on PostgreSQL in two statements, each committed alone: one reads the attempt open in
the round, or else the participant, whether a guardian consented and the person's attempts in the round and
today (SqlAttempts.draw_seen, built from the same count of a person's attempts as every other); the other,
sent to the driver itself (bot.storage.direct), stores the new attempt and adds it to its unit's count, as
one statement.

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

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import direct
from bot.storage.attempts import SqlAttempts
from bot.storage.codec import paper_to_json
from bot.storage.engine import AUTOCOMMIT
from bot.storage.repositories import ContestScope, SqlUnitCounters
from quiz.attempts import Attempt, AttemptRace, AttemptStatus, NewAttempt
from quiz.ports import DrawSeen

_OPEN = AttemptStatus.OPEN.value
# $1–$10 the attempt; $11–$13 the unit's counter row (contest, unit or NULL, shard). Nothing is inserted if
# another start took the number or opened an attempt first, and then nothing is counted.
_ADD = f"""
WITH added AS (
  INSERT INTO attempts (participant_id, round_id, set_id, seq, day, paper, total, started_at, deadline, status,
                        practice)
  VALUES ($1, $2, $3, $4, $5, $6::json, $7, $8, $9, '{_OPEN}', $10)
  ON CONFLICT DO NOTHING RETURNING id
), counted AS (
  INSERT INTO unit_counters (contest_id, unit_code, shard, participants, attempts)
  SELECT $11, $12, $13, 0, 1 FROM added WHERE $12::varchar IS NOT NULL
  ON CONFLICT (contest_id, unit_code, shard) DO UPDATE SET attempts = unit_counters.attempts + 1
)
SELECT id FROM added
"""


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
            async with direct.driver(conn) as db:
                aid = await db.fetchval(
                    _ADD, new.participant_id, scope.round_ids[new.round_code],
                    scope.set_ids[(new.set_name, new.set_version)], new.seq, new.day,
                    orjson.dumps(paper_to_json(new.paper)).decode(), len(new.paper), new.started_at, new.deadline,
                    new.practice, scope.contest_id, unit, random.randrange(SqlUnitCounters.SHARDS))
            direct.report(conn, statements=1, transactions=0, wrote=aid is not None)
        if aid is None:
            raise AttemptRace(seen.in_round)
        return Attempt(aid, new.participant_id, new.round_code, new.set_name, new.set_version, new.paper,
                       new.started_at, new.deadline, new.practice)
