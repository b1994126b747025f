"""Repositories never commit: what a unit of work changes reaches another one only once it commits."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from quiz.audit import AuditEntry
from quiz.broadcasts import SENT
from quiz.drafts import Draft
from quiz.identity import Guardian
from quiz.integrity import Flag, FlagKind
from quiz.model import Question, QuestionSet
from quiz.people import PURPOSE_NEWS, LinkCode
from quiz.ports import UnitOfWork, UowFactory

from .conftest import ON_EVERY_BACKEND
from .make import T0, account, person, started

pytestmark = ON_EVERY_BACKEND
HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class World:
    """Rows the changes below need, committed first."""

    participant: int
    account: int
    attempt: int
    broadcast: int
    revision: int


async def _world(uow: UowFactory) -> World:
    pid = await person(uow)
    acc = await account(uow)
    att = await started(uow, pid)
    async with uow() as w:
        b = await w.broadcasts.add(kind="tip", body={"vi": "Mẹo"}, created_by=None, now=T0)
        await w.links.add(LinkCode("ZZZZ2222", pid, T0 - timedelta(days=2), T0 - timedelta(days=1)))  # expired
        await w.commit()
        return World(pid, acc.id, att.id, b.id, await w.revision.current())


@dataclass(frozen=True, slots=True)
class Change:
    repository: str
    make: Callable[[UnitOfWork, World], Awaitable[object]]
    seen: Callable[[UnitOfWork, World], Awaitable[bool]]


async def _is(value: Awaitable[object]) -> bool:
    return bool(await value)


_QUESTION = Question("moi-1", "vneid", "Câu hỏi mới?", ("Có", "Không"), 0)
CHANGES = [
    Change("accounts", lambda w, x: w.accounts.get_or_create(channel="web", external_id="b9", locale=None, now=T0),
           lambda w, x: _is(w.accounts.find(channel="web", external_id="b9"))),
    Change("participants", lambda w, x: w.participants.add(full_name="Trần Thị Bình", birth_year=1985,
                                                           phone="0987654321", unit_code="T-B-1", referral=None,
                                                           now=T0, phone_key="key-0987654321"),
           lambda w, x: w.participants.phone_taken("0987654321")),
    Change("consents", lambda w, x: w.consents.record(account_id=x.account, purpose=PURPOSE_NEWS, granted=True,
                                                      text_version="v1", now=T0),
           lambda w, x: _is(w.consents.latest(account_id=x.account))),
    Change("attempts", lambda w, x: w.attempts.record_answer(attempt_id=x.attempt, position=0, question_id="q-001",
                                                             choice=1, correct=True, now=T0),
           lambda w, x: _is(w.attempts.answers(x.attempt))),
    Change("counters", lambda w, x: w.counters.bump(unit_code="T-A-1", attempts=1),
           lambda w, x: _counted(w)),
    Change("links", lambda w, x: w.links.add(LinkCode("ABCD2345", x.participant, T0, T0 + timedelta(minutes=10))),
           lambda w, x: _is(w.links.get("ABCD2345"))),
    Change("rounds", lambda w, x: w.rounds.close(round_code="chinh", actual=0, now=T0),
           lambda w, x: _closed(w)),
    Change("sets", lambda w, x: w.sets.publish(QuestionSet("moi", 0, (_QUESTION,)), now=T0),
           lambda w, x: _is(w.sets.latest_version("moi"))),
    Change("reviews", lambda w, x: w.reviews.add(round_code="chinh", flags=[Flag(FlagKind.TOO_FAST, x.participant,
                                                                                 None)], now=T0),
           lambda w, x: _is(w.reviews.of_round("chinh", statuses=("open",), limit=1))),
    Change("broadcasts", lambda w, x: w.broadcasts.deliver(x.broadcast, x.account, status=SENT, detail=None, now=T0),
           lambda w, x: _is(w.broadcasts.reached(x.broadcast))),
    Change("drafts", lambda w, x: w.drafts.put(Draft("tok", "import", "staff:1", {}, T0 + timedelta(hours=1)),
                                               now=T0),
           lambda w, x: _is(w.drafts.get("tok"))),
    Change("staff", lambda w, x: w.staff.add_user(username="btc.an", password_hash="plain:x", role="admin", now=T0),
           lambda w, x: _is(w.staff.user("btc.an"))),
    Change("revision", lambda w, x: w.revision.bump(), lambda w, x: _grown(w, x)),
    Change("audit", lambda w, x: w.audit.add(AuditEntry(T0, "cli", "questions.publish", "moi")),
           lambda w, x: _is(w.audit.recent(limit=1))),
    Change("guardians", lambda w, x: w.guardians.put(participant_id=x.participant, now=T0,
                                                     guardian=Guardian("Trần Thị Mẹ", "0912000000", "declared")),
           lambda w, x: _is(w.guardians.get(x.participant))),
    Change("phone_codes", lambda w, x: w.phone_codes.add(phone_key="k-1", purpose="register", code_hash="h",
                                                         address="10.0.0.1", now=T0, expires_at=T0 + HOUR),
           lambda w, x: _is(w.phone_codes.latest(phone_key="k-1", purpose="register"))),
    Change("notices", lambda w, x: w.notices.add(account_id=x.account, kind="withdrawn", now=T0),
           lambda w, x: _is(w.notices.pending(x.account))),
    Change("housekeeping", lambda w, x: w.housekeeping.link_codes(expired_before=T0),
           lambda w, x: _gone(w.links.get("ZZZZ2222"))),  # a deletion, seen as the row gone
]


async def _gone(value: Awaitable[object]) -> bool:
    return await value is None


async def _closed(w: UnitOfWork) -> bool:
    state = await w.rounds.state("chinh")
    return state is not None and state.closed


async def _grown(w: UnitOfWork, x: World) -> bool:
    return await w.revision.current() > x.revision


async def _counted(w: UnitOfWork) -> bool:
    participants, attempts = await w.counters.all()
    return bool(participants or attempts)


async def test_a_change_reaches_other_units_of_work_only_once_committed(uow: UowFactory,
                                                                      subtests: pytest.Subtests) -> None:
    """Each repository in turn, in one database: every change touches rows of its own."""
    world = await _world(uow)
    for change in CHANGES:
        with subtests.test(repository=change.repository):
            async with uow() as w:
                await change.make(w, world)
                assert await change.seen(w, world)  # its own unit of work reads it at once
            async with uow() as w:
                assert not await change.seen(w, world)  # left without a commit: rolled back
                await change.make(w, world)
                await w.commit()
            async with uow() as w:
                assert await change.seen(w, world)


async def test_what_follows_a_commit_or_fails_half_way_is_not_kept(uow: UowFactory) -> None:
    world = await _world(uow)
    async with uow() as w:
        await w.revision.bump()
        await w.commit()
        await w.revision.bump()  # a second change of the same unit of work, never committed
    with pytest.raises(ConnectionError):
        async with uow() as w:
            await w.revision.bump()
            raise ConnectionError("the worker lost its connection half way")
    async with uow() as w:
        assert await w.revision.current() == world.revision + 1
