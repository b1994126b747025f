"""An in-memory unit of work implementing quiz.ports, for fast tests of use cases and conversations.

One `Memory` holds the tables; each unit of work works on a copy and puts it back on commit, so a
use case that fails half-way leaves nothing behind, as a database transaction would. The same
repository contract runs against this and against SQL storage (tests/storage/test_contract.py)."""
from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Self

from quiz.attempts import Attempt, AttemptRace, AttemptStatus, NewAttempt
from quiz.audit import EVERYTHING, AuditEntry, AuditFilter
from quiz.boards_memory import MemoryBoards
from quiz.broadcasts import FAILED, INTERRUPTED, SENDING, SENT, SKIPPED, Broadcast, NewsChoice, Recipient
from quiz.drafts import Draft
from quiz.identity import Guardian, PhoneKeys
from quiz.integrity import AttemptTrace, Flag, Registration, Review
from quiz.model import QuestionSet, Round
from quiz.pack import ContestPack
from quiz.people import PURPOSE_NEWS, Account, AccountTaken, Consent, LinkCode, Participant, PhoneTaken
from quiz.ports import Boards, PhoneVerifier
from quiz.questions import Provenance, Publication, VersionInfo
from quiz.ranking import Entry
from quiz.regrade import StoredAnswer
from quiz.rounds import FrozenWinner, RoundState
from quiz.runtime import ContestRuntime
from quiz.services import UseCases, compose
from quiz.staff import StaffSession, StaffUser, Tries, UserExists
from quiz.statistics import DayCount, Person, QuestionCount
from quiz.text import fold
from quiz.units import UnitTree
from quiz.verification import SentCode


@dataclass(frozen=True, slots=True)
class AnswerRow:
    question_id: str
    choice: int
    correct: bool
    at: datetime


@dataclass(slots=True)
class Memory:
    """Every table of one contest, in memory. Rows are immutable values a repository replaces, never
    changes in place, so a unit of work's copy need only copy the tables (see `fork`)."""

    accounts: dict[int, Account] = field(default_factory=dict)
    last_seen: dict[int, datetime] = field(default_factory=dict)
    participants: dict[int, Participant] = field(default_factory=dict)
    consents: list[tuple[int, int, int | None, Consent]] = field(default_factory=list)  # id, account, person, it
    attempts: dict[int, Attempt] = field(default_factory=dict)
    attempt_keys: dict[int, tuple[int, date]] = field(default_factory=dict)  # attempt → (seq, local day)
    answers: dict[tuple[int, int], AnswerRow] = field(default_factory=dict)
    counters: dict[str, tuple[int, int]] = field(default_factory=dict)  # unit → (participants, attempts)
    links: dict[str, LinkCode] = field(default_factory=dict)
    rounds: dict[str, RoundState] = field(default_factory=dict)
    winners: dict[str, tuple[FrozenWinner, ...]] = field(default_factory=dict)
    sets: dict[str, tuple[QuestionSet, ...]] = field(default_factory=dict)  # every version, oldest first
    reviews: dict[int, tuple[Review, int | None]] = field(default_factory=dict)
    broadcasts: dict[int, Broadcast] = field(default_factory=dict)
    deliveries: dict[tuple[int, int], tuple[str, str | None]] = field(default_factory=dict)
    drafts: dict[str, Draft] = field(default_factory=dict)
    staff: dict[int, StaffUser] = field(default_factory=dict)
    sessions: dict[str, tuple[int, str, datetime]] = field(default_factory=dict)
    failures: list[tuple[str, str, datetime]] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    origins: dict[tuple[str, int], tuple[datetime, Provenance | None]] = field(default_factory=dict)  # set versions
    phone_keys: dict[int, str] = field(default_factory=dict)  # participant → the number's keyed hash
    guardians: dict[int, Guardian] = field(default_factory=dict)
    codes: dict[int, tuple[SentCode, str]] = field(default_factory=dict)  # id → (code, address)
    notices: dict[int, tuple[int, str, datetime | None]] = field(default_factory=dict)  # id → account, kind, shown
    events: dict[tuple[str, str], datetime | None] = field(default_factory=dict)  # inbound: (channel, id) → processed
    created: dict[int, datetime] = field(default_factory=dict)  # account → created at
    content: ContestPack | None = None  # a pack stored over the contest's settings, rules, tips, FAQ and units
    revision: int = 0
    last_id: int = 0
    commits: int = 0

    @classmethod
    def of(cls, runtime: ContestRuntime) -> Memory:
        """Storage holding what a contest pack loads: its rounds and question sets."""
        memory = cls()
        memory.rounds = {r.code: RoundState(r) for r in runtime.contest.rounds}
        memory.sets = {name: (qs,) for name, qs in runtime.sets.items()}
        return memory

    def fork(self) -> Memory:
        """A copy to change without touching this one: new tables holding the same immutable rows."""
        return Memory(**{name: copy.copy(getattr(self, name)) for name in Memory.__slots__})  # type: ignore[attr-defined]

    def same_person(self, participant_id: int) -> set[int]:
        """The participant and every registration sharing its phone key, erased ones included."""
        key = self.phone_keys.get(participant_id)
        return {participant_id, *(p for p, k in self.phone_keys.items() if key is not None and k == key)}

    def next_id(self) -> int:
        self.last_id += 1
        return self.last_id


