"""Statements sent to the database driver itself, past SQLAlchemy, for the few writes that run hundreds of
times a second and that every citizen's tap waits on (bot.storage.answer_batch, bot.storage.inbound_writes).

SQLAlchemy's execution costs about 100 µs of CPU per statement there, and on SQLite each statement is four
hand-offs between the event loop and aiosqlite's thread, each waiting for a turn of the loop. The driver's
connection is the one SQLAlchemy's pool lent (`driver`): asyncpg's, or aiosqlite's, whose own thread runs a
whole write as one call (its `_execute`, the call every aiosqlite method makes), so the sqlite3 connection
never leaves that thread. Values are converted by SQLAlchemy's own processors for the column (`to_db`,
`from_db`), so rows read the same either way. A failure is raised as SQLAlchemy raises it, a lost server as
one that invalidated its connection, so callers still tell "try again in a moment" from a fault."""
from __future__ import annotations

import functools
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from sqlalchemy import Column
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

LOCK_WAIT_S = 30.0  # a SQLite writer waits this long for another process's write lock, then gives up (busy)
LOCK_POLL_S = 0.0005  # and tries to take it this often at first,
LOCK_POLL_MAX_S = 0.01  # then less often as the wait grows: after a tenth of the wait so far, at most this
SENT_DIRECTLY: list[Callable[[Engine, int, int, bool], None]] = []
"""Told of each write sent to the driver directly, once durable: its engine, statements (not SQLite's BEGIN),
transactions (0: each statement committed alone) and whether it wrote, so round trips are counted as for
SQLAlchemy's statements (tests/roundtrips.py, bench/probe)."""


@asynccontextmanager
async def driver(conn: AsyncConnection) -> AsyncIterator[Any]:
    """The driver's connection under `conn`. A failure inside is raised as a DBAPIError, and the connection is
    invalidated: whether its last transaction ended is not known for certain, so it is not reused."""
    raw: Any = (await conn.get_raw_connection()).driver_connection  # asyncpg's or aiosqlite's connection
    try:
        yield raw
    except Exception as exc:
        lost = isinstance(exc, OSError) or (conn.dialect.name == "postgresql" and raw.is_closed())
        await conn.invalidate()
        raise DBAPIError.instance(None, None, exc, Exception, connection_invalidated=lost,
                                  dialect=conn.dialect) from exc
    except BaseException:  # cancelled mid-write
        await conn.invalidate()
        raise


def begin_immediate(db: sqlite3.Connection) -> None:
    """On aiosqlite's thread: BEGIN IMMEDIATE, waiting for the write lock while another process holds it (the
    webhook's intake beside a worker, the CLI) by trying again, for at most LOCK_WAIT_S: every LOCK_POLL_S at
    first, then after a tenth of the time waited so far (at most LOCK_POLL_MAX_S).

    The writer connections have no busy timeout of SQLite's own (bot.storage.engine): its handler sleeps 1, 2,
    5, 10, 15, 20, 25 ms and longer between tries, so a process waiting for a writer that takes the lock back
    at once missed every gap; the intake's acknowledgements waited 78–120 ms at p99 behind a busy worker's
    answers (bench/e2e.py). Those gaps come within milliseconds; a lock held for seconds (an import from the
    CLI) is waited for with a try every 10 ms, not 2,000 a second, and the wait is at most a tenth longer than
    the lock was held. The wait happens on aiosqlite's thread, never on the event loop's."""
    began = 0.0
    while True:
        try:
            db.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                raise
            now = time.monotonic()
            began = began or now
            if now - began >= LOCK_WAIT_S:
                raise
        time.sleep(min(LOCK_POLL_MAX_S, max(LOCK_POLL_S, (now - began) / 10)))


@contextmanager
def immediate(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """On aiosqlite's thread: one write transaction (the connection is in autocommit mode, bot.storage.engine),
    committed when the block ends, rolled back if it raises."""
    begin_immediate(db)
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def report(conn: AsyncConnection, *, statements: int, transactions: int, wrote: bool) -> None:
    for told in SENT_DIRECTLY:
        told(conn.sync_engine, statements, transactions, wrote)


@functools.cache
def to_db(dialect: Dialect, column: Column[Any]) -> Callable[[Any], Any]:
    """SQLAlchemy's conversion of a value of `column` for the driver (built once per dialect and column)."""
    return column.type.dialect_impl(dialect).bind_processor(dialect) or _same


@functools.cache
def from_db(dialect: Dialect, column: Column[Any]) -> Callable[[Any], Any]:
    """SQLAlchemy's conversion of a value of `column` read from the driver."""
    return column.type.dialect_impl(dialect).result_processor(dialect, None) or _same


def _same(value: Any) -> Any:
    return value
