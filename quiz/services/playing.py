"""Attempts: starting, answering, predicting and finishing, with the result and rank."""
from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from quiz.attempts import (
    AccountMoved,
    Attempt,
    AttemptRace,
    AttemptStatus,
    NewAttempt,
    Verdict,
    Written,
    check_answer,
    check_cap,
    handed_in,
    is_correct,
    local_day,
    paper_for,
)
from quiz.model import Round
from quiz.people import Account, TakingPartRefused, asks_guardian, taking_part_refusal
from quiz.ports import AnswerLog, AttemptDraws, AttemptEnds, DrawSeen, UnitOfWork, UowFactory
from quiz.ranking import Entry, Unranked, unranked
from quiz.review import may_review
from quiz.rounds import RoundState
from quiz.services.live import LiveContest
from quiz.services.standings import Standings


@dataclass(frozen=True, slots=True)
class AnswerOutcome:
    verdict: Verdict
    attempt: Attempt
    answers: Mapping[int, int] | None = None  # every answer the attempt holds, as read where this one was written


@dataclass(frozen=True, slots=True)
class Result:
    attempt: Attempt
    total: int
    rank: int | None
    ranked_count: int
    reviewable: bool = False  # its owner may see it now with the keys and explanations (quiz.review)
    unranked: Unranked | None = None  # why it has no place in the round's ranking (practice: PRACTICE)


class UowAnswers:
    """An AnswerLog committing each answer in its own unit of work (the group commit's simple twin)."""

    def __init__(self, uow: UowFactory) -> None:
        self._uow = uow

    async def record(self, *, attempt_id: int, position: int, question_id: str, choice: int, correct: bool,
                     now: datetime, account: Account | None = None) -> Written:
        async with self._uow() as uow:
            if account is not None and not same_account(await uow.accounts.get(account.id), account):
                return Written(False, moved=True)
            att = await uow.attempts.get(attempt_id)
            if att is None or not att.accepting(now):
                return Written(False, await uow.attempts.answers(attempt_id))
            stored = await uow.attempts.record_answer(attempt_id=attempt_id, position=position, question_id=question_id,
                                                      choice=choice, correct=correct, now=now)
            answers = await uow.attempts.answers(attempt_id)
            await uow.commit()
            return Written(stored, answers)


class UowDraws:
    """AttemptDraws in one unit of work: the attempt open in the round, or the reads, the decision and the
    writes of a new one, in one transaction (bot.storage.attempt_draw is the PostgreSQL one)."""

    def __init__(self, uow: UowFactory) -> None:
        self._uow = uow

    async def draw(self, *, participant_id: int, round_code: str, day: date,
                   decide: Callable[[DrawSeen], tuple[NewAttempt, str | None]]) -> Attempt | int:
        async with self._uow() as uow:
            current = await uow.attempts.open_for(participant_id=participant_id, round_code=round_code)
            if current is not None:
                return current.id
            person = await uow.participants.get(participant_id)
            has_guardian = asks_guardian(person, day) and await uow.guardians.get(participant_id) is not None
            in_round, today = await uow.attempts.counts(participant_id=participant_id, round_code=round_code, day=day)
            new, unit = decide(DrawSeen(person, has_guardian, in_round, today))
            try:
                att = await uow.attempts.add(new)
            except AttemptRace:
                raise AttemptRace(in_round) from None
            if unit is not None:
                await uow.counters.bump(unit_code=unit, attempts=1)
            await uow.commit()
            return att


class UowEnds:
    """AttemptEnds in one unit of work (bot.storage.attempt_end is the PostgreSQL one)."""

    def __init__(self, uow: UowFactory) -> None:
        self._uow = uow

    async def end(self, attempt: Attempt, *, at: datetime) -> tuple[Attempt, list[Entry], list[RoundState]] | None:
        async with self._uow() as uow:
            ended = await uow.attempts.end_open(attempt_id=attempt.id, participant_id=attempt.participant_id, at=at)
            if ended is None:
                return None
            told = await Play._told(uow, ended)
            rounds = await uow.rounds.states()
            await uow.commit()
            return ended, told, rounds