class _Repo:
    def __init__(self, m: Memory) -> None:
        self.m = m


class FakeAccounts(_Repo):
    async def find(self, *, channel: str, external_id: str) -> Account | None:
        return next((a for a in self.m.accounts.values() if (a.channel, a.external_id) == (channel, external_id)), None)

    async def get_or_create(self, *, channel: str, external_id: str, locale: str | None, now: datetime) -> Account:
        found = await self.find(channel=channel, external_id=external_id)
        if found is None:
            found = Account(self.m.next_id(), channel, external_id, None, locale)
            self.m.accounts[found.id] = found
            self.m.created[found.id] = now
        return found

    async def get(self, account_id: int) -> Account | None:
        return self.m.accounts.get(account_id)

    async def set_locale(self, *, account_id: int, locale: str) -> None:
        self.m.accounts[account_id] = replace(self.m.accounts[account_id], locale=locale)

    async def link(self, *, account_id: int, participant_id: int | None) -> None:
        self.m.accounts[account_id] = replace(self.m.accounts[account_id], participant_id=participant_id)

    async def of_participant(self, participant_id: int) -> list[Account]:
        return await self.of_participants([participant_id])

    async def forget_participants(self, participant_ids: Sequence[int]) -> None:
        for a in list(self.m.accounts.values()):
            if a.participant_id in participant_ids:
                self.m.accounts[a.id] = replace(a, participant_id=None)

    async def of_participants(self, participant_ids: Sequence[int]) -> list[Account]:
        return sorted((a for a in self.m.accounts.values() if a.participant_id in participant_ids), key=lambda a: a.id)


class FakeParticipants(_Repo):
    async def add(self, *, full_name: str, birth_year: int, phone: str, unit_code: str, referral: str | None,
                  now: datetime, phone_key: str, phone_verified_by: str | None = None) -> Participant:
        if await self.phone_taken(phone):
            raise PhoneTaken(phone)
        person = Participant(self.m.next_id(), full_name, birth_year, phone, unit_code, referral, now, False,
                             phone_verified_by)
        self.m.participants[person.id] = person
        self.m.phone_keys[person.id] = phone_key
        return person

    async def holder(self, phone: str) -> Participant | None:
        return next((p for p in self.m.participants.values() if p.phone == phone), None)

    async def same_person(self, participant_id: int) -> list[int]:
        return sorted(self.m.same_person(participant_id))

    async def release_phone(self, *, participant_id: int) -> None:
        self.m.participants[participant_id] = replace(self.m.participants[participant_id], phone=None,
                                                      phone_verified_by=None)
        self.m.phone_keys.pop(participant_id, None)

    async def set_phone_verified(self, *, participant_id: int, source: str) -> None:
        p = self.m.participants[participant_id]
        if p.phone is not None:
            self.m.participants[participant_id] = replace(p, phone_verified_by=source)

    async def replace_phone(self, *, participant_id: int, phone: str, phone_key: str, source: str) -> bool:
        p = self.m.participants[participant_id]
        if p.phone is None or p.phone_verified_by or p.erased:
            return False
        if any(o.phone == phone for o in self.m.participants.values() if o.id != participant_id):
            raise PhoneTaken(phone)
        self.m.participants[participant_id] = replace(p, phone=phone, phone_verified_by=source)
        self.m.phone_keys[participant_id] = phone_key
        return True

    async def withdraw(self, *, participant_id: int, now: datetime) -> None:
        self.m.participants[participant_id] = replace(self.m.participants[participant_id], withdrawn=True)

    async def registered_before(self, moment: datetime) -> list[int]:
        return sorted(p.id for p in self.m.participants.values() if p.registered_at < moment
                      and (not p.erased or p.id in self.m.phone_keys))

    async def get(self, participant_id: int) -> Participant | None:
        return self.m.participants.get(participant_id)

    async def phone_taken(self, phone: str) -> bool:
        return any(p.phone == phone for p in self.m.participants.values())

    async def anonymise(self, participant_ids: Sequence[int], *, now: datetime, keep_key: bool = True) -> None:
        for participant_id in participant_ids:
            p = self.m.participants[participant_id]
            self.m.participants[participant_id] = replace(p, full_name="—", birth_year=None, phone=None,
                                                          referral=None, erased=True, phone_verified_by=None)
            if not keep_key:
                self.m.phone_keys.pop(participant_id, None)

    async def set_unit(self, *, participant_id: int, unit_code: str) -> None:
        self.m.participants[participant_id] = replace(self.m.participants[participant_id], unit_code=unit_code)

    async def names(self, ids: Sequence[int]) -> Mapping[int, Participant]:
        return {i: self.m.participants[i] for i in ids if i in self.m.participants}


