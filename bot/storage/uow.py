"""The unit of work: one connection, one transaction (none for reads alone on PostgreSQL), commit or roll back;
repositories never commit."""
from __future__ import annotations

from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.attempts import SqlAttempts
from bot.storage.audit import SqlAudit
from bot.storage.broadcasts import SqlBroadcasts
from bot.storage.contests import SqlContestContent
from bot.storage.drafts import SqlDrafts
from bot.storage.engine import AUTOCOMMIT
from bot.storage.identity import SqlGuardians, SqlHousekeeping, SqlNotices, SqlPhoneCodes
from bot.storage.linking import SqlLinks
from bot.storage.repositories import ContestScope, SqlAccounts, SqlConsents, SqlParticipants, SqlUnitCounters
from bot.storage.reviews import SqlReviews
from bot.storage.revision import SqlRevision
from bot.storage.rounds import SqlRounds
from bot.storage.sets import SqlQuestionSets
from bot.storage.staff import SqlStaff
from bot.storage.stats import SqlStatistics


class SqlUnitOfWork:
    """`reads_only`: a unit that only reads. On PostgreSQL it runs without a transaction: at READ COMMITTED
    each statement sees what was committed when it began, in a transaction or not, so BEGIN and ROLLBACK
    around reads were two round trips that bought nothing (an account read on every press was three).
    A write in such a unit would commit at once, statement by statement: don't; on SQLite the reader is
    query-only and refuses it."""

    def __init__(self, engine: AsyncEngine, scope: ContestScope, *, reads_only: bool = False) -> None:
        self._engine, self._scope, self._reads_only = engine, scope, reads_only
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        self._conn = await self._engine.connect()
        if self._reads_only and self._conn.dialect.name == "postgresql":
            await self._conn.execution_options(isolation_level=AUTOCOMMIT)
        else:
            await self._conn.begin()
        conn, scope = self._conn, self._scope
        self.accounts = SqlAccounts(conn, scope)
        self.participants = SqlParticipants(conn, scope)
        self.consents = SqlConsents(conn, scope)
        self.attempts = SqlAttempts(conn, scope)
        self.counters = SqlUnitCounters(conn, scope)
        self.links = SqlLinks(conn, scope)
        self.rounds = SqlRounds(conn, scope)
        self.sets = SqlQuestionSets(conn, scope)
        self.reviews = SqlReviews(conn, scope)
        self.broadcasts = SqlBroadcasts(conn, scope)
        self.drafts = SqlDrafts(conn, scope)
        self.staff = SqlStaff(conn, scope)
        self.stats = SqlStatistics(conn, scope)
        self.revision = SqlRevision(conn, scope)
        self.audit = SqlAudit(conn, scope)
        self.guardians = SqlGuardians(conn, scope)
        self.phone_codes = SqlPhoneCodes(conn, scope)
        self.notices = SqlNotices(conn, scope)
        self.housekeeping = SqlHousekeeping(conn, scope)
        self.content = SqlContestContent(conn, scope)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._conn is not None
        try:
            await self._conn.rollback()  # a no-op after commit; undoes anything not committed
        finally:
            await self._conn.close()
            self._conn = None

    async def commit(self) -> None:
        assert self._conn is not None
        await self._conn.commit()
