"""Counting what an engine sends to its database, with SQLAlchemy's own events (and, for the answers' group
commit and the inbound events' writes, which talk to the driver itself, bot.storage.direct's report):
statements, transactions and connection checkouts. `round_trips` is what a network database serves, one
request each: a statement, the BEGIN and the COMMIT or ROLLBACK of a transaction that sent one, and a
checkout's pre-ping (three, `BEGIN; ; ROLLBACK`, with asyncpg). A test asserts an upper bound on these
counts, never a time."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.direct import SENT_DIRECTLY


@dataclass
class Counts:
    statements: int = 0  # SQL sent, not counting SQLite's own BEGIN
    transactions: int = 0  # transactions that sent at least one statement
    writes: int = 0  # of those, the ones that changed something (INSERT, UPDATE, DELETE)
    autocommits: int = 0  # statements sent outside a transaction: one request each
    pings: int = 0  # pre-pings on checkout

    @property
    def round_trips(self) -> int:
        return self.statements + 2 * self.transactions + 3 * self.pings


class RoundTrips:
    """Counts for the engines given, from `start()` on (or within `counting()`)."""

    def __init__(self, *engines: AsyncEngine) -> None:
        self.counts = Counts()
        self._open: dict[int, list[bool]] = {}  # connection → [sent anything, wrote anything]
        self._on = False
        self._engines = list({id(e): e for e in engines}.values())
        for engine in self._engines:
            sync = engine.sync_engine
            event.listen(sync, "before_cursor_execute", self._statement)
            event.listen(sync, "commit", self._end)
            event.listen(sync, "rollback", self._end)
            if sync.pool._pre_ping:  # type: ignore[attr-defined]
                event.listen(sync.pool, "checkout", self._checkout)
        SENT_DIRECTLY.append(self._batch)

    def close(self) -> None:
        for engine in self._engines:
            sync = engine.sync_engine
            event.remove(sync, "before_cursor_execute", self._statement)
            event.remove(sync, "commit", self._end)
            event.remove(sync, "rollback", self._end)
            if event.contains(sync.pool, "checkout", self._checkout):
                event.remove(sync.pool, "checkout", self._checkout)
        SENT_DIRECTLY.remove(self._batch)

    def start(self) -> None:
        self.counts, self._on = Counts(), True

    def stop(self) -> Counts:
        self._on = False
        return self.counts

    @contextmanager
    def counting(self) -> Iterator[Counts]:
        self.start()
        try:
            yield self.counts
        finally:
            self.stop()

    def _statement(self, conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if not self._on:
            return
        verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if verb.startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE, issued by bot.storage.engine
            return
        self.counts.statements += 1
        writes = verb in ("INSERT", "UPDATE", "DELETE", "WITH")
        if conn.in_transaction() and not _autocommit(conn):
            state = self._open.setdefault(id(conn), [False, False])
            state[0] = True
            state[1] = state[1] or writes
        else:
            self.counts.autocommits += 1
            self.counts.writes += int(writes)

    def _end(self, conn: Connection) -> None:
        state = self._open.pop(id(conn), None)
        if self._on and state is not None and state[0]:
            self.counts.transactions += 1
            self.counts.writes += int(state[1])

    def _batch(self, engine: Engine, statements: int, transactions: int, wrote: bool) -> None:
        """A write sent to the driver itself (bot.storage.direct): in `transactions` transactions, or none
        (each statement committed alone)."""
        if self._on and any(e.sync_engine is engine for e in self._engines):
            self.counts.statements += statements
            self.counts.transactions += transactions
            self.counts.autocommits += 0 if transactions else statements
            self.counts.writes += int(wrote)

    def _checkout(self, *_args: Any) -> None:
        if self._on:
            self.counts.pings += 1


def _autocommit(conn: Connection) -> bool:
    return conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