class FakeConsents(_Repo):
    async def record(self, *, account_id: int, purpose: str, granted: bool, text_version: str, now: datetime) -> None:
        person = self.m.accounts[account_id].participant_id
        self.m.consents.append((self.m.next_id(), account_id, person, Consent(purpose, granted, text_version, now)))

    async def latest(self, *, account_id: int) -> Mapping[str, Consent]:
        return {c.purpose: c for _i, a, _p, c in self.m.consents if a == account_id}

    async def attach(self, *, account_id: int, participant_id: int) -> None:
        self.m.consents = [(i, a, participant_id if a == account_id else p, c) for i, a, p, c in self.m.consents]

    async def of_participant(self, *, participant_id: int) -> list[Consent]:
        return [c for _i, _a, p, c in self.m.consents if p == participant_id]


class FakeAttempts(_Repo):
    async def add(self, new: NewAttempt) -> Attempt:
        mine = [a for a in self.m.attempts.values()
                if a.participant_id == new.participant_id and a.round_code == new.round_code]
        if any(a.status is AttemptStatus.OPEN for a in mine) or any(self._seq(a) == new.seq for a in mine):
            raise AttemptRace()
        att = Attempt(self.m.next_id(), new.participant_id, new.round_code, new.set_name, new.set_version, new.paper,
                      new.started_at, new.deadline, new.practice)
        self.m.attempts[att.id] = att
        self.m.attempt_keys[att.id] = (new.seq, new.day)
        return att

    def _seq(self, a: Attempt) -> int:
        return self.m.attempt_keys[a.id][0]

    async def get(self, attempt_id: int) -> Attempt | None:
        return self.m.attempts.get(attempt_id)

    async def open_for(self, *, participant_id: int, round_code: str) -> Attempt | None:
        return next((a for a in self.m.attempts.values() if a.participant_id == participant_id
                     and a.round_code == round_code and a.status is AttemptStatus.OPEN), None)

    async def counts(self, *, participant_id: int, round_code: str, day: date) -> tuple[int, int]:
        person = self.m.same_person(participant_id)
        ids = [a.id for a in self.m.attempts.values() if a.participant_id in person and a.round_code == round_code]
        return len(ids), sum(1 for i in ids if self.m.attempt_keys[i][1] == day)

    async def answers(self, attempt_id: int) -> dict[int, int]:
        return {pos: row.choice for (aid, pos), row in self.m.answers.items() if aid == attempt_id}

    async def record_answer(self, *, attempt_id: int, position: int, question_id: str, choice: int, correct: bool,
                            now: datetime) -> bool:
        if (attempt_id, position) in self.m.answers:
            return False
        self.m.answers[(attempt_id, position)] = AnswerRow(question_id, choice, correct, now)
        att = self.m.attempts[attempt_id]
        self.m.attempts[attempt_id] = replace(att, correct=att.correct + (1 if correct else 0))
        return True

    async def set_prediction(self, *, attempt_id: int, prediction: int) -> None:
        self.m.attempts[attempt_id] = replace(self.m.attempts[attempt_id], prediction=prediction)

    async def finish(self, *, attempt_id: int, at: datetime) -> Attempt | None:
        att = self.m.attempts.get(attempt_id)
        if att is not None and att.status is AttemptStatus.OPEN:
            self.m.attempts[attempt_id] = replace(att, status=AttemptStatus.FINISHED, finished_at=at)
        return self.m.attempts.get(attempt_id)

    async def end_open(self, *, attempt_id: int, participant_id: int, at: datetime) -> Attempt | None:
        att = self.m.attempts.get(attempt_id)
        if att is None or att.participant_id != participant_id or att.status is not AttemptStatus.OPEN:
            return None
        return await self.finish(attempt_id=attempt_id, at=at)

    async def entries(self, *, round_code: str, after: int = 0, limit: int | None = None,
                      ids: Sequence[int] | None = None) -> list[Entry]:
        out = []
        for a in sorted(self.m.attempts.values(), key=lambda a: a.id):
            if a.round_code != round_code or (ids is not None and a.id not in ids) or \
                    (limit is not None and a.id <= after):
                continue
            if limit is not None and len(out) == limit:
                break
            person = self.m.participants.get(a.participant_id)
            out.append(Entry(a.participant_id, a.id, a.correct, len(a.paper), a.started_at, a.deadline, a.finished_at,
                             a.prediction, a.practice, bool(person and person.erased),
                             _disqualified(self.m, round_code, a.participant_id),
                             bool(person and person.phone_verified_by), bool(person and person.withdrawn)))
        return out

    async def of_participant(self, *, participant_id: int) -> list[Attempt]:
        return sorted((a for a in self.m.attempts.values() if a.participant_id == participant_id), key=lambda a: a.id)

    async def any_in(self, round_code: str) -> bool:
        return any(a.round_code == round_code for a in self.m.attempts.values())

    async def hand_in_expired(self, *, round_code: str, now: datetime) -> list[int]:
        ended = [a for a in self.m.attempts.values()
                 if a.round_code == round_code and a.status is AttemptStatus.OPEN and a.deadline <= now]
        for a in ended:
            self.m.attempts[a.id] = replace(a, status=AttemptStatus.FINISHED, finished_at=a.deadline)
        return sorted(a.id for a in ended)

    async def stop_open(self, *, round_code: str, at: datetime) -> int:
        stopped = 0
        for a in list(self.m.attempts.values()):
            if a.round_code == round_code and a.status is AttemptStatus.OPEN:
                self.m.attempts[a.id] = replace(a, status=AttemptStatus.FINISHED, finished_at=min(at, a.deadline))
                stopped += 1
        return stopped

    async def answers_to(self, *, set_name: str, versions: Sequence[int],
                         question_ids: Sequence[str]) -> list[StoredAnswer]:
        out = []
        for (aid, pos), row in self.m.answers.items():
            a = self.m.attempts[aid]
            if a.set_name == set_name and a.set_version in versions and row.question_id in question_ids:
                out.append(StoredAnswer(aid, a.set_version, pos, row.choice, a.paper[pos], row.correct))
        return out

    async def rescore(self, *, changes: Sequence[tuple[int, int, bool]]) -> list[str]:
        for aid, pos, correct in changes:
            self.m.answers[(aid, pos)] = replace(self.m.answers[(aid, pos)], correct=correct)
        touched = {aid for aid, _p, _c in changes}
        for aid in touched:
            right = sum(1 for (a, _p), row in self.m.answers.items() if a == aid and row.correct)
            self.m.attempts[aid] = replace(self.m.attempts[aid], correct=right)
        return sorted({self.m.attempts[aid].round_code for aid in touched})


