"""Use cases: each opens a unit of work, applies contest rules, commits, returns facts."""
from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from quiz.attempts import Attempt, AttemptStatus, CapReached, Verdict, check_answer, check_cap, draw_paper, is_correct, local_day
from quiz.model import Question, Round
from quiz.ports import Account, AnswerLog, AttemptRace, NewAttempt, Participant, PhoneTaken, UnitOfWork
from quiz.leaderboard import Board, build_board
from quiz.linking import CODE_TTL, LinkRefused, Refusal, new_code, normalise_code, refusal
from quiz.ports import AccountTaken, LinkCode
from quiz.regrade import corrected_keys, judge_again
from quiz.ranking import Ranked, Standing, all_correct_count
from quiz.runtime import ContestRuntime
from quiz.text import nfc
from quiz.units import UnitStats, roll_up

UowFactory = Callable[[], UnitOfWork]
PURPOSE_CONTEST = "contest"  # process name, birth year, phone and unit to run the contest
PURPOSE_NEWS = "news"  # receive tips and announcements
CONSENT_VERSION = "2024-06-01"
_PHONE = re.compile(r"^(?:\+?84|0)([35789]\d{8})$")
_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*$", re.UNICODE)


def normalise_phone(text: str) -> str | None:
    """A Vietnamese mobile number as 0XXXXXXXXX, or None ("+84 912 345 678" → "0912345678")."""
    digits = re.sub(r"[\s.\-()]", "", text)
    m = _PHONE.match(digits)
    return f"0{m.group(1)}" if m else None


def valid_name(text: str) -> str | None:
    """A full name of letters (two words or more), NFC, single-spaced; or None."""
    name = " ".join(nfc(text).split())
    if not 4 <= len(name) <= 80 or len(name.split()) < 2 or not _NAME.match(name):
        return None
    return name


def valid_birth_year(text: str, *, now: datetime) -> int | None:
    text = text.strip()
    if not text.isdigit():
        return None
    year = int(text)
    return year if 1900 <= year <= now.year - 6 else None


@dataclass(frozen=True, slots=True)
class AnswerOutcome:
    verdict: Verdict
    attempt: Attempt


@dataclass(frozen=True, slots=True)
class Result:
    attempt: Attempt
    total: int
    rank: int | None
    ranked_count: int


class _UowAnswers:
    """An AnswerLog committing each answer in its own unit of work."""

    def __init__(self, uow: UowFactory) -> None:
        self._uow = uow

    async def record(self, *, attempt_id: int, position: int, question_id: str, choice: int, correct: bool,
                     now: datetime) -> bool:
        async with self._uow() as uow:
            att = await uow.attempts.get(attempt_id)
            if att is None or not att.accepting(now):
                return False
            stored = await uow.attempts.record_answer(attempt_id=attempt_id, position=position, question_id=question_id,
                                                      choice=choice, correct=correct, now=now)
            await uow.commit()
            return stored


