"""Attempts and answers in SQL; one answer per position is the primary key's job.

What starting and ending an attempt runs is built once with bound parameters (see
bot.storage.repositories)."""
from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, Update, bindparam, case, exists, func, literal, select, union, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.dml import ReturningInsert

from bot.storage import tables as t
from bot.storage.codec import paper_from_json, paper_to_json
from bot.storage.repositories import SAME_PERSON, _participant, _Repo
from quiz.attempts import Attempt, AttemptRace, AttemptStatus, NewAttempt
from quiz.ports import DrawSeen
from quiz.ranking import Entry
from quiz.regrade import StoredAnswer

_A = t.attempts.c
_OPEN = AttemptStatus.OPEN.value
_ATTEMPT = select(t.attempts).where(_A.id == bindparam("id"))
_OPEN_FOR = select(t.attempts).where(_A.participant_id == bindparam("pid"), _A.round_id == bindparam("rid"),
                                     _A.status == _OPEN)
_COUNTS = select(func.count(), func.count().filter(_A.day == bindparam("day"))).where(  # one person's, in one read
    _A.participant_id.in_(union(select(bindparam("id", type_=t.participants.c.id.type)), SAME_PERSON)),
    _A.round_id == bindparam("rid"))
_SEEN_COUNTS = _COUNTS.subquery("counted")
# What a start decides on, in one read (bot.storage.attempt_draw): the attempt open in the round; else the
# participant (NULLs when gone), whether a guardian consented, and the person's attempts (_COUNTS).
_DRAW_SEEN = select(
    _OPEN_FOR.with_only_columns(_A.id).scalar_subquery().label("open_id"),
    exists().where(t.guardians.c.participant_id == bindparam("id")).label("has_guardian"),
    *[c.label(name) for c, name in zip(_SEEN_COUNTS.c, ("in_round", "today"), strict=True)],
    *t.participants.c,
).select_from(_SEEN_COUNTS.outerjoin(t.participants, t.participants.c.id == bindparam("id")))
_END = (update(t.attempts).where(_A.id == bindparam("aid"), _A.status == _OPEN)  # not "id": a column's name
        .values(status=AttemptStatus.FINISHED.value, finished_at=bindparam("at")).returning(*t.attempts.c))
_END_OWN = _END.where(_A.participant_id == bindparam("pid"))


@functools.cache
def _add_attempt(dialect: str) -> ReturningInsert[Any]:
    """Insert an attempt unless its (participant, round, number) or an open one exists; returns its id."""
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(t.attempts).on_conflict_do_nothing() \
        .returning(_A.id)


def _entries(rid: object, source: Any = t.attempts) -> Select[tuple[object, ...]]:
    """Attempts of a round (of `source`: the table, or attempts just changed) with their participant's
    standing (see SqlAttempts.entries)."""
    a, review = source.c, t.integrity_reviews.c
    out = (select(review.participant_id).where(review.round_id == rid, review.status == "disqualified")
           .distinct().subquery())
    return (select(a.id, a.participant_id, a.correct, a.total, a.started_at, a.deadline, a.finished_at,
                   a.prediction, a.practice, t.participants.c.erased_at.is_not(None).label("erased"),
                   out.c.participant_id.is_not(None).label("disqualified"),
                   t.participants.c.phone_verified_by.is_not(None).label("verified"),
                   t.participants.c.withdrawn_at.is_not(None).label("withdrawn"))
            .join(t.participants, t.participants.c.id == a.participant_id)
            .outerjoin(out, out.c.participant_id == a.participant_id)
            .where(a.round_id == rid))


def _entry(r: Any) -> Entry:
    return Entry(r.participant_id, r.id, r.correct, r.total, r.started_at, r.deadline, r.finished_at, r.prediction,
                 bool(r.practice), bool(r.erased), bool(r.disqualified), bool(r.verified), bool(r.withdrawn))


_ENTRIES_OF = _entries(bindparam("rid")).where(_A.id.in_(bindparam("ids", expanding=True)))
# PostgreSQL: the participant's open attempt finished, and its entry, in one statement (the UPDATE in a CTE)
_END_TOLD = _entries(bindparam("rid"), _END_OWN.cte("ended"))


