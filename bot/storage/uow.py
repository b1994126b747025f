"""The unit of work: one connection, one transaction, commit or roll back."""
from __future__ import annotations

from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.attempts import SqlAttempts
from bot.storage.linking import SqlLinks
from bot.storage.repositories import (ContestScope, SqlAccounts, SqlConsents, SqlParticipants, SqlRoundStates,
                                      SqlUnitCounters)


class SqlUnitOfWork:
    def __init__(self, engine: AsyncEngine, scope: ContestScope) -> None:
        self._engine, self._scope = engine, scope
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        self._conn = await self._engine.connect()
        await self._conn.begin()
        conn, scope = self._conn, self._scope
        self.accounts = SqlAccounts(conn, scope)
        self.participants = SqlParticipants(conn, scope)
        self.consents = SqlConsents(conn, scope)
        self.attempts = SqlAttempts(conn, scope)
        self.counters = SqlUnitCounters(conn, scope)
        self.rounds = SqlRoundStates(conn, scope)
        self.links = SqlLinks(conn, scope)
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