class Services:
    """The contest's use cases over one runtime and a unit-of-work factory."""

    CACHE = 50_000  # attempts whose frozen paper, owner and deadline are kept in memory
    BOARD_TTL = timedelta(seconds=30)  # a large board is at most this stale (plus one rebuild)
    BOARD_SYNC = 20_000  # boards smaller than this are rebuilt at once after a change
    TOP_NAMES = 100  # names kept in memory for the top of each board

    def __init__(self, *, runtime: ContestRuntime, uow: UowFactory, rng: random.Random | None = None,
                 answers: AnswerLog | None = None) -> None:
        self.runtime = runtime
        self._uow = uow
        self._rng = rng or random.SystemRandom()
        self._answers = answers or _UowAnswers(uow)
        self._cached: dict[int, Attempt] = {}
        self._boards: dict[str, Board] = {}
        self._dirty: set[str] = set()
        self._rebuilding: dict[str, asyncio.Task[Board]] = {}
        self._names: dict[int, tuple[str, str]] = {}  # public names of those at the top of a board

    def _remember(self, att: Attempt | None) -> Attempt | None:
        if att is not None:
            self._cached.pop(att.id, None)
            self._cached[att.id] = att
            if len(self._cached) > self.CACHE:
                self._cached.pop(next(iter(self._cached)))
        return att

    # accounts, consent, registration
    async def account(self, *, channel: str, external_id: str, locale: str | None, now: datetime) -> Account:
        async with self._uow() as uow:
            acc = await uow.accounts.get_or_create(channel=channel, external_id=external_id, locale=locale, now=now)
            await uow.commit()
            return acc

    async def set_locale(self, *, account_id: int, locale: str) -> None:
        async with self._uow() as uow:
            await uow.accounts.set_locale(account_id=account_id, locale=locale)
            await uow.commit()

    async def consents(self, *, account_id: int) -> dict[str, bool]:
        async with self._uow() as uow:
            return {p: c.granted for p, c in (await uow.consents.latest(account_id=account_id)).items()}

    async def consent(self, *, account_id: int, purpose: str, granted: bool, now: datetime) -> None:
        async with self._uow() as uow:
            await uow.consents.record(account_id=account_id, purpose=purpose, granted=granted,
                                      text_version=CONSENT_VERSION, now=now)
            await uow.commit()

    async def phone_taken(self, phone: str) -> bool:
        async with self._uow() as uow:
            return await uow.participants.phone_taken(phone)

    async def register(self, *, account_id: int, full_name: str, birth_year: int, phone: str, unit_code: str,
                       referral: str | None, now: datetime) -> Participant:
        """Create the participant and bind this account; PhoneTaken if the number is in use."""
        if unit_code not in self.runtime.units:
            raise ValueError(f"unknown unit {unit_code}")
        async with self._uow() as uow:
            person = await uow.participants.add(full_name=full_name, birth_year=birth_year, phone=phone,
                                                unit_code=unit_code, referral=referral, now=now)
            await uow.accounts.link(account_id=account_id, participant_id=person.id)
            await uow.consents.attach(account_id=account_id, participant_id=person.id)
            await uow.counters.bump(unit_code=unit_code, participants=1)
            await uow.commit()
            return person

    async def change_unit(self, *, participant_id: int, unit_code: str) -> None:
        """Move the participant to another unit; unit participation counts move with them."""
        if unit_code not in self.runtime.units:
            raise ValueError(f"unknown unit {unit_code}")
        async with self._uow() as uow:
            person = await uow.participants.get(participant_id)
            if person is None or person.erased or person.unit_code == unit_code:
                return
            await uow.participants.set_unit(participant_id=participant_id, unit_code=unit_code)
            if person.unit_code:
                await uow.counters.bump(unit_code=person.unit_code, participants=-1)
            await uow.counters.bump(unit_code=unit_code, participants=1)
            await uow.commit()
        self._names.pop(participant_id, None)

    async def participant(self, participant_id: int) -> Participant | None:
        async with self._uow() as uow:
            return await uow.participants.get(participant_id)

    # one contestant across channels: a code shown on one channel links an account on another
    async def issue_link_code(self, *, participant_id: int, now: datetime) -> LinkCode:
        """A new one-time code for linking another chat account; the participant's earlier codes stop working."""
        async with self._uow() as uow:
            await uow.links.revoke(participant_id=participant_id, now=now)
            for _ in range(5):
                link = LinkCode(new_code(), participant_id, now, now + CODE_TTL)
                if await uow.links.add(link):
                    await uow.commit()
                    return link
        raise RuntimeError("no free link code after 5 draws")

    async def link_target(self, *, account_id: int, code: str, now: datetime) -> Participant:
        """Whom `code` would link this account to; LinkRefused if it would not. Nothing changes."""
        async with self._uow() as uow:
            person, _account = await self._link_check(uow, account_id=account_id, code=code, now=now)
            return person

    async def link_account(self, *, account_id: int, code: str, now: datetime) -> Participant:
        """Join this account to the code's participant (one quota, one ranking) and use the code up.

        The citizen confirmed the link, and with it the data use they consented to when they
        registered; that consent is recorded for this account too."""
        async with self._uow() as uow:
            person, account = await self._link_check(uow, account_id=account_id, code=code, now=now)
            if not await uow.links.use(code=normalise_code(code) or "", now=now):
                raise LinkRefused(Refusal.INVALID)
            try:
                if not await uow.links.attach(account_id=account_id, participant_id=person.id):
                    raise LinkRefused(Refusal.OWN)  # it registered meanwhile
            except AccountTaken:
                raise LinkRefused(Refusal.CHANNEL_TAKEN, channel=account.channel) from None
            await uow.consents.record(account_id=account_id, purpose=PURPOSE_CONTEST, granted=True,
                                      text_version=CONSENT_VERSION, now=now)
            await uow.consents.attach(account_id=account_id, participant_id=person.id)
            await uow.commit()
            return person

    async def _link_check(self, uow: UnitOfWork, *, account_id: int, code: str,
                          now: datetime) -> tuple[Participant, Account]:
        account = await uow.accounts.get(account_id)
        normal = normalise_code(code)
        link = await uow.links.get(normal) if normal else None
        why = refusal(link, account=account, now=now)
        if why is not None or link is None or account is None:
            raise LinkRefused(why or Refusal.INVALID)
        person = await uow.participants.get(link.participant_id)
        if person is None or person.erased:
            raise LinkRefused(Refusal.INVALID)
        if await uow.links.account_on(participant_id=person.id, channel=account.channel) is not None:
            raise LinkRefused(Refusal.CHANNEL_TAKEN, channel=account.channel)
        return person, account

    # attempts
    def playable_rounds(self, now: datetime) -> list[Round]:
        return self.runtime.contest.open_rounds(now)

    async def open_attempt(self, *, participant_id: int, round_code: str, now: datetime) -> Attempt | None:
        """The participant's attempt in progress in this round, closing it if its time is up."""
        async with self._uow() as uow:
            att = await uow.attempts.open_for(participant_id=participant_id, round_code=round_code)
            if att is not None and att.expired(now):
                att = await uow.attempts.finish(attempt_id=att.id, at=att.deadline)
                await uow.commit()
                self._changed(round_code)
                return None
            return att

    async def start_attempt(self, *, participant_id: int, round_code: str, now: datetime) -> Attempt:
        """Resume the open attempt or draw a new paper; CapReached or LookupError when not allowed."""
        round_ = self.runtime.contest.round(round_code)
        if round_ is None or not round_.is_open(now):
            raise LookupError(round_code)
        current = await self.open_attempt(participant_id=participant_id, round_code=round_code, now=now)
        if current is not None:
            return current
        qs = self.runtime.sets[round_.question_set]
        day = local_day(now, self.runtime.tz)
        async with self._uow() as uow:
            in_round = await uow.attempts.count(participant_id=participant_id, round_code=round_code)
            today = await uow.attempts.count(participant_id=participant_id, round_code=round_code, day=day)
            check_cap(round_, in_round=in_round, today=today)
            paper = draw_paper(qs.questions, count=round_.questions_per_attempt, quotas=round_.topic_quotas, rng=self._rng)
            person = await uow.participants.get(participant_id)
            try:
                att = await uow.attempts.add(NewAttempt(
                    participant_id=participant_id, round_code=round_code, set_name=qs.name, set_version=qs.version,
                    paper=paper, started_at=now, deadline=now + round_.time_limit, practice=round_.practice,
                    seq=in_round + 1, day=day))
            except AttemptRace:
                pass
            else:
                if person is not None and person.unit_code and round_.ranked:
                    await uow.counters.bump(unit_code=person.unit_code, attempts=1)
                await uow.commit()
                return self._remember(att)  # type: ignore[return-value]
        again = await self.open_attempt(participant_id=participant_id, round_code=round_code, now=now)
        if again is None:
            raise CapReached(per="round", limit=in_round + 1)
        return again

    async def attempt(self, attempt_id: int, *, now: datetime) -> Attempt | None:
        """An attempt as it stands now: one past its deadline is closed first."""
        async with self._uow() as uow:
            att = await uow.attempts.get(attempt_id)
            if att is not None and att.expired(now):
                att = await uow.attempts.finish(attempt_id=att.id, at=att.deadline)
                await uow.commit()
                if att is not None:
                    self._changed(att.round_code)
            return self._remember(att)

    async def answers(self, attempt_id: int) -> dict[int, int]:
        async with self._uow() as uow:
            return await uow.attempts.answers(attempt_id)

    async def answer(self, *, attempt_id: int, participant_id: int, position: int, choice: int,
                     now: datetime) -> AnswerOutcome | None:
        """Store one answer if the rules allow it; return only once it is durable.

        Owner, paper and deadline never change, so a cached attempt serves the checks;
        whether it is still open is decided again where the answer is written."""
        att = self._cached.get(attempt_id) or await self.attempt(attempt_id, now=now)
        if att is None:
            return None
        verdict = check_answer(att, participant_id=participant_id, position=position, choice=choice, now=now)
        if verdict is Verdict.TIME_UP:
            att = await self.attempt(attempt_id, now=now) or att
        if verdict is not Verdict.ACCEPTED:
            return AnswerOutcome(verdict, att)
        item = att.paper[position]
        question = self.runtime.questions(att.set_name, att.set_version)[item.question_id]
        if await self._answers.record(attempt_id=attempt_id, position=position, question_id=question.id,
                                      choice=choice, correct=is_correct(item, question, choice), now=now):
            return AnswerOutcome(Verdict.ACCEPTED, att)
        fresh = await self.attempt(attempt_id, now=now) or att
        if fresh.status is AttemptStatus.OPEN:
            return AnswerOutcome(Verdict.ALREADY_ANSWERED, fresh)
        return AnswerOutcome(Verdict.TIME_UP if now >= fresh.deadline else Verdict.FINISHED, fresh)

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
        async with self._uow() as uow:
            att = await uow.attempts.get(attempt_id)
            if att is None or att.participant_id != participant_id:
                return None
            if att.status is AttemptStatus.OPEN:
                att = await uow.attempts.finish(attempt_id=attempt_id, at=min(now, att.deadline)) or att
                await uow.commit()
                self._changed(att.round_code)
            self._remember(att)
        place, count = (None, 0) if att.practice else await self._rank_of(att)
        return Result(att, len(att.paper), place, count)

    # rankings
    async def board(self, *, round_code: str, now: datetime | None = None) -> Board:
        """The round's ranking: exact for small rounds, at most BOARD_TTL stale for large ones."""
        now = now or datetime.now(timezone.utc)
        held = self._boards.get(round_code)
        outdated = held is not None and (round_code in self._dirty or now - held.built_at > self.BOARD_TTL)
        if held is None or (outdated and len(held) < self.BOARD_SYNC):
            return await self._rebuild(round_code, now)
        if outdated and round_code not in self._rebuilding:
            task = asyncio.create_task(self._rebuild(round_code, now))
            self._rebuilding[round_code] = task
            task.add_done_callback(lambda _t: self._rebuilding.pop(round_code, None))
        return held

    async def _rebuild(self, round_code: str, now: datetime) -> Board:
        self._dirty.discard(round_code)
        async with self._uow() as uow:
            standings = await uow.attempts.standings(round_code=round_code)
            actual = await uow.rounds.actual_figure(round_code)
        board = await asyncio.to_thread(build_board, round_code, standings, actual=actual, now=now)
        await self.names([r.standing.participant_id for r in board.top(self.TOP_NAMES)], keep=True)
        self._boards[round_code] = board
        return board

    def _changed(self, round_code: str) -> None:
        self._dirty.add(round_code)

    async def leaderboard(self, *, round_code: str) -> tuple[tuple[Ranked, ...], int]:
        """Strict ranking of a round and the prediction figure it used."""
        board = await self.board(round_code=round_code)
        return board.ranked, board.figure

    async def exact_board(self, *, round_code: str, now: datetime) -> Board:
        """The round's ranking read from storage now, never a stale one: for closing and publishing."""
        return await self._rebuild(round_code, now)

    async def _rank_of(self, att: Attempt) -> tuple[int | None, int]:
        board = await self.board(round_code=att.round_code)
        mine = Standing(att.participant_id, att.id, att.correct, len(att.paper),
                        int(att.duration().total_seconds() * 1000), att.finished_at or att.deadline, att.prediction)
        held = board.place_of(att.participant_id)
        return board.place_for(mine), len(board) + (0 if held else 1)

    async def names(self, participant_ids: list[int], *, keep: bool = False) -> dict[int, tuple[str, str]]:
        """Full name and unit name of each participant, for leaderboards; the top of each
        board is served from memory."""
        found = {pid: self._names[pid] for pid in participant_ids if pid in self._names}
        missing = [pid for pid in participant_ids if pid not in found]
        if missing:
            async with self._uow() as uow:
                people = await uow.participants.names(missing)
            units = self.runtime.units
            fetched = {pid: (p.full_name, (u.name if (u := units.get(p.unit_code or "")) else ""))
                       for pid, p in people.items()}
            found.update(fetched)
            if keep:
                self._names.update(fetched)
        return found

    async def unit_stats(self) -> list[UnitStats]:
        """Participants and attempts per unit, each unit including the units below it."""
        async with self._uow() as uow:
            participants, attempts = await uow.counters.all()
        return roll_up(self.runtime.units, participants=participants, attempts=attempts)

    async def regrade(self, *, set_name: str, questions: Sequence[Question]) -> tuple[int, int]:
        """Re-score past answers to questions whose key `questions` corrects; return
        (answers changed, attempts affected). Leaderboards rebuild from the new scores."""
        earlier = [qs for (name, _v), qs in self.runtime.archive.items() if name == set_name]
        keys = corrected_keys(earlier, questions)
        if not keys:
            return 0, 0
        by_version = {qs.version: qs.by_id() for qs in earlier}
        ids = sorted({qid for per in keys.values() for qid in per})
        async with self._uow() as uow:
            stored = await uow.attempts.answers_to(set_name=set_name, versions=sorted(keys), question_ids=ids)
            changes = []
            for a in stored:
                qid = a.item.question_id
                right = keys[a.set_version].get(qid)
                if right is None:
                    continue
                now_correct = judge_again(a, by_version[a.set_version][qid], right)
                if now_correct != a.correct:
                    changes.append((a.attempt_id, a.position, now_correct))
            rounds = await uow.attempts.rescore(changes=changes)
            await uow.commit()
        for code in rounds:
            self._changed(code)
        for attempt_id, _p, _c in changes:
            self._cached.pop(attempt_id, None)
        return len(changes), len({c[0] for c in changes})

    async def close_round(self, *, round_code: str, now: datetime) -> int:
        """Freeze the round's actual prediction figure (participants with every answer right)."""
        async with self._uow() as uow:
            figure = all_correct_count(await uow.attempts.standings(round_code=round_code))
            await uow.rounds.close(round_code=round_code, actual=figure, now=now)
            await uow.commit()
        self._changed(round_code)
        return figure

    async def my_attempts(self, *, participant_id: int) -> list[Attempt]:
        async with self._uow() as uow:
            return await uow.attempts.of_participant(participant_id=participant_id)

    # personal data
    async def my_data(self, *, account_id: int, participant_id: int | None) -> tuple[Participant | None, list[Standing], dict[str, bool]]:
        async with self._uow() as uow:
            person = await uow.participants.get(participant_id) if participant_id else None
            consents = {p: c.granted for p, c in (await uow.consents.latest(account_id=account_id)).items()}
            attempts = await uow.attempts.of_participant(participant_id=participant_id) if participant_id else []
        rows = [Standing(a.participant_id, a.id, a.correct, len(a.paper), int(a.duration().total_seconds() * 1000),
                         a.finished_at or a.started_at, a.prediction) for a in attempts]
        return person, rows, consents

    async def erase(self, *, participant_id: int, now: datetime) -> None:
        """Anonymise the participant and unlink every chat account; unit counts stay."""
        async with self._uow() as uow:
            await uow.participants.anonymise(participant_id=participant_id, now=now)
            await uow.accounts.forget_participant(participant_id=participant_id)
            await uow.commit()
        self._names.pop(participant_id, None)
        self._dirty.update(self._boards)
