"""Starting an attempt on PostgreSQL in two statements, each committed alone, sent to the driver itself
(bot.storage.direct): one reads the attempt open in the round, or else the participant, whether a guardian
consented and the person's attempts in the round and today (every registration with their number); the
other stores the new attempt and adds it to its unit's count, as one statement.

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
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import direct
from bot.storage.codec import paper_to_json
from bot.storage.repositories import ContestScope, SqlUnitCounters
from quiz.attempts import Attempt, AttemptRace, AttemptStatus, NewAttempt
from quiz.people import Participant
from quiz.ports import DrawSeen

_OPEN = AttemptStatus.OPEN.value
# $1 participant, $2 contest, $3 round, $4 day. One row: the open attempt's id (then nothing else matters),
# else the participant (NULL when gone), a guardian's consent and the counts.
_SEEN = f"""
SELECT o.id, p.id, p.full_name, p.birth_year, p.phone, p.unit_code, p.referral, p.registered_at,
       p.erased_at IS NOT NULL, p.phone_verified_by, p.withdrawn_at IS NOT NULL,
       EXISTS (SELECT 1 FROM guardians g WHERE g.participant_id = $1), c.n, c.today
FROM (SELECT count(*) AS n, count(*) FILTER (WHERE a.day = $4) AS today FROM attempts a
      WHERE a.round_id = $3 AND a.participant_id IN (
        SELECT $1 UNION SELECT s.id FROM participants s WHERE s.contest_id = $2 AND s.phone_key IS NOT NULL
        AND s.phone_key = (SELECT phone_key FROM participants WHERE id = $1))) c
LEFT JOIN participants p ON p.id = $1
LEFT JOIN attempts o ON o.participant_id = $1 AND o.round_id = $3 AND o.status = '{_OPEN}'
"""
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
            async with direct.driver(conn) as db:
                row: Any = await db.fetchrow(_SEEN, participant_id, scope.contest_id, scope.round_ids[round_code],
                                             day)
            direct.report(conn, statements=1, transactions=0, wrote=False)
            if row[0] is not None:
                return int(row[0])
            person = None if row[1] is None else Participant(
                id=row[1], full_name=row[2], birth_year=row[3], phone=row[4], unit_code=row[5], referral=row[6],
                registered_at=row[7], erased=row[8], phone_verified_by=row[9], withdrawn=row[10])
            new, unit = decide(DrawSeen(person, bool(row[11]), int(row[12]), int(row[13])))  # may refuse
            async with direct.driver(conn) as db:
                aid = await db.fetchval(
                    _ADD, new.participant_id, scope.round_ids[new.round_code],
                    scope.set_ids[(new.set_name, new.set_version)], new.seq, new.day,
                    orjson.dumps(paper_to_json(new.paper)).decode(), len(new.paper), new.started_at, new.deadline,
                    new.practice, scope.contest_id, unit, random.randrange(SqlUnitCounters.SHARDS))
            direct.report(conn, statements=1, transactions=0, wrote=aid is not None)
        if aid is None:
            raise AttemptRace(int(row[12]))
        return Attempt(aid, new.participant_id, new.round_code, new.set_name, new.set_version, new.paper,
                       new.started_at, new.deadline, new.practice)
