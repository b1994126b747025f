"""A platform's access and refresh tokens, kept durably (Zalo's refresh token works only once)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import tables as t

_T = t.channel_tokens.c


@dataclass(frozen=True, slots=True)
class ChannelTokens:
    access_token: str
    refresh_token: str
    expires_at: datetime  # of the access token

    def __repr__(self) -> str:  # tokens never reach a log line
        return f"ChannelTokens(expires_at={self.expires_at.isoformat()})"


class SqlTokenStore:
    def __init__(self, engine: AsyncEngine, name: str) -> None:
        self.engine, self.name = engine, name

    async def load(self) -> ChannelTokens | None:
        async with self.engine.connect() as conn:
            r = (await conn.execute(select(t.channel_tokens).where(_T.name == self.name))).first()
            return ChannelTokens(r.access_token, r.refresh_token, r.expires_at) if r else None

    async def save(self, tokens: ChannelTokens, *, now: datetime) -> None:
        """Replace the stored pair; committed when this returns."""
        values = {"access_token": tokens.access_token, "refresh_token": tokens.refresh_token,
                  "expires_at": tokens.expires_at, "updated_at": now}
        for _ in range(2):  # a racing first save may insert between our update and insert
            async with self.engine.begin() as conn:
                done = await conn.execute(update(t.channel_tokens).where(_T.name == self.name).values(**values))
                if done.rowcount == 1:
                    return
                try:
                    async with conn.begin_nested():
                        await conn.execute(insert(t.channel_tokens).values(name=self.name, **values))
                    return
                except IntegrityError:
                    continue
        raise RuntimeError(f"could not store the {self.name} tokens")
