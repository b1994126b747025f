"""The OA access token: read from the store, refreshed with the single-use refresh token, stored before use.

A refresh token works once. If a new pair were used before it was stored, a crash would leave
only the spent token behind and the OA would need a new authorisation by hand; so the pair is
committed first. Several workers may race to refresh: the loser finds the winner's pair stored."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

import httpx

from bot.channels.zalo.errors import ZaloError
from bot.storage.tokens import ChannelTokens

log = logging.getLogger(__name__)
EARLY = timedelta(minutes=5)  # refresh this long before the access token expires
DEFAULT_LIFETIME = 90_000  # seconds (25 hours), when Zalo does not say


class TokenStore(Protocol):
    async def load(self) -> ChannelTokens | None: ...
    async def save(self, tokens: ChannelTokens, *, now: datetime) -> None: ...


class TokenKeeper:
    def __init__(self, http: httpx.AsyncClient, *, store: TokenStore, oauth_base: str, app_id: str,
                 app_secret: str | None, first_refresh_token: str | None, clock: Callable[[], datetime]) -> None:
        self.http, self.store, self.clock = http, store, clock
        self.url = oauth_base.rstrip("/") + "/v4/oa/access_token"
        self.app_id, self.app_secret, self.first = app_id, app_secret, first_refresh_token
        self._current: ChannelTokens | None = None
        self._unsaved: ChannelTokens | None = None
        self._lock = asyncio.Lock()
        self.trouble: ZaloError | None = None  # why the last refresh failed, until one succeeds

    @property
    def current(self) -> str | None:
        """The access token in use, if any (to name it as failed when refreshing again)."""
        return self._current.access_token if self._current is not None else None

    async def access_token(self) -> str:
        """A token to call the OA API with, refreshed first when it is about to expire."""
        if self._unsaved is not None or self._current is None:
            async with self._lock:
                await self._store_unsaved()
                self._current = self._current or await self.store.load()
        if self._current is None:
            await self.refresh(failed=None)
        elif self._current.expires_at - self.clock() < EARLY:
            await self.refresh(failed=self._current.access_token)
        assert self._current is not None
        return self._current.access_token

    async def refresh(self, *, failed: str | None) -> None:
        """Replace the access token `failed` (None: there is none yet) unless someone already has."""
        async with self._lock:
            await self._store_unsaved()
            if self._current is not None and self._current.access_token != failed:
                self.trouble = None
                return  # refreshed while this caller waited
            stored = await self.store.load()
            if stored is not None and stored.access_token != failed:
                self._current, self.trouble = stored, None  # another worker refreshed
                return
            spent = stored.refresh_token if stored is not None else None
            try:
                fresh = await self._exchange_either(spent)
            except ZaloError as exc:
                self.trouble = exc
                raise
            self._unsaved = fresh
            await self._store_unsaved()
            self.trouble = None

    async def _exchange_either(self, spent: str | None) -> ChannelTokens:
        """The stored refresh token's new pair, else ZALO_REFRESH_TOKEN's (an admin authorised again)."""
        try:
            return await self._exchange(spent or self._first())
        except ZaloError as exc:
            if exc.transient or not self.first or self.first == spent:
                raise
            log.warning("zalo: the stored refresh token was refused; trying ZALO_REFRESH_TOKEN")
            return await self._exchange(self.first)

    def _first(self) -> str:
        if not self.first:
            raise ZaloError(0, "no Zalo tokens stored and ZALO_REFRESH_TOKEN is not set")
        return self.first

    async def _store_unsaved(self) -> None:
        """Commit the pending pair, then start using it; raise (keeping it pending) if the store fails."""
        if self._unsaved is None:
            return
        for attempt in range(3):
            try:
                await self.store.save(self._unsaved, now=self.clock())
                break
            except Exception:
                if attempt == 2:
                    log.critical("zalo: a refreshed token pair could not be stored; not using it yet")
                    raise
                await asyncio.sleep(0.2 * 2 ** attempt)
        self._current, self._unsaved = self._unsaved, None
        log.info("zalo: access token refreshed and stored (valid until %s)", self._current.expires_at.isoformat())

    async def _exchange(self, refresh_token: str) -> ChannelTokens:
        if not self.app_secret:
            raise ZaloError(0, "ZALO_APP_SECRET is not set: the access token cannot be refreshed")
        form = {"refresh_token": refresh_token, "app_id": self.app_id, "grant_type": "refresh_token"}
        try:
            response = await self.http.post(self.url, data=form, headers={"secret_key": self.app_secret})
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ZaloError(0, f"token refresh failed: {exc.__class__.__name__}", transient=True) from exc
        if not isinstance(data, dict) or not data.get("access_token") or not data.get("refresh_token"):
            error = data.get("error", 0) if isinstance(data, dict) else 0
            reason = (data.get("error_name") or data.get("error_description")) if isinstance(data, dict) else None
            raise ZaloError(int(error or 0), f"token refresh refused: {reason or response.status_code}")
        lifetime = int(data.get("expires_in") or DEFAULT_LIFETIME)
        return ChannelTokens(str(data["access_token"]), str(data["refresh_token"]),
                             self.clock() + timedelta(seconds=lifetime))
