"""Database engines: a SQLite file by default (WAL, BEGIN IMMEDIATE that waits for the lock) or PostgreSQL."""
from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.util import await_only

from bot.storage.direct import begin_immediate

__all__ = ["AsyncEngine", "autocommit", "autocommitting", "check_url", "is_sqlite", "make_engine"]
POOL_SIZE = 24  # connections per worker (DATABASE_POOL_SIZE), all kept open: 3 workers and the CLI fit PostgreSQL's 100
JSON_COLUMNS = {"json_serializer": lambda value: orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode(),
                "json_deserializer": orjson.loads}  # JSON columns (updates, outboxes, papers): read and written in C
RECYCLE_S = 1800  # a connection older than this is closed on its return and a new one opened instead
AUTOCOMMIT = "AUTOCOMMIT"


def check_url(url: str) -> None:
    """ValueError, in words for the operator, unless `url` names a database this service can open."""
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        raise ValueError("not a database address; e.g. postgresql+asyncpg://user@host/db or "
                         "sqlite+aiosqlite:///path/to/file.sqlite") from None
    if backend not in ("sqlite", "postgresql"):
        raise ValueError(f"{backend} is not supported: use PostgreSQL (postgresql+asyncpg://…) or SQLite")


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, *, pool_size: int = POOL_SIZE, read_only: bool = False) -> AsyncEngine:
    """An async engine for `url`; SQLite connections are set up for one writer at a time.

    PostgreSQL: at most `pool_size` connections, kept open; a unit of work beyond them waits for one. None
    is opened for a burst and closed after it: a new connection costs its connect, asyncpg's type
    introspection and the preparing again of every statement it runs, each a round trip that waits for
    the event loop's turn, and at 1,700 web answers/s that churn (a pool of 10 + 4 for bursts) made the
    p50 200 ms instead of 20 (bench/e2e.py --offer, README). No ping before each use — that was a
    `BEGIN; ; ROLLBACK` on every checkout, more than the work itself on the answer path. Instead
    connections are replaced after RECYCLE_S, and a connection found broken (the server restarted)
    invalidates the whole pool, so one failed transaction per worker is the cost of a restart.

    `read_only` (SQLite): deferred transactions on query-only connections, for reads that
    must not take the write lock — in WAL mode they never block the writer. The writer engine has one
    connection: code holding it must not ask the same engine for another (it would wait for itself until
    the pool's timeout); a read after a write, in the same block, goes through the reader."""
    if not is_sqlite(url):
        return create_async_engine(url, pool_size=pool_size, max_overflow=0,
                                   pool_recycle=RECYCLE_S, pool_pre_ping=False, **JSON_COLUMNS)
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # One writer connection, so writers queue in the pool, in order, instead of in SQLite's busy handler,
    # which polls with sleeps of up to 100 ms: under load those sleeps were the web chat's p99.
    pool: dict[str, Any] = {} if read_only else {"pool_size": 1, "max_overflow": 0, "pool_timeout": 30}
    engine = create_async_engine(url, connect_args={"timeout": 30}, **pool, **JSON_COLUMNS)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across app crashes
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        else:  # writers wait for another process's lock in BEGIN IMMEDIATE, trying often (bot.storage.direct)
            cursor.execute("PRAGMA busy_timeout=0")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the write lock up front (no upgrade deadlocks), as one call on aiosqlite's thread;
        # readers never take it.
        if read_only:
            conn.exec_driver_sql("BEGIN")
            return
        db = conn.connection.driver_connection  # aiosqlite's connection; its _execute runs on its thread
        try:
            await_only(db._execute(begin_immediate, db._conn))
        except sqlite3.Error as exc:  # raised as SQLAlchemy raises a statement's failure
            raise DBAPIError.instance("BEGIN IMMEDIATE", None, exc, sqlite3.Error, dialect=conn.dialect) from exc

    return engine


@asynccontextmanager
async def autocommit(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection of `engine` made ready by `autocommitting`."""
    async with engine.connect() as conn, autocommitting(conn) as ready:
        yield ready


@asynccontextmanager
async def autocommitting(conn: AsyncConnection) -> AsyncIterator[AsyncConnection]:
    """`conn` with every statement its own transaction on PostgreSQL: one round trip for a write that is one
    statement (no BEGIN and COMMIT around it), atomic as any single statement is. On SQLite, which has no
    round trips to save and whose transactions this module begins itself, one transaction, committed when
    the block ends."""
    if conn.dialect.name == "sqlite":
        async with conn.begin():
            yield conn
        return
    yield await conn.execution_options(isolation_level=AUTOCOMMIT)


def unreachable(exc: BaseException) -> bool:
    """The database refused, dropped or did not answer (the pool's wait included): not the statement's fault."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    return isinstance(exc, OperationalError | PoolTimeout) or (isinstance(exc, DBAPIError)
                                                               and exc.connection_invalidated)