def _disqualified(m: Memory, round_code: str, participant_id: int) -> bool:
    return any(r.round_code == round_code and r.participant_id == participant_id and r.status == "disqualified"
               for r, _user in m.reviews.values())


class FakeCounters(_Repo):
    async def bump(self, *, unit_code: str, participants: int = 0, attempts: int = 0) -> None:
        held, done = self.m.counters.get(unit_code, (0, 0))
        self.m.counters[unit_code] = (held + participants, done + attempts)

    async def all(self) -> tuple[Mapping[str, int], Mapping[str, int]]:
        return ({u: c[0] for u, c in self.m.counters.items()}, {u: c[1] for u, c in self.m.counters.items()})


class FakeLinks(_Repo):
    async def add(self, link: LinkCode) -> bool:
        if link.code in self.m.links:
            return False
        self.m.links[link.code] = link
        return True

    async def get(self, code: str) -> LinkCode | None:
        return self.m.links.get(code)

    async def use(self, *, code: str, now: datetime) -> bool:
        link = self.m.links.get(code)
        if link is None or link.used_at is not None or link.expires_at <= now:
            return False
        self.m.links[code] = replace(link, used_at=now)
        return True

    async def revoke(self, *, participant_id: int, now: datetime) -> None:
        for code, link in list(self.m.links.items()):
            if link.participant_id == participant_id and link.used_at is None:
                self.m.links[code] = replace(link, used_at=now)

    async def account_on(self, *, participant_id: int, channel: str) -> Account | None:
        return next((a for a in self.m.accounts.values()
                     if a.participant_id == participant_id and a.channel == channel), None)

    async def attach(self, *, account_id: int, participant_id: int) -> bool:
        account = self.m.accounts[account_id]
        if account.participant_id is not None:
            return False
        if await self.account_on(participant_id=participant_id, channel=account.channel) is not None:
            raise AccountTaken(str(account_id))
        self.m.accounts[account_id] = replace(account, participant_id=participant_id)
        return True


class FakeRounds(_Repo):
    async def states(self) -> list[RoundState]:
        return list(self.m.rounds.values())

    async def state(self, round_code: str, *, lock: bool = False) -> RoundState | None:
        return self.m.rounds.get(round_code)

    async def save(self, round_: Round) -> None:
        held = self.m.rounds.get(round_.code)
        self.m.rounds[round_.code] = replace(held, round=round_) if held else RoundState(round_)

    async def close(self, *, round_code: str, actual: int, now: datetime) -> None:
        self.m.rounds[round_code] = replace(self.m.rounds[round_code], closed_at=now, figure=actual)

    async def reopen(self, round_code: str) -> None:
        self.m.rounds[round_code] = RoundState(self.m.rounds[round_code].round)
        self.m.winners.pop(round_code, None)

    async def freeze(self, *, round_code: str, winners: Sequence[FrozenWinner]) -> None:
        self.m.winners[round_code] = tuple(sorted(winners, key=lambda w: w.rank))

    async def winners(self, round_code: str) -> list[FrozenWinner]:
        return list(self.m.winners.get(round_code, []))

    async def remove(self, round_code: str) -> None:
        self.m.rounds.pop(round_code, None)
        self.m.winners.pop(round_code, None)
        self.m.reviews = {i: (r, u) for i, (r, u) in self.m.reviews.items() if r.round_code != round_code}


