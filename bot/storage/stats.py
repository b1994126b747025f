"""Aggregates for the organisers' dashboard: read-only queries, one GROUP BY each where it can be.

Counting rules (who ranks, the all-correct figure) are the core's; these are plain counts."""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, bindparam, case, cast, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from bot.storage import tables as t
from bot.storage.codec import paper_from_json
from bot.storage.repositories import _Repo
from quiz.attempts import AttemptStatus
from quiz.integrity import AttemptTrace, Registration, picks
from quiz.people import normalise_phone
from quiz.statistics import DayCount, Person, QuestionCount
from quiz.text import fold

_A, _P, _Q, _R = t.attempts.c, t.participants.c, t.answers.c, t.rounds.c
BATCH = 1000


def _fold_table() -> dict[int, str]:
    """quiz.text.fold for NFC text as one str.translate table: a name search reads every name."""
    table = {ord("đ"): "d", ord("Đ"): "d"}
    for point in range(0xC0, 0x1F00):
        base = unicodedata.normalize("NFD", chr(point))[0]
        if base != chr(point):
            table[point] = base.lower()
    return table


_FOLD = _fold_table()
_NAMES_PAGE = (select(_P.id, _P.full_name)  # a page of the names a search by name folds and scans
               .where(_P.contest_id == bindparam("cid"), _P.erased_at.is_(None), _P.id > bindparam("after"))
               .order_by(_P.id).limit(bindparam("n", type_=Integer)))


