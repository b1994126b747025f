"""Managing rounds: create, change, open and close, each one transaction that every worker follows.

Closing stops the attempts still open, fixes the actual prediction figure and freezes the winners in
the same unit of work: a crash leaves the round either open as it was or closed with its winners."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from quiz.audit import SCHEDULER, Actor
from quiz.identity import VerifiedRule
from quiz.model import Round
from quiz.ports import UnitOfWork, UowFactory
from quiz.ranking import all_correct_count, rank, standings, top
from quiz.rounds import (
    Closing,
    FrozenWinner,
    RoundRefused,
    RoundState,
    changed_round,
    due_to_close,
    frozen_winners,
    locked_settings,
    settings_of,
)
from quiz.services.live import LiveContest
from quiz.services.standings import Standings


class RoundAdmin:
    """Rounds as admins, the CLI and the scheduler change them."""

    def __init__(self, *, live: LiveContest, uow: UowFactory, read: UowFactory, standings: Standings) -> None:
        self._live, self._uow, self._read, self._standings = live, uow, read, standings

    async def states(self) -> list[RoundState]:
        async with self._read() as uow:
            return await uow.rounds.states()

    async def state(self, code: str) -> RoundState:
        async with self._read() as uow:
            found = await uow.rounds.state(code)
        if found is None:
            raise RoundRefused("unknown_round", code=code)
        return found

    async def winners(self, code: str) -> list[FrozenWinner]:
        async with self._read() as uow:
            return await uow.rounds.winners(code)

    def _checked(self, current: Round | None, changes: Mapping[str, Any], code: str) -> Round:
        rt = self._live.runtime
        return changed_round(current, changes, code=code, tz=rt.tz, sets=rt.sets, topics=rt.contest.topics)

    async def _done(self, uow: UnitOfWork, code: str | None, by: Actor, now: datetime, action: str,
                    before: Round | None, after: Round | None, **detail: object) -> None:
        """Audit, commit with a new revision, then serve the change here at once (other workers follow)."""
        tz = self._live.runtime.tz
        await uow.audit.add(by.entry(now, action, code or "", {
            "before": settings_of(before, tz) if before else None, "after": settings_of(after, tz) if after else None,
            **detail}))
        await uow.revision.bump()
        await uow.commit()
        await self._live.reload()
        await self._standings.changed(code)

    async def create(self, code: str, settings: Mapping[str, Any], *, by: Actor, now: datetime) -> Round:
        async with self._uow() as uow:
            if await uow.rounds.state(code) is not None:
                raise RoundRefused("exists", code=code)
            new = self._checked(None, settings, code)
            await uow.rounds.save(new)
            await self._done(uow, code, by, now, "round.create", None, new)
        return new

    async def change(self, code: str, changes: Mapping[str, Any], *, by: Actor, now: datetime) -> Round:
        """New settings for a round that is not closed. Once anyone has taken it, what decides a paper
        and a rank (set, questions, minutes, attempts, quotas, practice, prediction) is fixed: attempts
        under different rules are never ranked together; a new round is the way."""
        async with self._uow() as uow:
            state = await self._locked(uow, code)
            if state.closed:
                raise RoundRefused("closed", code=code)
            new = self._checked(state.round, changes, code)
            moved = locked_settings(state.round, new)
            if moved and await uow.attempts.any_in(code):
                raise RoundRefused("rules_locked", code=code, settings=", ".join(moved))
            await uow.rounds.save(new)
            await self._done(uow, code, by, now, "round.change", state.round, new)
        return new

    async def cancel(self, code: str, *, by: Actor, now: datetime) -> None:
        """Remove a round nobody has taken (a round that should not have been scheduled)."""
        async with self._uow() as uow:
            state = await self._locked(uow, code)
            if state.closed or await uow.attempts.any_in(code):
                raise RoundRefused("cancel_taken", code=code)
            await uow.rounds.remove(code)
            await self._done(uow, code, by, now, "round.cancel", state.round, None)

    async def open(self, code: str, *, by: Actor, now: datetime, reopen: bool = False) -> Round:
        """Open the round from now on with no closing time; a closed round only with `reopen`,
        which withdraws its published winners."""
        async with self._uow() as uow:
            state = await self._locked(uow, code)
            if state.closed:
                if not reopen:
                    raise RoundRefused("closed", code=code)
                await uow.rounds.reopen(code)
            r = state.round
            opened = replace(r, opens=None if r.opens is None else min(r.opens, now),
                             closes=r.closes if r.closes is None or r.closes > now else None)
            await uow.rounds.save(opened)
            await self._done(uow, code, by, now, "round.reopen" if state.closed else "round.open", r, opened,
                             withdrawn_winners=[w.participant_id for w in await uow.rounds.winners(code)]
                             if state.closed else [])
        return opened

    async def close(self, code: str, *, by: Actor, now: datetime, refreeze: bool = False) -> Closing:
        """Stop the round, fix its actual prediction figure and freeze its winners, all at once.

        Attempts still open end now with the answers they have. Closing again changes nothing
        unless `refreeze` (after a regrade) computes figure and winners anew."""
        async with self._uow() as uow:
            state = await self._locked(uow, code)
            if state.closed and not refreeze:
                return Closing(code, state.figure or 0, tuple(await uow.rounds.winners(code)), already=True)
            if not state.closed and state.round.opens is not None and now < state.round.opens:
                raise RoundRefused("not_open_yet", code=code)  # nothing to close: cancel it instead
            held = await uow.rounds.winners(code)
            stopped = 0
            if not state.closed:
                r = state.round
                stopped = await uow.attempts.stop_open(round_code=code, at=now)
                if r.closes is None or r.closes > now:
                    await uow.rounds.save(replace(r, opens=None if r.opens is None else min(r.opens, now), closes=now))
            contest = self._live.runtime.contest
            rule, prizes = contest.verified_phones, contest.prizes
            counted = standings(await uow.attempts.entries(round_code=code), rule=rule)
            figure = all_correct_count(counted)
            # with every prize open to every ranked number, the top of the ladder is enough
            leaders = top(counted, figure, sum(n for _p, n in prizes.ladder())) \
                if rule is VerifiedRule.OPTIONAL else rank(counted, figure)
            frozen = frozen_winners(leaders, prizes, rule)
            await uow.rounds.freeze(round_code=code, winners=frozen)
            await uow.rounds.close(round_code=code, actual=figure, now=now if not state.closed else
                                   (state.closed_at or now))
            await self._done(uow, code, by, now, "round.refreeze" if state.closed else "round.close", None, None,
                             figure=figure, stopped=stopped, winners_before=[w.participant_id for w in held],
                             winners_after=[w.participant_id for w in frozen])
        return Closing(code, figure, tuple(frozen), stopped)

    async def close_due(self, *, now: datetime) -> list[Closing]:
        """Close every round whose time is up, and hand in the attempts whose time is up (the scheduler's
        job; any worker may run it)."""
        closed = [await self.close(s.round.code, by=SCHEDULER, now=now) for s in await self.states()
                  if due_to_close(s, now)]
        await self._standings.upkeep(now=now)
        return closed

    @staticmethod
    async def _locked(uow: UnitOfWork, code: str) -> RoundState:
        state = await uow.rounds.state(code, lock=True)
        if state is None:
            raise RoundRefused("unknown_round", code=code)
        return state