class FakeQuestionSets(_Repo):
    async def latest_version(self, name: str) -> int | None:
        versions = self.m.sets.get(name)
        return versions[-1].version if versions else None

    async def publish(self, qs: QuestionSet, *, now: datetime, provenance: Provenance | None = None) -> Publication:
        versions = self.m.sets.get(qs.name, ())
        if versions and versions[-1].questions == qs.questions:
            return Publication(qs.name, versions[-1].version, False, len(qs.questions))
        version = (versions[-1].version + 1) if versions else 1
        self.m.sets[qs.name] = (*versions, QuestionSet(qs.name, version, qs.questions))
        self.m.origins[(qs.name, version)] = (now, provenance)
        return Publication(qs.name, version, True, len(qs.questions))

    async def history(self, name: str) -> list[VersionInfo]:
        return [VersionInfo(name, qs.version, *self._origin(name, qs.version)[:1], len(qs.questions),
                            self._origin(name, qs.version)[1]) for qs in reversed(self.m.sets.get(name, ()))]

    def _origin(self, name: str, version: int) -> tuple[datetime, Provenance | None]:
        return self.m.origins.get((name, version), (datetime.min.replace(tzinfo=UTC), None))


class FakeReviews(_Repo):
    async def add(self, *, round_code: str, flags: Iterable[Flag], now: datetime) -> int:
        known = {(r.participant_id, r.kind) for r, _u in self.m.reviews.values() if r.round_code == round_code}
        added = 0
        for f in flags:
            if (f.participant_id, f.kind.value) in known:
                continue
            known.add((f.participant_id, f.kind.value))
            rid = self.m.next_id()
            self.m.reviews[rid] = (Review(rid, round_code, f.participant_id, f.attempt_id, f.kind.value,
                                          dict(f.detail), "open", None, None, now), None)
            added += 1
        return added

    async def of_round(self, round_code: str, *, statuses: Sequence[str], limit: int) -> list[Review]:
        return [self._named(r, u) for r, u in sorted(self.m.reviews.values(), key=lambda x: x[0].id)
                if r.round_code == round_code and r.status in statuses][:limit]

    async def get(self, review_id: int) -> Review | None:
        held = self.m.reviews.get(review_id)
        return self._named(*held) if held else None

    async def decide(self, *, review_id: int, status: str, user_id: int | None, now: datetime,
                     reason: str = "") -> None:
        review, _user = self.m.reviews[review_id]
        self.m.reviews[review_id] = (replace(review, status=status, decided_at=now if user_id is not None else None,
                                             reason=reason), user_id)

    async def of_participant(self, participant_id: int) -> list[Review]:
        return [self._named(r, u) for r, u in sorted(self.m.reviews.values(), key=lambda x: x[0].id)
                if r.participant_id == participant_id]

    def _named(self, review: Review, user_id: int | None) -> Review:
        user = self.m.staff.get(user_id) if user_id is not None else None
        return replace(review, decided_by=user.username if user else None)


class FakeBroadcasts(_Repo):
    _COUNTERS = {SENT: "sent", FAILED: "failed", SKIPPED: "skipped"}

    async def add(self, *, kind: str, body: Mapping[str, str], created_by: int | None, now: datetime) -> Broadcast:
        made = Broadcast(self.m.next_id(), kind, dict(body), "pending", 0, 0, 0, 0, now, None)
        self.m.broadcasts[made.id] = made
        return made

    async def get(self, broadcast_id: int) -> Broadcast | None:
        return self.m.broadcasts.get(broadcast_id)

    async def recent(self, *, limit: int) -> list[Broadcast]:
        return sorted(self.m.broadcasts.values(), key=lambda b: -b.id)[:limit]

    async def unfinished(self) -> list[int]:
        return sorted(b.id for b in self.m.broadcasts.values() if not b.finished)

    async def accounts(self) -> list[Recipient]:
        return [Recipient(a.id, a.channel, a.external_id, a.locale, self.m.last_seen.get(a.id), a.participant_id)
                for a in self.m.accounts.values()]

    async def news_choices(self) -> list[NewsChoice]:
        return [NewsChoice(i, a, p, c.granted) for i, a, p, c in self.m.consents if c.purpose == PURPOSE_NEWS]

    async def reached(self, broadcast_id: int) -> set[int]:
        return {a for b, a in self.m.deliveries if b == broadcast_id}

    async def begin(self, broadcast_id: int, *, outstanding: int) -> bool:
        b = self.m.broadcasts[broadcast_id]
        if b.finished:
            return False
        recorded = sum(1 for bid, _a in self.m.deliveries if bid == broadcast_id)
        self.m.broadcasts[broadcast_id] = replace(b, status="running", total=recorded + outstanding)
        return True

    async def sweep(self, broadcast_id: int, *, now: datetime) -> int:
        swept = [k for k, (status, _d) in self.m.deliveries.items() if k[0] == broadcast_id and status == SENDING]
        for k in swept:
            self.m.deliveries[k] = (FAILED, INTERRUPTED)
        self._count(broadcast_id, FAILED, len(swept))
        return len(swept)

    async def deliver(self, broadcast_id: int, account_id: int, *, status: str, detail: str | None,
                      now: datetime) -> bool:
        if (broadcast_id, account_id) in self.m.deliveries:
            return False
        self.m.deliveries[(broadcast_id, account_id)] = (status, detail)
        self._count(broadcast_id, status, 1)
        return True

    async def settle(self, broadcast_id: int, account_id: int, *, status: str, detail: str | None,
                     now: datetime) -> None:
        if self.m.deliveries.get((broadcast_id, account_id), ("", None))[0] == SENDING:
            self.m.deliveries[(broadcast_id, account_id)] = (status, detail[:200] if detail else None)
            self._count(broadcast_id, status, 1)

    def _count(self, broadcast_id: int, status: str, n: int) -> None:
        name = self._COUNTERS.get(status)
        if name and n:
            b = self.m.broadcasts[broadcast_id]
            self.m.broadcasts[broadcast_id] = replace(b, **{name: getattr(b, name) + n})

    async def finish(self, broadcast_id: int, *, now: datetime) -> None:
        b = self.m.broadcasts[broadcast_id]
        if not b.finished:
            self.m.broadcasts[broadcast_id] = replace(b, status="done", finished_at=now)

    async def cancel(self, broadcast_id: int, *, now: datetime) -> bool:
        b = self.m.broadcasts.get(broadcast_id)
        if b is None or b.finished:
            return False
        self.m.broadcasts[broadcast_id] = replace(b, status="cancelled", finished_at=now)
        return True

    async def reasons(self, broadcast_id: int) -> dict[str, int]:
        out: dict[str, int] = {}
        for (bid, _a), (status, detail) in self.m.deliveries.items():
            if bid == broadcast_id and status in (SKIPPED, FAILED):
                out[detail or ""] = out.get(detail or "", 0) + 1
        return out


