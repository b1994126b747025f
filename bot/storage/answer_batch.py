"""One batch of the answers' group commit: every answer decided against its attempt as stored (and what
earlier answers of the batch add), then written in bulk, only where the attempt is still as decided against.

Set-based on purpose: a few statements per batch whatever its size. On SQLite the batch is one write
transaction (the write lock held throughout). On PostgreSQL it is two statements, each committed alone: one
reads the batch's attempts, the answers they hold and the accounts its callers trusted; the other writes what
the rules let in, but only to attempts whose status and count of answers are still as read, locked (FOR
UPDATE) while it writes. Answers are only ever added with that count raised, so an attempt found as read
holds exactly the answers read, and finishing an attempt and answering it cannot interleave, in this process
or another. An attempt that moved in between (another worker's answer or finish) is decided again the
locking way: its rows locked first, then read, then written, in one transaction (`_write_pg`). Two round
trips instead of seven matter more than the statements' own cost: under load each round trip waits for
the event loop's turn, and every caller of the batch waits for all of them.

The statements go to the driver itself, not through SQLAlchemy (bot.storage.direct): on PostgreSQL each
has one array parameter per column, so its text is the same whatever the batch's size (prepared once per
connection, then only bound); on SQLite the whole batch is one call on aiosqlite's thread. A batch of one
that finds nothing took 700 µs of CPU through SQLAlchemy against 260 on PostgreSQL; bench/answers.py: CPU
per answer 345 → 251 µs on SQLite, 201 → 148 on PostgreSQL.
The rules stay in one place: `_decide` calls quiz.attempts.takes_answers for both."""
from __future__ import annotations

import asyncio
import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage import direct
from bot.storage import tables as t
from quiz.attempts import AttemptStatus, Written, takes_answers
from quiz.people import Account

# PostgreSQL, as read: each attempt of the batch with the answers it holds, then (status NULL) each account
# trusted, with what it is bound to now.
_PG_SEEN = ("SELECT a.id, a.status, a.deadline, a.answered, h.p, h.c, NULL::bigint, NULL::varchar FROM attempts a "
            "LEFT JOIN LATERAL (SELECT array_agg(position) AS p, array_agg(choice) AS c FROM answers "
            "WHERE attempt_id = a.id) h ON true WHERE a.id = ANY($1::bigint[]) "
            "UNION ALL SELECT u.id, NULL, NULL, NULL, NULL, NULL, u.participant_id, u.locale FROM accounts u "
            "WHERE u.id = ANY($2::bigint[])")
# PostgreSQL, the write: only the attempts still as read ($1–$3) are locked and take their answers ($4–$9)
# and counts ($10–$12); the ones written come back.
_PG_PUT = """
WITH kept AS (
  SELECT a.id FROM attempts a
  JOIN unnest($1::bigint[], $2::varchar[], $3::integer[]) AS s(id, status, answered)
    ON a.id = s.id AND a.status = s.status AND a.answered = s.answered
  ORDER BY a.id FOR UPDATE OF a
), added AS (
  INSERT INTO answers (attempt_id, position, question_id, choice, correct, answered_at)
  SELECT u.* FROM unnest($4::bigint[], $5::integer[], $6::varchar[], $7::integer[], $8::boolean[],
                         $9::timestamptz[]) AS u(attempt_id, position, question_id, choice, correct, answered_at)
  WHERE u.attempt_id IN (SELECT id FROM kept)
), counted AS (
  UPDATE attempts SET answered = attempts.answered + g.n, correct = attempts.correct + g.k
  FROM unnest($10::bigint[], $11::integer[], $12::integer[]) AS g(id, n, k)
  WHERE attempts.id = g.id AND g.id IN (SELECT id FROM kept)
)
SELECT id FROM kept
"""
# PostgreSQL, the locking way, for attempts that moved between the two statements above.
_PG_LOCK = "SELECT id, status, deadline FROM attempts WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE"
_PG_HELD = ("SELECT attempt_id, array_agg(position), array_agg(choice) FROM answers "
            "WHERE attempt_id = ANY($1::bigint[]) GROUP BY attempt_id")
_PG_BOUND = "SELECT id, participant_id, locale FROM accounts WHERE id = ANY($1::bigint[])"
_PG_ADD = ("INSERT INTO answers (attempt_id, position, question_id, choice, correct, answered_at) "
           "SELECT * FROM unnest($1::bigint[], $2::integer[], $3::varchar[], $4::integer[], $5::boolean[], "
           "$6::timestamptz[])")
