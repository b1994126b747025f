"""Integrity: scan a round for flags, and organisers' decisions, each with its reason and in the audit
log. A disqualified participant leaves the round's ranking at once (quiz.ranking.counts), here and,
within a board's life, on other workers."""
from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from quiz.audit import Actor
from quiz.integrity import (
    MIN_REASON,
    REVIEW_STATUSES,
    Flag,
    FlagKind,
    ReasonRequired,
    Review,
    Thresholds,
    answer_sheet,
    needs_reason,
    scan,
)
from quiz.ports import UowFactory
from quiz.services.live import LiveContest
from quiz.services.standings import Standings


class Integrity:
    RULES = Thresholds()

    def __init__(self, *, live: LiveContest, uow: UowFactory, read: UowFactory, standings: Standings) -> None:
        self._live, self._uow, self._read, self._standings = live, uow, read, standings

    async def scan(self, *, round_code: str, by: Actor, now: datetime) -> int:
        """Flag what the rules find in the round's finished attempts; how many flags are new."""
        async with self._read() as uow:
            traces = await uow.stats.traces(round_code=round_code)
            registrations = await uow.stats.referrals()
        runtime = self._live.runtime
        sheets = [replace(t, fingerprint=answer_sheet(t.picks, runtime.questions(t.set_name, t.set_version)))
                  for t in traces]
        flags = await asyncio.to_thread(scan, sheets, registrations, self.RULES)
        async with self._uow() as uow:
            added = await uow.reviews.add(round_code=round_code, flags=flags, now=now)
            await uow.audit.add(by.entry(now, "integrity.scan", round_code, {"flags": len(flags), "new": added}))
            await uow.commit()
        return added

    async def reviews(self, round_code: str, *, statuses: Sequence[str] = REVIEW_STATUSES,
                      limit: int = 500) -> list[Review]:
        async with self._read() as uow:
            return await uow.reviews.of_round(round_code, statuses=statuses, limit=limit)

    async def of_participant(self, participant_id: int) -> list[Review]:
        """Every finding and decision about one participant, in every round."""
        async with self._read() as uow:
            return await uow.reviews.of_participant(participant_id)

    async def disqualified(self, round_code: str) -> set[int]:
        return {r.participant_id for r in await self.reviews(round_code, statuses=("disqualified",), limit=100_000)}

    async def decide(self, *, review_id: int, status: str, user_id: int, by: Actor, now: datetime,
                     reason: str = "") -> str | None:
        """Clear, disqualify or reopen; the round it belongs to, or None if there is no such review.
        ReasonRequired when disqualifying, or undoing a disqualification, without saying why."""
        if status not in REVIEW_STATUSES:
            raise ValueError(status)
        reason = " ".join(reason.split())
        async with self._uow() as uow:
            review = await uow.reviews.get(review_id)
            if review is None:
                return None
            if needs_reason(review.status, status) and len(reason) < MIN_REASON:
                raise ReasonRequired(status)
            await uow.reviews.decide(review_id=review_id, status=status, user_id=user_id if status != "open" else None,
                                     now=now, reason=reason)
            await uow.audit.add(by.entry(now, f"review.{status}", review.round_code, {
                "review": review_id, "participant": review.participant_id, "kind": review.kind,
                "before": review.status, "after": status, "reason": reason}))
            await uow.commit()
        if status == "disqualified":
            await self._standings.left(review.participant_id, round_code=review.round_code)
        elif review.status == "disqualified":  # back in, unless another review still keeps them out
            await self._standings.changed(review.round_code)
        await self._standings.exact_board(round_code=review.round_code, now=now)
        return review.round_code

    async def disqualify(self, *, round_code: str, participant_id: int, reason: str, user_id: int, by: Actor,
                         now: datetime) -> int:
        """Disqualify a participant no rule flagged (an organiser's own finding); the review's number."""
        reason = " ".join(reason.split())
        if len(reason) < MIN_REASON:
            raise ReasonRequired("disqualified")
        async with self._uow() as uow:
            person = await uow.participants.get(participant_id)
            if person is None or self._live.runtime.contest.round(round_code) is None:
                raise LookupError(participant_id)
            await uow.reviews.add(round_code=round_code, now=now, flags=[
                Flag(FlagKind.MANUAL, participant_id, None, {"by": by.name})])
            review = next(r for r in await uow.reviews.of_participant(participant_id)
                          if r.round_code == round_code and r.kind == FlagKind.MANUAL.value)
            await uow.reviews.decide(review_id=review.id, status="disqualified", user_id=user_id, now=now,
                                     reason=reason)
            await uow.audit.add(by.entry(now, "review.disqualified", round_code, {
                "review": review.id, "participant": participant_id, "kind": FlagKind.MANUAL.value,
                "before": review.status, "after": "disqualified", "reason": reason}))
            await uow.commit()
        await self._standings.left(participant_id, round_code=round_code)
        await self._standings.exact_board(round_code=round_code, now=now)
        return review.id