class FakeDrafts(_Repo):
    async def put(self, draft: Draft, *, now: datetime) -> None:
        self.m.drafts = {t: d for t, d in self.m.drafts.items() if d.expires_at > now}
        self.m.drafts[draft.token] = draft

    async def get(self, token: str) -> Draft | None:
        return self.m.drafts.get(token)

    async def take(self, token: str) -> Draft | None:
        return self.m.drafts.pop(token, None)


class FakeStaff(_Repo):
    async def add_user(self, *, username: str, password_hash: str, role: str, now: datetime) -> StaffUser:
        if any(u.username == username for u in self.m.staff.values()):
            raise UserExists(username)
        user = StaffUser(self.m.next_id(), username, role, password_hash, now, None)
        self.m.staff[user.id] = user
        return user

    async def user(self, username: str) -> StaffUser | None:
        return next((u for u in self.m.staff.values() if u.username == username), None)

    async def users(self) -> list[StaffUser]:
        return sorted(self.m.staff.values(), key=lambda u: u.username)

    async def disable(self, *, user_id: int, now: datetime) -> None:
        self.m.staff[user_id] = replace(self.m.staff[user_id], disabled_at=now)

    async def open_session(self, *, token_hash: str, user_id: int, csrf_token: str, now: datetime,
                           expires_at: datetime) -> None:
        self.m.sessions = {t: s for t, s in self.m.sessions.items() if s[2] > now}
        self.m.sessions[token_hash] = (user_id, csrf_token, expires_at)

    async def session(self, *, token_hash: str, now: datetime) -> StaffSession | None:
        held = self.m.sessions.get(token_hash)
        if held is None or held[2] <= now or not self.m.staff[held[0]].active:
            return None
        return StaffSession(self.m.staff[held[0]], held[1], held[2])

    async def close_session(self, *, token_hash: str) -> None:
        self.m.sessions.pop(token_hash, None)

    async def close_sessions(self, *, user_id: int) -> None:
        self.m.sessions = {t: s for t, s in self.m.sessions.items() if s[0] != user_id}

    async def enable(self, *, user_id: int) -> None:
        self.m.staff[user_id] = replace(self.m.staff[user_id], disabled_at=None)

    async def set_password(self, *, user_id: int, password_hash: str) -> None:
        self.m.staff[user_id] = replace(self.m.staff[user_id], password_hash=password_hash)

    async def reserve_try(self, *, username: str, remote: str, now: datetime, since: datetime,
                          keep_since: datetime, checked: Callable[[Tries], bool]) -> Tries:
        name, where = username[:64], remote[:64]  # no await in here: one event loop counts atomically
        self.m.failures = [f for f in self.m.failures if f[2] >= keep_since]
        pair = [at for n, r, at in self.m.failures if n == name and r == where and at > since]
        address = [at for _n, r, at in self.m.failures if r == where and at > since]
        tries = Tries(len(pair) + 1, len(address) + 1, min(pair, default=now))
        if checked(tries):
            self.m.failures.append((name, where, now))
        return tries

    async def clear_failures(self, *, username: str, remote: str | None = None) -> None:
        self.m.failures = [f for f in self.m.failures
                           if not (f[0] == username[:64] and (remote is None or f[1] == remote[:64]))]


