"""Integrity reviews in SQL: one per (round, participant, kind). Never commits."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.storage import tables as t
from bot.storage.repositories import _Repo
from quiz.integrity import Flag, Review

_R, _U, _RD = t.integrity_reviews.c, t.staff_users.c, t.rounds.c


class SqlReviews(_Repo):
    async def _round_ids(self) -> dict[str, int]:
        rows = await self.conn.execute(select(_RD.code, _RD.id).where(_RD.contest_id == self.scope.contest_id))
        return {r.code: r.id for r in rows}

    def _review(self, r: Any, codes: dict[int, str]) -> Review:
        return Review(r.id, codes.get(r.round_id, ""), r.participant_id, r.attempt_id, r.kind, dict(r.detail),
                      r.status, r.username, r.decided_at, r.created_at, r.reason or "")

    def _query(self) -> Any:
        return select(t.integrity_reviews, _U.username).outerjoin(t.staff_users, _U.id == _R.decided_by)

    async def add(self, *, round_code: str, flags: Iterable[Flag], now: datetime) -> int:
        rid = (await self._round_ids())[round_code]
        known = {(r.participant_id, r.kind) for r in await self.conn.execute(
            select(_R.participant_id, _R.kind).where(_R.round_id == rid))}
        rows = []
        for f in flags:
            if (f.participant_id, f.kind.value) in known:
                continue
            known.add((f.participant_id, f.kind.value))  # a flag repeated in `flags` opens one review too
            rows.append({"round_id": rid, "participant_id": f.participant_id, "attempt_id": f.attempt_id,
                         "kind": f.kind.value, "detail": dict(f.detail), "status": "open", "created_at": now})
        if not rows:
            return 0
        # a scan running at the same time may open the same review first: it stays one review, never an error
        maker = pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert
        done = await self.conn.execute(maker(t.integrity_reviews).on_conflict_do_nothing(
            index_elements=["round_id", "participant_id", "kind"]), rows)
        return int(done.rowcount) if done.rowcount is not None and done.rowcount >= 0 else len(rows)

    async def of_round(self, round_code: str, *, statuses: Sequence[str], limit: int) -> list[Review]:
        ids = await self._round_ids()
        rid = ids.get(round_code)
        if rid is None:
            return []
        rows = await self.conn.execute(self._query().where(_R.round_id == rid, _R.status.in_(list(statuses)))
                                       .order_by(_R.id).limit(limit))
        return [self._review(r, {rid: round_code}) for r in rows]

    async def get(self, review_id: int) -> Review | None:
        codes = {v: k for k, v in (await self._round_ids()).items()}
        r = (await self.conn.execute(self._query().where(_R.id == review_id))).first()
        return self._review(r, codes) if r is not None and r.round_id in codes else None

    async def decide(self, *, review_id: int, status: str, user_id: int | None, now: datetime,
                     reason: str = "") -> None:
        await self.conn.execute(update(t.integrity_reviews).where(_R.id == review_id).values(
            status=status, decided_by=user_id, decided_at=now if user_id is not None else None, reason=reason or None))

    async def of_participant(self, participant_id: int) -> list[Review]:
        codes = {v: k for k, v in (await self._round_ids()).items()}
        rows = await self.conn.execute(self._query().where(_R.participant_id == participant_id).order_by(_R.id))
        return [self._review(r, codes) for r in rows if r.round_id in codes]