class SqlAttempts(_Repo):
    def _attempt(self, row: object) -> Attempt:
        r = row
        name, version = self.scope.set_key(r.set_id)  # type: ignore[attr-defined]
        return Attempt(
            id=r.id, participant_id=r.participant_id, round_code=self.scope.round_code(r.round_id),  # type: ignore[attr-defined]
            set_name=name, set_version=version, paper=paper_from_json(r.paper),  # type: ignore[attr-defined]
            started_at=r.started_at, deadline=r.deadline, practice=r.practice,  # type: ignore[attr-defined]
            status=AttemptStatus(r.status), finished_at=r.finished_at, correct=r.correct,  # type: ignore[attr-defined]
            prediction=r.prediction)  # type: ignore[attr-defined]

    async def add(self, new: NewAttempt) -> Attempt:
        """AttemptRace when the participant's attempt was started meanwhile (the same round and number, or
        a second open one): nothing is written, and the transaction can go on (no savepoint needed)."""
        aid = (await self.conn.execute(_add_attempt(self.conn.dialect.name), {
            "participant_id": new.participant_id, "round_id": self.scope.round_ids[new.round_code],
            "set_id": self.scope.set_ids[(new.set_name, new.set_version)], "seq": new.seq, "day": new.day,
            "paper": paper_to_json(new.paper), "total": len(new.paper), "started_at": new.started_at,
            "deadline": new.deadline, "status": _OPEN, "practice": new.practice})).scalar_one_or_none()
        if aid is None:
            raise AttemptRace()
        return Attempt(aid, new.participant_id, new.round_code, new.set_name, new.set_version, new.paper,
                       new.started_at, new.deadline, new.practice)

    async def get(self, attempt_id: int) -> Attempt | None:
        row = (await self.conn.execute(_ATTEMPT, {"id": attempt_id})).first()
        return self._attempt(row) if row else None

    async def open_for(self, *, participant_id: int, round_code: str) -> Attempt | None:
        row = (await self.conn.execute(_OPEN_FOR, {"pid": participant_id,
                                                   "rid": self.scope.round_ids[round_code]})).first()
        return self._attempt(row) if row else None

    async def counts(self, *, participant_id: int, round_code: str, day: date) -> tuple[int, int]:
        row = (await self.conn.execute(_COUNTS, {"day": day, "id": participant_id, "cid": self.scope.contest_id,
                                                 "rid": self.scope.round_ids[round_code]})).one()
        return int(row[0]), int(row[1])

    async def draw_seen(self, *, participant_id: int, round_code: str, day: date) -> int | DrawSeen:
        """The id of the participant's attempt open in the round; else what deciding on a new one needs,
        read together (one statement)."""
        row = (await self.conn.execute(_DRAW_SEEN, {"pid": participant_id, "id": participant_id, "day": day,
                                                    "cid": self.scope.contest_id,
                                                    "rid": self.scope.round_ids[round_code]})).one()
        if row.open_id is not None:
            return int(row.open_id)
        person = _participant(row) if row.id is not None else None
        return DrawSeen(person, bool(row.has_guardian), int(row.in_round), int(row.today))

    async def answers(self, attempt_id: int) -> dict[int, int]:
        rows = await self.conn.execute(select(t.answers.c.position, t.answers.c.choice)
                                       .where(t.answers.c.attempt_id == attempt_id))
        return {r.position: r.choice for r in rows}

    async def record_answer(self, *, attempt_id: int, position: int, question_id: str, choice: int, correct: bool,
                            now: datetime) -> bool:
        """Insert unless the position is answered; bump the attempt's counters in the same transaction."""
        dialect = self.conn.dialect.name
        maker = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = maker(t.answers).values(attempt_id=attempt_id, position=position, question_id=question_id, choice=choice,
                                       correct=correct, answered_at=now).on_conflict_do_nothing()
        if (await self.conn.execute(stmt)).rowcount != 1:
            return False
        await self.conn.execute(update(t.attempts).where(_A.id == attempt_id).values(
            answered=_A.answered + 1, correct=_A.correct + (1 if correct else 0)))
        return True

    async def set_prediction(self, *, attempt_id: int, prediction: int) -> None:
        await self.conn.execute(update(t.attempts).where(_A.id == attempt_id).values(prediction=prediction))

    async def finish(self, *, attempt_id: int, at: datetime) -> Attempt | None:
        ended = await self._end(_END, {"aid": attempt_id, "at": at})
        return ended or await self.get(attempt_id)  # not open: as it was left

    async def end_open(self, *, attempt_id: int, participant_id: int, at: datetime) -> Attempt | None:
        return await self._end(_END_OWN, {"aid": attempt_id, "pid": participant_id, "at": at})

    async def _end(self, which: Update, params: dict[str, object]) -> Attempt | None:
        """The open attempt `which` matches, finished at params["at"]; None if there was none."""
        row = (await self.conn.execute(which, params)).first()
        return self._attempt(row) if row else None

    async def entries(self, *, round_code: str, after: int = 0, limit: int | None = None,
                      ids: Sequence[int] | None = None) -> list[Entry]:
        """Every attempt of the round (by id from `after`, `limit` of them; or those of `ids`), with whether
        its participant erased their data or was disqualified in this round; quiz.ranking.counts decides
        which take part."""
        if ids is not None and not ids:
            return []
        rid = self.scope.round_ids[round_code]
        if ids is not None and limit is None:  # an attempt just ended, for the live board: every finish
            rows = await self.conn.execute(_ENTRIES_OF, {"rid": rid, "ids": list(ids)})
        else:
            q = _entries(rid)
            if ids is not None:
                q = q.where(_A.id.in_(list(ids)))
            if limit is not None:
                q = q.where(_A.id > after).order_by(_A.id).limit(limit)
            rows = await self.conn.execute(q)
        return [_entry(r) for r in rows]

    async def end_told(self, *, attempt_id: int, participant_id: int, round_code: str, at: datetime) -> Entry | None:
        """PostgreSQL only: the participant's attempt, if open, finished at `at`, with its entry as
        `entries` gives it, in one statement; None (and nothing changed) if it was not open."""
        row = (await self.conn.execute(_END_TOLD, {"aid": attempt_id, "pid": participant_id, "at": at,
                                                   "rid": self.scope.round_ids[round_code]})).first()
        return _entry(row) if row else None

    async def hand_in_expired(self, *, round_code: str, now: datetime) -> list[int]:
        ended = await self.conn.execute(
            update(t.attempts).where(_A.round_id == self.scope.round_ids[round_code],
                                     _A.status == AttemptStatus.OPEN.value, _A.deadline <= now)
            .values(status=AttemptStatus.FINISHED.value, finished_at=_A.deadline).returning(_A.id))
        return sorted(r.id for r in ended)

    async def any_in(self, round_code: str) -> bool:
        rid = self.scope.round_ids[round_code]
        return bool((await self.conn.execute(select(exists().where(_A.round_id == rid)))).scalar())

    async def stop_open(self, *, round_code: str, at: datetime) -> int:
        end = case((_A.deadline < literal(at, t.UtcDateTime()), _A.deadline), else_=literal(at, t.UtcDateTime()))
        done = await self.conn.execute(update(t.attempts).where(
            _A.round_id == self.scope.round_ids[round_code], _A.status == AttemptStatus.OPEN.value)
            .values(status=AttemptStatus.FINISHED.value, finished_at=end))
        return int(done.rowcount or 0)

    async def answers_to(self, *, set_name: str, versions: Sequence[int],
                         question_ids: Sequence[str]) -> list[StoredAnswer]:
        """Stored answers to these questions on attempts drawn from these set versions."""
        set_ids = {self.scope.set_ids[(set_name, v)]: v for v in versions if (set_name, v) in self.scope.set_ids}
        if not set_ids or not question_ids:
            return []
        q = (select(t.answers.c.attempt_id, t.answers.c.position, t.answers.c.choice, t.answers.c.correct,
                    _A.set_id, _A.paper)
             .join(t.attempts, _A.id == t.answers.c.attempt_id)
             .where(_A.set_id.in_(list(set_ids)), t.answers.c.question_id.in_(list(question_ids))))
        out = []
        for r in await self.conn.execute(q):
            item = paper_from_json(r.paper)[r.position]
            out.append(StoredAnswer(r.attempt_id, set_ids[r.set_id], r.position, r.choice, item, r.correct))
        return out

    async def rescore(self, *, changes: Sequence[tuple[int, int, bool]]) -> list[str]:
        """Apply re-judged answers and recount the attempts they belong to (one statement)."""
        if not changes:
            return []
        await self.conn.execute(
            update(t.answers).where(t.answers.c.attempt_id == bindparam("a"), t.answers.c.position == bindparam("p"))
            .values(correct=bindparam("k")), [{"a": a, "p": p, "k": k} for a, p, k in changes])
        ids = sorted({a for a, _p, _k in changes})
        recount = (select(func.count()).select_from(t.answers)
                   .where(t.answers.c.attempt_id == _A.id, t.answers.c.correct.is_(True)).scalar_subquery())
        await self.conn.execute(update(t.attempts).where(_A.id.in_(ids)).values(correct=recount))
        rows = await self.conn.execute(select(_A.round_id).where(_A.id.in_(ids)).distinct())
        return [self.scope.round_code(r.round_id) for r in rows]

    async def of_participant(self, *, participant_id: int) -> list[Attempt]:
        rows = await self.conn.execute(select(t.attempts).where(_A.participant_id == participant_id).order_by(_A.id))
        return [self._attempt(r) for r in rows]