class FakeStatistics(_Repo):
    """Only what the use cases under test read; the SQL aggregates have their own tests."""

    async def by_day(self, *, since: date | None = None) -> list[DayCount]:
        return []

    async def activity_by_unit(self, *, day: date) -> tuple[dict[str, int], dict[str, int]]:
        return {}, {}

    async def question_counts(self, *, round_code: str | None = None) -> list[QuestionCount]:
        return []

    async def people(self, ids: Sequence[int]) -> dict[int, Person]:
        return {i: Person(i, p.full_name, p.phone, p.unit_code, p.phone_verified_by is not None)
                for i, p in self.m.participants.items() if i in ids}

    async def find(self, text: str, *, by_phone: bool) -> set[int]:
        wanted = " ".join(fold(text).split())
        return {i for i, p in self.m.participants.items() if wanted and not p.erased and wanted in fold(p.full_name)}

    async def traces(self, *, round_code: str) -> list[AttemptTrace]:
        return []

    async def referrals(self) -> list[Registration]:
        return [Registration(p.id, p.referral, p.registered_at) for p in self.m.participants.values()
                if p.referral and not p.erased]


class FakeAudit(_Repo):
    async def add(self, entry: AuditEntry, *, contest_wide: bool = True) -> None:
        self.m.audit.append(replace(entry, actor=entry.actor[:64], origin=entry.origin[:64], action=entry.action[:48],
                                    target=entry.target[:200], id=self.m.next_id()))

    async def recent(self, *, limit: int, before: int | None = None,
                     where: AuditFilter = EVERYTHING) -> list[AuditEntry]:
        return [e for e in reversed(self.m.audit) if (before is None or e.id < before) and where.admits(e)][:limit]


class FakeGuardians(_Repo):
    async def put(self, *, participant_id: int, guardian: Guardian, now: datetime) -> None:
        self.m.guardians[participant_id] = guardian

    async def get(self, participant_id: int) -> Guardian | None:
        return self.m.guardians.get(participant_id)

    async def remove(self, participant_ids: Sequence[int]) -> None:
        for participant_id in participant_ids:
            self.m.guardians.pop(participant_id, None)


class FakePhoneCodes(_Repo):
    async def sent_times(self, *, since: datetime, phone_key: str | None = None,
                         address: str | None = None) -> list[datetime]:
        return [c.created_at for c, a in self.m.codes.values() if c.created_at >= since
                and (phone_key is None or c.phone_key == phone_key) and (address is None or a == address[:64])]

    async def add(self, *, phone_key: str, purpose: str, code_hash: str, address: str, now: datetime,
                  expires_at: datetime) -> None:
        cid = self.m.next_id()
        self.m.codes[cid] = (SentCode(cid, phone_key, purpose, code_hash, now, expires_at, 0, None), address[:64])

    async def latest(self, *, phone_key: str, purpose: str) -> SentCode | None:
        return max((c for c, _a in self.m.codes.values() if c.phone_key == phone_key and c.purpose == purpose),
                   key=lambda c: c.id, default=None)

    async def count_check(self, code_id: int) -> None:
        c, a = self.m.codes[code_id]
        self.m.codes[code_id] = (replace(c, checks=c.checks + 1), a)

    async def use(self, *, code_id: int, now: datetime) -> bool:
        c, a = self.m.codes[code_id]
        if c.used_at is not None:
            return False
        self.m.codes[code_id] = (replace(c, used_at=now), a)
        return True


class FakeNotices(_Repo):
    async def add(self, *, account_id: int, kind: str, now: datetime) -> None:
        self.m.notices[self.m.next_id()] = (account_id, kind, None)

    async def pending(self, account_id: int) -> list[tuple[int, str]]:
        return [(i, k) for i, (a, k, shown) in sorted(self.m.notices.items()) if a == account_id and shown is None]

    async def shown(self, *, ids: Sequence[int], now: datetime) -> None:
        for i in ids:
            a, k, _shown = self.m.notices[i]
            self.m.notices[i] = (a, k, now)


class FakeHousekeeping(_Repo):
    async def processed_events(self, *, before: datetime) -> int:
        gone = [k for k, done in self.m.events.items() if done is not None and done < before]
        self.m.events = {k: v for k, v in self.m.events.items() if k not in gone}
        return len(gone)

    async def link_codes(self, *, expired_before: datetime) -> int:
        gone = [c for c, link in self.m.links.items() if link.expires_at < expired_before]
        self.m.links = {c: v for c, v in self.m.links.items() if c not in gone}
        return len(gone)

    async def phone_codes(self, *, expired_before: datetime) -> int:
        gone = [i for i, (c, _a) in self.m.codes.items() if c.expires_at < expired_before]
        self.m.codes = {i: v for i, v in self.m.codes.items() if i not in gone}
        return len(gone)

    async def idle_accounts(self, *, seen_before: datetime) -> int:
        recent = {a for _i, a, _p, c in self.m.consents if c.at >= seen_before}
        idle = [a.id for a in self.m.accounts.values() if a.participant_id is None and a.id not in recent
                and self.m.created.get(a.id, seen_before) < seen_before
                and self.m.last_seen.get(a.id, seen_before - timedelta(seconds=1)) < seen_before]
        self.m.accounts = {i: a for i, a in self.m.accounts.items() if i not in idle}
        self.m.consents = [row for row in self.m.consents if row[1] not in idle]
        self.m.notices = {i: n for i, n in self.m.notices.items() if n[0] not in idle}
        self.m.deliveries = {k: v for k, v in self.m.deliveries.items() if k[1] not in idle}
        return len(idle)