def same_account(stored: Account | None, seen: Account) -> bool:
    """Whether the account is still bound to the participant, in the language, that the caller saw."""
    return stored is not None and (stored.participant_id, stored.locale) == (seen.participant_id, seen.locale)


class Play:
    """Taking attempts. Owner of the cache of attempts in play: owner, paper and deadline never change."""

    CACHE = 50_000  # attempts whose frozen paper, owner and deadline are kept in memory

    def __init__(self, *, live: LiveContest, uow: UowFactory, read: UowFactory, standings: Standings,
                 answers: AnswerLog | None = None, draws: AttemptDraws | None = None,
                 ends: AttemptEnds | None = None, rng: random.Random | None = None) -> None:
        self._live, self._uow, self._read, self._standings = live, uow, read, standings
        self._answers = answers or UowAnswers(uow)
        self._draws = draws or UowDraws(uow)
        self._ends = ends or UowEnds(uow)
        self._rng = rng
        self._cached: dict[int, Attempt] = {}

    def _remember(self, att: Attempt | None) -> Attempt | None:
        if att is not None:
            self._cached.pop(att.id, None)
            self._cached[att.id] = att
            if len(self._cached) > self.CACHE:
                self._cached.pop(next(iter(self._cached)))
        return att

    def _paper_rng(self) -> random.Random:
        """A paper's randomness: the generator given (tests), or one seeded with 128 bits from the OS for
        each paper, as unpredictable as SystemRandom without a system call for each of its ~25 shuffles."""
        return self._rng if self._rng is not None else random.Random(secrets.randbits(128))

    def forget(self, attempt_ids: Iterable[int]) -> None:
        """Their scores changed elsewhere (a regrade): read them again."""
        for attempt_id in attempt_ids:
            self._cached.pop(attempt_id, None)

    @staticmethod
    async def _told(uow: UnitOfWork, att: Attempt | None) -> list[Entry]:
        """What the live board needs of an attempt just ended, read in the transaction that ended it."""
        return [] if att is None or att.practice else await uow.attempts.entries(round_code=att.round_code,
                                                                                 ids=[att.id])

    async def _handed_in(self, att: Attempt | None, now: datetime, entries: list[Entry]) -> None:
        if att is not None:
            await self._standings.handed_in(att, now=now, entries=entries)

    def playable_rounds(self, now: datetime) -> list[Round]:
        return self._live.runtime.contest.open_rounds(now)

    async def open_attempt(self, *, participant_id: int, round_code: str, now: datetime) -> Attempt | None:
        """The participant's attempt in progress in this round, closing it if its time is up."""
        async with self._uow() as uow:
            att = await uow.attempts.open_for(participant_id=participant_id, round_code=round_code)
            if att is None or not att.expired(now):
                return att
            ended = await uow.attempts.finish(attempt_id=att.id, at=att.deadline)
            told = await self._told(uow, ended)
            await uow.commit()
        await self._handed_in(ended, now, told)
        return None

    async def start_attempt(self, *, participant_id: int, round_code: str, now: datetime) -> Attempt:
        """Resume the open attempt or draw a new paper; CapReached, TakingPartRefused or LookupError when
        not allowed; AttemptRace when three draws in a row lost to other starts at the same moment. The caps
        count every attempt made with the participant's number, under registrations erased since too: one
        person, one quota. One draw when nothing is open (the usual case): a transaction,
        or on PostgreSQL a read and a write (bot.storage.attempt_draw)."""
        return (await self.begin(participant_id=participant_id, round_code=round_code, now=now))[0]

    async def begin(self, *, participant_id: int, round_code: str, now: datetime) -> tuple[Attempt, bool]:
        """start_attempt, and whether the attempt was drawn by this call (so nothing is answered in it yet:
        the first question is shown without reading the answers)."""
        round_ = self._live.runtime.contest.round(round_code)
        if round_ is None or not round_.is_open(now):
            raise LookupError(round_code)
        race = AttemptRace()
        # An attempt open whose time is up is closed (and ranked) first, then a new one is drawn; one found open
        # and then gone (finished meanwhile, from another device), or a start at the same moment that took the
        # number this one would have had and has ended since, means drawing again: the round's caps decide on
        # what is stored then, never on a limit made up here.
        for _ in range(3):
            try:
                drawn = await self._draw(round_, participant_id=participant_id, now=now)
            except AttemptRace as lost:
                race = lost
                again = await self.open_attempt(participant_id=participant_id, round_code=round_code, now=now)
                if again is not None:
                    return again, False
                continue
            if isinstance(drawn, Attempt):
                self._remember(drawn)
                return drawn, True
            current = self._cached.get(drawn)  # open, as stored: its owner, paper and deadline as cached
            if current is None or current.expired(now):
                current = await self.attempt(drawn, now=now)
            if current is not None and current.status is AttemptStatus.OPEN:
                return current, False
        raise race  # three draws in a row lost to other starts at the same moment: not a cap, a "try again"

    async def _draw(self, round_: Round, *, participant_id: int, now: datetime) -> Attempt | int:
        """A new attempt, stored, if the participant may take one (the caps count every registration with
        their number); or the id of the attempt open in the round."""
        runtime = self._live.runtime
        qs = runtime.sets[round_.question_set]
        day = local_day(now, runtime.tz)

        def decide(seen: DrawSeen) -> tuple[NewAttempt, str | None]:
            why = taking_part_refusal(seen.person, has_guardian=seen.has_guardian, today=day)
            if why is not None:
                raise TakingPartRefused(why)
            check_cap(round_, in_round=seen.in_round, today=seen.today)
            paper = paper_for(round_, qs.questions, start=now, tz=runtime.tz, rng=self._paper_rng())
            unit = seen.person.unit_code if seen.person is not None and round_.ranked else None
            return NewAttempt(participant_id=participant_id, round_code=round_.code, set_name=qs.name,
                              set_version=qs.version, paper=paper, started_at=now, deadline=now + round_.time_limit,
                              practice=round_.practice, seq=seen.in_round + 1, day=day), unit or None

        return await self._draws.draw(participant_id=participant_id, round_code=round_.code, day=day, decide=decide)

    async def attempt(self, attempt_id: int, *, now: datetime) -> Attempt | None:
        """An attempt as it stands now: one past its deadline is closed first."""
        told: list[Entry] = []
        async with self._uow() as uow:
            att = await uow.attempts.get(attempt_id)
            ended = att is not None and att.expired(now)
            if att is not None and ended:
                att = await uow.attempts.finish(attempt_id=att.id, at=att.deadline)
                told = await self._told(uow, att)
                await uow.commit()
        if ended:
            await self._handed_in(att, now, told)
        return self._remember(att)

    async def answers(self, attempt_id: int) -> dict[int, int]:
        async with self._read() as uow:
            return await uow.attempts.answers(attempt_id)

    async def answer(self, *, attempt_id: int, participant_id: int, position: int, choice: int,
                     now: datetime, account: Account | None = None) -> AnswerOutcome | None:
        """Store one answer if the rules allow it; return only once it is durable, with every answer the
        attempt then holds.

        Owner, paper and deadline never change, so a cached attempt serves the checks;
        whether it is still open is decided again where the answer is written. The `account` the
        participant answers from (perhaps read earlier, by this worker) is checked there too: AccountMoved
        if another worker changed it meanwhile; a press refused before the write checks it with one read."""
        att = self._cached.get(attempt_id) or await self.attempt(attempt_id, now=now)
        verdict = None if att is None else \
            check_answer(att, participant_id=participant_id, position=position, choice=choice, now=now)
        if att is None or verdict is not Verdict.ACCEPTED:
            await self._still(account)
        if att is None or verdict is None:
            return None
        if verdict is Verdict.TIME_UP:
            att = await self.attempt(attempt_id, now=now) or att
        if verdict is not Verdict.ACCEPTED:
            return AnswerOutcome(verdict, att)
        item = att.paper[position]
        question = self._live.runtime.questions(att.set_name, att.set_version)[item.question_id]
        written = await self._answers.record(attempt_id=attempt_id, position=position, question_id=question.id,
                                             choice=choice, correct=is_correct(item, question, choice), now=now,
                                             account=account)
        if written.moved:
            raise AccountMoved()
        if written.stored:
            return AnswerOutcome(Verdict.ACCEPTED, att, written.answers)
        fresh = await self.attempt(attempt_id, now=now) or att
        if fresh.status is AttemptStatus.OPEN:
            return AnswerOutcome(Verdict.ALREADY_ANSWERED, fresh, written.answers)
        return AnswerOutcome(Verdict.TIME_UP if now >= fresh.deadline else Verdict.FINISHED, fresh)

    async def _still(self, account: Account | None) -> None:
        """AccountMoved unless the account is as the caller saw it (a press that never reached the write)."""
        if account is not None:
            async with self._read() as uow:
                if not same_account(await uow.accounts.get(account.id), account):
                    raise AccountMoved()

    async def predict(self, *, attempt_id: int, participant_id: int, prediction: int, now: datetime) -> bool:
        async with self._uow() as uow:
            att = await uow.attempts.get(attempt_id)
            if att is None or att.participant_id != participant_id or not att.accepting(now):
                return False
            await uow.attempts.set_prediction(attempt_id=attempt_id, prediction=prediction)
            await uow.commit()
            return True

    async def finish(self, *, attempt_id: int, participant_id: int, now: datetime) -> Result | None:
        """Close the attempt (at the deadline at the latest) and report score, time and rank."""
        known = self._cached.get(attempt_id)  # an attempt's owner and deadline never change
        done = None if known is None or known.participant_id != participant_id else \
            await self._ends.end(known, at=handed_in(now, known.deadline))
        if done is None:  # not known here, or not open: read as it stands
            read, ended, told, rounds = await self._finish_read(attempt_id, participant_id=participant_id, now=now)
            if read is None:
                return None
            att = read
        else:
            (att, told, rounds), ended = done, True
        if ended:
            await self._handed_in(att, now, told)
        self._remember(att)
        # The entry read with the attempt tells whether it counts (a disqualified participant, say, does not).
        entry = next((e for e in told if e.attempt_id == att.id), None)
        why = Unranked.PRACTICE if att.practice else \
            unranked(entry, self._live.runtime.contest.verified_phones) if entry is not None else None
        place, count = (None, 0) if why is not None else await self._standings.place_of(att, now=now)
        return Result(att, len(att.paper), place, count, reviewable=may_review(att, rounds, now=now),
                      unranked=why)

    async def _finish_read(self, attempt_id: int, *, participant_id: int, now: datetime) -> tuple[
            Attempt | None, bool, list[Entry], list[RoundState]]:
        """Finish an attempt read as it stands (not the participant's: None), whether this ended it, and its
        entry as the ranking sees it."""
        async with self._uow() as uow:
            att = await uow.attempts.get(attempt_id)
            if att is None or att.participant_id != participant_id:
                return None, False, [], []
            ended = att.status is AttemptStatus.OPEN
            if ended:
                att = await uow.attempts.finish(attempt_id=attempt_id, at=handed_in(now, att.deadline)) or att
            told = await self._told(uow, att)
            rounds = await uow.rounds.states()  # whether the result may show the keys, in the same transaction
            if ended:
                await uow.commit()
        return att, ended, told, rounds

    async def my_attempts(self, *, participant_id: int) -> list[Attempt]:
        async with self._read() as uow:
            return await uow.attempts.of_participant(participant_id=participant_id)

    async def reviewable(self, attempts: Iterable[Attempt], *, now: datetime) -> set[int]:
        """Which of these attempts their owner may now see with the keys and explanations (quiz.review)."""
        async with self._read() as uow:
            rounds = await uow.rounds.states()
        return {att.id for att in attempts if may_review(att, rounds, now=now)}