_PG_GAINED = ("UPDATE attempts SET answered = attempts.answered + g.n, correct = attempts.correct + g.k "
              "FROM unnest($1::bigint[], $2::integer[], $3::integer[]) AS g(id, n, k) WHERE attempts.id = g.id")

# SQLite: a list of ids is one JSON parameter, so each text is the same whatever the batch's size (kept in
# sqlite3's statement cache); the writer's BEGIN IMMEDIATE is the lock.
_LITE_LOCK = "SELECT id, status, deadline FROM attempts WHERE id IN (SELECT value FROM json_each(?))"
_LITE_HELD = "SELECT attempt_id, position, choice FROM answers WHERE attempt_id IN (SELECT value FROM json_each(?))"
_LITE_BOUND = "SELECT id, participant_id, locale FROM accounts WHERE id IN (SELECT value FROM json_each(?))"
_LITE_ADD = ("INSERT INTO answers (attempt_id, position, question_id, choice, correct, answered_at) "
             "VALUES (?, ?, ?, ?, ?, ?)")
_LITE_GAINED = "UPDATE attempts SET answered = answered + ?, correct = correct + ? WHERE id = ?"


@dataclass(slots=True)
class Pending:
    """One answer waiting for its batch; `done` is set once the batch is committed."""

    attempt_id: int
    position: int
    question_id: str
    choice: int
    correct: bool
    at: datetime
    account: Account | None
    done: asyncio.Future[Written] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


@dataclass(slots=True)
class _Found:
    """What the batch's reads found, after its attempts were locked."""

    states: dict[int, tuple[AttemptStatus, datetime]]  # attempt → its status and deadline
    held: dict[int, dict[int, int]]  # attempt → position → choice, for every attempt of the batch
    bound: dict[int, tuple[int | None, str | None]]  # account → its participant and locale, as stored now


@dataclass(slots=True)
class _Decided:
    written: list[Written]
    stored: list[Pending]  # the answers to insert
    gained: dict[int, list[int]]  # attempt → [answers added, of which correct]


def _decide(batch: list[Pending], found: _Found) -> _Decided:
    """Every answer of the batch against what is stored and what earlier answers of the batch add; each
    caller hears every answer its attempt holds once the whole batch is in."""
    outcomes: list[bool | None] = []  # stored or not; None: the account moved
    stored: list[Pending] = []
    gained: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for item in batch:
        seen = item.account
        if seen is not None and found.bound.get(seen.id) != (seen.participant_id, seen.locale):
            outcomes.append(None)
            continue
        state, held = found.states.get(item.attempt_id), found.held[item.attempt_id]
        ok = state is not None and takes_answers(*state, item.at) and item.position not in held
        outcomes.append(ok)
        if ok:
            held[item.position] = item.choice
            stored.append(item)
            gained[item.attempt_id][0] += 1
            gained[item.attempt_id][1] += int(item.correct)
    written = [Written(False, moved=True) if ok is None else Written(ok, dict(found.held[item.attempt_id]))
               for item, ok in zip(batch, outcomes, strict=True)]
    return _Decided(written, stored, gained)


def _ids(batch: list[Pending]) -> tuple[list[int], list[int]]:
    """The batch's attempts and the accounts its callers trusted, each once, in order (locks taken in order)."""
    return (sorted({item.attempt_id for item in batch}),
            sorted({item.account.id for item in batch if item.account is not None}))


async def write(conn: AsyncConnection, batch: list[Pending]) -> list[Written]:
    """Store what the rules let in, committed before this returns; what each caller hears, in batch order.
    A failure is raised as SQLAlchemy raises it for any other statement, a lost server as one that
    invalidated its connection, so callers tell "try again in a moment" from a fault (bot.failures)."""
    async with direct.driver(conn) as db:
        if conn.dialect.name == "postgresql":
            written = await _write_pg_as_read(conn, db, batch)
        else:
            column = t.answers.c.answered_at
            codec = _Codec(direct.to_db(conn.dialect, column), direct.from_db(conn.dialect, column))
            decided = await db._execute(_write_sqlite, db._conn, codec, batch)
            direct.report(conn, statements=_statements(batch, decided), transactions=1, wrote=bool(decided.stored))
            written = decided.written
    return written


def _statements(batch: list[Pending], decided: _Decided) -> int:
    """What a batch sent the locking way: the lock and the answers held; the accounts, when a caller trusted
    one; the inserts and the counts, when an answer was stored."""
    return 2 + any(item.account is not None for item in batch) + 2 * bool(decided.stored)