class FakeContent(_Repo):
    async def store(self, pack: ContestPack, *, now: datetime) -> None:
        self.m.content = pack


class FakeRevision(_Repo):
    async def current(self) -> int:
        return self.m.revision

    async def bump(self) -> int:
        self.m.revision += 1
        return self.m.revision


class FakeUnitOfWork:
    """A transaction over a copy of `memory`, put back on commit. Putting it back would undo what another
    unit of work committed meanwhile, so that commit fails loudly: a database would merge the two."""

    def __init__(self, memory: Memory) -> None:
        self._memory = memory

    async def __aenter__(self) -> Self:
        self._began = self._memory.commits
        self._work = self._memory.fork()
        m = self._work
        self.accounts, self.participants, self.consents = FakeAccounts(m), FakeParticipants(m), FakeConsents(m)
        self.attempts, self.counters, self.links = FakeAttempts(m), FakeCounters(m), FakeLinks(m)
        self.rounds, self.sets, self.reviews = FakeRounds(m), FakeQuestionSets(m), FakeReviews(m)
        self.broadcasts, self.drafts, self.staff = FakeBroadcasts(m), FakeDrafts(m), FakeStaff(m)
        self.stats, self.revision, self.audit = FakeStatistics(m), FakeRevision(m), FakeAudit(m)
        self.guardians, self.phone_codes, self.notices = FakeGuardians(m), FakePhoneCodes(m), FakeNotices(m)
        self.housekeeping, self.content = FakeHousekeeping(m), FakeContent(m)
        return self

    async def __aexit__(self, *exc: object) -> None:
        del self._work

    async def commit(self) -> None:
        if self._memory.commits != self._began:
            raise AssertionError("another unit of work committed while this one was open: the fake cannot merge")
        for name in Memory.__slots__:  # type: ignore[attr-defined]
            setattr(self._memory, name, getattr(self._work, name))
        self._memory.commits += 1
        self._began = self._memory.commits
        self._work = self._memory.fork()
        self.__dict__.update({k: type(v)(self._work) for k, v in self.__dict__.items() if isinstance(v, _Repo)})


class FakeRuntimeSource:
    """The contest as the memory holds it: its rounds and the latest version of each set."""

    def __init__(self, base: ContestRuntime, memory: Memory) -> None:
        self._base, self._memory = base, memory

    async def load(self) -> ContestRuntime:
        return self.now()

    def now(self) -> ContestRuntime:
        """What `load` returns, without waiting: every version of each set is in the archive, as
        bot.storage.contests.load_runtime puts them, so a regrade finds the keys it corrects."""
        m, base = self._memory, self._base
        contest = replace(m.content.contest if m.content else base.contest,
                          rounds=tuple(s.round for s in m.rounds.values()))
        archive = {(qs.name, qs.version): qs for versions in m.sets.values() for qs in versions}
        sets = {name: versions[-1] for name, versions in m.sets.items()}
        if m.content is not None:
            pack = m.content
            return ContestRuntime(contest, sets, pack.rules_version, pack.rules, pack.tips, pack.faq,
                                  UnitTree(pack.units), archive=archive, revision=m.revision)
        return ContestRuntime(contest, sets, base.rules_version, base.rules, base.tips, base.faq, base.units,
                              archive=archive, revision=m.revision)


class FakeBoards(MemoryBoards):
    """Live boards (quiz.ports.Boards): the in-process store is already all in memory."""


class PlainHasher:
    """Passwords kept as they are: only for tests that never touch real accounts."""

    def hash(self, password: str) -> str:
        return f"plain:{password}"

    def verify(self, password_hash: str | None, password: str) -> bool:
        return password_hash == f"plain:{password}"


def use_cases(runtime: ContestRuntime, memory: Memory | None = None, *, rng: random.Random | None = None,
              verifier: PhoneVerifier | None = None, boards: Boards | None = None) -> tuple[UseCases, Memory]:
    """Every use case of the contest over in-memory storage holding what its pack loads, serving the
    contest as read back from that storage (as bot.compose serves it); live boards in `boards`."""
    memory = memory or Memory.of(runtime)
    source = FakeRuntimeSource(runtime, memory)
    uses = compose(runtime=source.now(), source=source, uow=lambda: FakeUnitOfWork(memory), hasher=PlainHasher(),
                   phone_keys=PhoneKeys("fake-secret"), verifier=verifier, rng=rng or random.Random(7),
                   boards=boards or FakeBoards())
    return uses, memory