class SqlStatistics(_Repo):
    """Read-only figures of one contest, for pages, exports and reports."""

    NAME_PAGE = 5000  # names read per statement by a search by name

    @property
    def _tz(self) -> ZoneInfo:
        return ZoneInfo(self.scope.tz)

    async def _round_id(self, round_code: str) -> int | None:
        return (await self.conn.execute(select(_R.id).where(_R.contest_id == self.scope.contest_id,
                                                             _R.code == round_code))).scalar()

    def _local_date(self, column: Any) -> ColumnElement[Any]:
        """The calendar day of a UTC timestamp column in the contest's time zone."""
        if self.conn.dialect.name == "postgresql":
            return cast(func.timezone(self._tz.key, column), Date)
        offset = self._tz.utcoffset(datetime.now()) or timedelta(0)  # Việt Nam keeps one offset all year
        return func.date(column, f"{int(offset.total_seconds() // 60):+d} minutes")

    async def by_day(self, *, since: date | None = None) -> list[DayCount]:
        """Registrations, participants and ranked attempts per contest day, oldest first."""
        cid = self.scope.contest_id
        aq = (select(_A.day, func.count(distinct(_A.participant_id)), func.count())
              .join(t.rounds, _R.id == _A.round_id)
              .where(_R.contest_id == cid, _A.practice.is_(False)).group_by(_A.day))
        if since is not None:
            aq = aq.where(_A.day >= since)
        taking = {_as_date(r[0]): (int(r[1]), int(r[2])) for r in await self.conn.execute(aq)}
        local = self._local_date(_P.registered_at).label("d")
        rq = select(local, func.count()).where(_P.contest_id == cid).group_by(local)
        if since is not None:  # from the start of that day in the contest's time zone
            start = datetime.combine(since, time(0), tzinfo=self._tz)
            rq = rq.where(_P.registered_at >= start)
        registered = {_as_date(r[0]): int(r[1]) for r in await self.conn.execute(rq)}
        days = sorted(d for d in {*taking, *registered} if since is None or d >= since)
        return [DayCount(d, registered.get(d, 0), *taking.get(d, (0, 0))) for d in days]

    async def activity_by_unit(self, *, day: date) -> tuple[dict[str, int], dict[str, int]]:
        """Distinct participants and ranked attempts started on `day`, by the participant's unit."""
        q = (select(_P.unit_code, func.count(distinct(_A.participant_id)), func.count())
             .join(t.participants, _P.id == _A.participant_id).join(t.rounds, _R.id == _A.round_id)
             .where(_A.day == day, _A.practice.is_(False), _R.contest_id == self.scope.contest_id)
             .group_by(_P.unit_code))
        rows = (await self.conn.execute(q)).all()
        return ({r[0]: int(r[1]) for r in rows if r[0]}, {r[0]: int(r[2]) for r in rows if r[0]})

    async def question_counts(self, *, round_code: str | None = None) -> list[QuestionCount]:
        """Answers and correct answers per question id, across the contest or in one round."""
        q = (select(_Q.question_id, func.count(), func.sum(case((_Q.correct.is_(True), 1), else_=0)))
             .join(t.attempts, _A.id == _Q.attempt_id).join(t.rounds, _R.id == _A.round_id)
             .where(_Q.question_id.is_not(None), _R.contest_id == self.scope.contest_id).group_by(_Q.question_id))
        if round_code is not None:
            q = q.where(_R.code == round_code)
        rows = (await self.conn.execute(q)).all()
        return [QuestionCount(str(r[0]), int(r[1]), int(r[2] or 0)) for r in rows]

    async def people(self, ids: Sequence[int]) -> dict[int, Person]:
        """Name, phone and unit of each participant."""
        if not ids:
            return {}
        rows = await self.conn.execute(select(_P.id, _P.full_name, _P.phone, _P.unit_code, _P.phone_verified_by)
                                       .where(_P.id.in_(list(ids))))
        return {r.id: Person(r.id, r.full_name, r.phone, r.unit_code, r.phone_verified_by is not None) for r in rows}

    async def find(self, text: str, *, by_phone: bool) -> set[int]:
        """Participants whose name contains `text` (accents and case folded), or, with `by_phone`,
        whose phone number contains its digits."""
        digits = "".join(ch for ch in text if ch.isdigit())
        phone_like = len(digits) >= 3 and not any(ch.isalpha() for ch in text)
        cid = self.scope.contest_id
        if by_phone and phone_like:
            whole = normalise_phone(text)  # "+84 912 345 678" is stored as 0912345678
            match = _P.phone == whole if whole else _P.phone.contains(digits, autoescape=True)
            rows = await self.conn.execute(select(_P.id).where(_P.contest_id == cid, match))
            return {r.id for r in rows}
        wanted = " ".join(fold(text).split())
        if not wanted:
            return set()
        found: set[int] = set()
        after = 0
        while True:  # in pages by id: no server-side cursor, which a read outside a transaction cannot have
            part = (await self.conn.execute(_NAMES_PAGE, {"cid": cid, "after": after, "n": self.NAME_PAGE})).all()
            found.update(r.id for r in part if wanted in r.full_name.translate(_FOLD).lower())
            if len(part) < self.NAME_PAGE:
                return found
            after = part[-1].id

    # integrity
    async def traces(self, *, round_code: str) -> list[AttemptTrace]:
        """Timing and answer fingerprints of the round's finished ranked attempts, read in batches."""
        out: list[AttemptTrace] = []
        rid = await self._round_id(round_code)
        if rid is None:
            return out
        after = 0
        while True:
            attempts = (await self.conn.execute(
                select(_A.id, _A.participant_id, _A.started_at, _A.paper, _A.set_id)
                .where(_A.round_id == rid, _A.status == AttemptStatus.FINISHED.value, _A.practice.is_(False),
                       _A.answered > 0, _A.id > after).order_by(_A.id).limit(BATCH))).all()
            if not attempts:
                return out
            after = attempts[-1].id
            out += await _traces(self.conn, attempts, self.scope.set_key)

    async def referrals(self) -> list[Registration]:
        rows = await self.conn.execute(select(_P.id, _P.referral, _P.registered_at).where(
            _P.contest_id == self.scope.contest_id, _P.referral.is_not(None), _P.erased_at.is_(None)))
        return [Registration(r.id, r.referral, r.registered_at) for r in rows]


async def _traces(conn: AsyncConnection, attempts: Sequence[Any],
                  set_key: Callable[[int], tuple[str, int]]) -> list[AttemptTrace]:
    answers: dict[int, dict[int, int]] = {a.id: {} for a in attempts}
    last: dict[int, datetime] = {}
    rows = await conn.execute(select(_Q.attempt_id, _Q.position, _Q.choice, _Q.answered_at)
                              .where(_Q.attempt_id.in_(list(answers))))
    for r in rows:
        answers[r.attempt_id][r.position] = r.choice
        if r.attempt_id not in last or r.answered_at > last[r.attempt_id]:
            last[r.attempt_id] = r.answered_at
    return [AttemptTrace(a.participant_id, a.id, len(answers[a.id]), a.started_at, last[a.id], *set_key(a.set_id),
                         picks(paper_from_json(a.paper), answers[a.id]))
            for a in attempts if a.id in last]


def _as_date(value: object) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))