async def _write_pg_as_read(conn: AsyncConnection, driver: Any, batch: list[Pending]) -> list[Written]:
    """The batch in two statements, each its own transaction; an attempt that moved between them is decided
    again the locking way, with its answers of this batch."""
    ids, accounts = _ids(batch)
    states: dict[int, tuple[AttemptStatus, datetime]] = {}
    counts: dict[int, int] = {}
    held: dict[int, dict[int, int]] = {i: {} for i in ids}
    bound: dict[int, tuple[int | None, str | None]] = {}
    for key, status, deadline, answered, positions, choices, participant, locale in \
            await driver.fetch(_PG_SEEN, ids, accounts):
        if status is None:
            bound[key] = (participant, locale)
            continue
        states[key], counts[key] = (AttemptStatus(status), deadline), answered
        if positions is not None:
            held[key] = dict(zip(positions, choices, strict=True))
    decided = _decide(batch, _Found(states, held, bound))
    if not decided.stored:
        direct.report(conn, statements=1, transactions=0, wrote=False)
        return decided.written
    gained, answers = list(decided.gained), decided.stored
    kept = {r[0] for r in await driver.fetch(
        _PG_PUT, gained, [states[a][0].value for a in gained], [counts[a] for a in gained],
        [a.attempt_id for a in answers], [a.position for a in answers], [a.question_id for a in answers],
        [a.choice for a in answers], [a.correct for a in answers], [a.at for a in answers],
        gained, [decided.gained[a][0] for a in gained], [decided.gained[a][1] for a in gained])}
    direct.report(conn, statements=2, transactions=0, wrote=bool(kept))
    moved = set(gained) - kept
    if not moved:
        return decided.written
    again = [i for i, item in enumerate(batch) if item.attempt_id in moved]
    retried = [batch[i] for i in again]
    async with driver.transaction():
        redone = await _write_pg(driver, retried)
    direct.report(conn, statements=_statements(retried, redone), transactions=1, wrote=bool(redone.stored))
    written = list(decided.written)
    for i, outcome in zip(again, redone.written, strict=True):
        written[i] = outcome
    return written


async def _write_pg(driver: Any, batch: list[Pending]) -> _Decided:
    """The locking way: the attempts' rows locked, then read, decided and written (in the caller's transaction)."""
    ids, accounts = _ids(batch)
    states = {r[0]: (AttemptStatus(r[1]), r[2]) for r in await driver.fetch(_PG_LOCK, ids)}
    held: dict[int, dict[int, int]] = {i: {} for i in ids}
    for attempt_id, positions, choices in await driver.fetch(_PG_HELD, ids):
        held[attempt_id] = dict(zip(positions, choices, strict=True))
    bound = {r[0]: (r[1], r[2]) for r in await driver.fetch(_PG_BOUND, accounts)} if accounts else {}
    decided = _decide(batch, _Found(states, held, bound))
    if decided.stored:
        answers, gained = decided.stored, list(decided.gained.items())
        await driver.execute(_PG_ADD, [a.attempt_id for a in answers], [a.position for a in answers],
                             [a.question_id for a in answers], [a.choice for a in answers],
                             [a.correct for a in answers], [a.at for a in answers])
        await driver.execute(_PG_GAINED, [a for a, _ in gained], [n for _, (n, _k) in gained],
                             [k for _, (_n, k) in gained])
    return decided


@dataclass(frozen=True, slots=True)
class _Codec:
    """SQLAlchemy's own conversion of a UTC time to and from SQLite's text, so rows read the same either way."""

    to_db: Callable[[Any], Any]
    from_db: Callable[[Any], Any]


def _write_sqlite(db: sqlite3.Connection, codec: _Codec, batch: list[Pending]) -> _Decided:
    """On aiosqlite's thread: the batch as one write transaction."""
    ids, accounts = _ids(batch)
    with direct.immediate(db):
        listed = json.dumps(ids)
        states = {i: (AttemptStatus(s), codec.from_db(d)) for i, s, d in db.execute(_LITE_LOCK, (listed,))}
        held: dict[int, dict[int, int]] = {i: {} for i in ids}
        for attempt_id, position, choice in db.execute(_LITE_HELD, (listed,)):
            held[attempt_id][position] = choice
        bound = {i: (p, loc) for i, p, loc in db.execute(_LITE_BOUND, (json.dumps(accounts),))} if accounts else {}
        decided = _decide(batch, _Found(states, held, bound))
        if decided.stored:
            db.executemany(_LITE_ADD, [(a.attempt_id, a.position, a.question_id, a.choice, a.correct,
                                        codec.to_db(a.at)) for a in decided.stored])
            db.executemany(_LITE_GAINED, [(n, k, a) for a, (n, k) in decided.gained.items()])
    return decided
