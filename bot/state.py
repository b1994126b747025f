"""Where conversation state lives between events: memory by default, Redis at scale.

One process without Redis keeps a journal file next to its SQLite database, so a restart does not
forget a registration half typed or a prediction asked for: the next message carries on."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import IO, Protocol

from quiz.conversation.state import ChatState

log = logging.getLogger(__name__)
_SQLITE_FILE = ("sqlite:///", "sqlite+aiosqlite:///", "sqlite+pysqlite:///")
IDLE_S = 7 * 24 * 3600  # a state (a flow, a browser's history) not written for a week is forgotten, in every store
MAX_COUNTED = 100_000  # keys MemoryStates.admit remembers at once; the least recently counted go first
HOLD_MS = 10_000  # a hold lapses this long after it was taken, should its worker die holding it …
HOLD_WAIT_S = 10.0  # … and an event waits this long at most before it goes on without one
HOLD_POLL_S = 0.01


class StateStore(Protocol):
    async def get(self, key: str) -> ChatState: ...
    async def set(self, key: str, state: ChatState) -> None: ...
    async def append(self, key: str, item: str, *, keep: int) -> None:
        """Add `item` at the end of the list under `key` (a list apart from the states), keeping its last
        `keep`; the list's idle time starts again. One write, nothing read."""
        ...
    async def items(self, key: str) -> list[str]:
        """The list under `key`, oldest first; [] when there is none."""
        ...
    async def drop(self, key: str) -> None:
        """Forget the list under `key`."""
        ...
    async def admit(self, key: str, *, limit: int, window_s: float) -> bool:
        """Count one more under `key` unless `limit` were counted in the last `window_s` seconds (then False);
        every worker counts in the same place."""
        ...
    def hold(self, key: str) -> AbstractAsyncContextManager[None]:
        """While held, no other worker holds `key` (an account's events, one at a time across workers); one
        process has nothing to add to its own lock."""
        ...


def journal_for(database_url: str) -> Path | None:
    """The journal beside a SQLite database file ("db.sqlite" → "db.sqlite.states"); None for any other store."""
    for prefix in _SQLITE_FILE:
        if database_url.startswith(prefix):
            path = database_url[len(prefix):].split("?")[0]
            return Path(path + ".states") if path and path != ":memory:" else None
    return None


class MemoryStates:
    """States in this process; with a `journal`, every change is appended to it and read back at start.
    A state not written for IDLE_S is forgotten, as Redis expires it: kept no longer, and not read back."""

    COMPACT_AFTER = 16 * 2**20  # bytes appended (and at least the live states' size) before a rewrite

    def __init__(self, *, journal: Path | None = None, clock: Callable[[], float] = time.time) -> None:
        self._states: dict[str, str] = {}
        self._written: dict[str, float] = {}  # when each state was last written (its idle time starts)
        self._lists: dict[str, list[str]] = {}
        self._listed: dict[str, float] = {}  # when each list was last added to
        self._counted: OrderedDict[str, deque[float]] = OrderedDict()  # admit's times, by key
        self._clock = clock
        self._journal = journal
        self._file: IO[str] | None = None
        self._appended = 0  # bytes since the journal was last rewritten
        self._live = 0  # bytes the latest states took when it was
        if journal is not None:
            self._load(journal)

    async def get(self, key: str) -> ChatState:
        if key in self._states and self._clock() - self._written[key] >= IDLE_S:
            self._forget(key)  # out of the journal at its next rewrite, which keeps only live states
        return ChatState.loads(self._states.get(key))

    def _forget(self, key: str) -> None:
        self._states.pop(key, None)
        self._written.pop(key, None)

    def _forget_list(self, key: str) -> None:
        self._lists.pop(key, None)
        self._listed.pop(key, None)

    def _expire_list(self, key: str, now: float) -> None:
        if key in self._lists and now - self._listed[key] >= IDLE_S:
            self._forget_list(key)

    def _push(self, key: str, item: str, keep: int, at: float) -> None:
        """Add to the list, keeping its last `keep` (live and on replay)."""
        kept = self._lists.setdefault(key, [])
        kept.append(item)
        del kept[:-keep]
        self._listed[key] = at

    async def append(self, key: str, item: str, *, keep: int) -> None:
        now = self._clock()
        self._expire_list(key, now)
        self._push(key, item, keep, now)
        self._write({"k": key, "a": item, "n": keep, "t": round(now)})

    async def items(self, key: str) -> list[str]:
        self._expire_list(key, self._clock())
        return list(self._lists.get(key, ()))

    async def drop(self, key: str) -> None:
        if key in self._lists:
            self._forget_list(key)
            self._write({"k": key, "l": None, "t": round(self._clock())})

    async def admit(self, key: str, *, limit: int, window_s: float) -> bool:
        now = self._clock()
        times = self._counted.pop(key, None) or deque()
        while times and now - times[0] >= window_s:
            times.popleft()
        admitted = len(times) < limit
        if admitted:
            times.append(now)
        self._counted[key] = times
        if len(self._counted) > MAX_COUNTED:
            self._counted.popitem(last=False)
        return admitted

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        yield  # one process: the Dispatcher's own lock is the whole of it

    async def set(self, key: str, state: ChatState) -> None:
        text = None if state == ChatState() else state.dumps()  # an empty idle state is the same as none
        if self._states.get(key) == text:
            return
        now = self._clock()
        if text is None:
            self._forget(key)
        else:
            self._states[key], self._written[key] = text, now
        self._write({"k": key, "s": text, "t": round(now)})

    def _write(self, row: dict[str, object]) -> None:
        if self._file is not None:
            line = json.dumps(row, ensure_ascii=False) + "\n"
            self._file.write(line)
            self._file.flush()
            self._appended += len(line)
            if self._appended >= max(self.COMPACT_AFTER, self._live):
                self._compact()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _load(self, journal: Path) -> None:
        try:
            lines = journal.read_text(encoding="utf-8").splitlines() if journal.exists() else []
        except OSError as exc:
            log.warning("conversation journal %s not read (%s); starting without it", journal, exc)
            lines = []
        now = self._clock()
        for line in lines:
            try:
                row = json.loads(line)
                key = str(row["k"])
                written = float(row.get("t", now))  # a journal from before idle expiry: written now
                if "a" in row:  # one item added to a list (to a new one if it was idle by then, as it was live)
                    self._expire_list(key, written)
                    self._push(key, str(row["a"]), int(row["n"]), written)
                elif "l" in row:  # a whole list (a rewrite), or none (dropped)
                    if row["l"] is None:
                        self._forget_list(key)
                    else:
                        self._lists[key], self._listed[key] = [str(item) for item in row["l"]], written
                elif isinstance(row["s"], str):
                    self._states[key], self._written[key] = row["s"], written
                else:
                    self._forget(key)
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a crash
        self._compact()

    def _compact(self) -> None:
        """Rewrite the journal with one line per key, atomically, and append to it from then on."""
        assert self._journal is not None
        self.close()
        now = self._clock()
        for key in [k for k, at in self._written.items() if now - at >= IDLE_S]:
            self._forget(key)
        for key in [k for k, at in self._listed.items() if now - at >= IDLE_S]:
            self._forget_list(key)
        temporary = self._journal.with_name(self._journal.name + ".new")
        try:
            self._journal.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # registration drafts inside
            self._live = 0
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                rows = [{"k": key, "s": text, "t": round(self._written[key])} for key, text in self._states.items()] + \
                    [{"k": key, "l": items, "t": round(self._listed[key])} for key, items in self._lists.items()]
                for row in rows:
                    line = json.dumps(row, ensure_ascii=False) + "\n"
                    out.write(line)
                    self._live += len(line)
            os.replace(temporary, self._journal)
            self._file = open(self._journal, "a", encoding="utf-8")  # noqa: SIM115 - kept open for appends
        except OSError as exc:
            log.warning("conversation journal %s not written (%s); states kept in memory only", self._journal, exc)
            self._file = None
        self._appended = 0


_APPEND = """
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
"""


# A sliding window: the times counted in the last ARGV[2] ms under KEYS[1], by Redis's own clock, so that
# workers on several machines count alike; ARGV[3] makes each member unique.
_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""


# Let go of a hold only if it is still this holder's (it may have lapsed and been taken by another).
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisStates:
    """Shared state for several workers; idle states expire after a week. The commands of concurrent
    events go to Redis together, in the order they were issued (bot.redis_client.Together)."""

    TTL = IDLE_S

    def __init__(self, url: str) -> None:
        from bot.redis_client import Together, redis_client

        self._redis = redis_client(url, decode_responses=True)
        self._together = Together(self._redis)

    async def get(self, key: str) -> ChatState:
        raw = await self._together.call("GET", f"cds:state:{key}")  # str: the client decodes responses
        return ChatState.loads(raw if isinstance(raw, str) else None)

    async def set(self, key: str, state: ChatState) -> None:
        await self._together.call("SET", f"cds:state:{key}", state.dumps(), "EX", self.TTL)

    async def append(self, key: str, item: str, *, keep: int) -> None:
        # EVAL, not EVALSHA: a script Redis has forgotten (a restart, SCRIPT FLUSH) cannot fail one batch.
        await self._together.call("EVAL", _APPEND, 1, f"cds:list:{key}", item, keep, self.TTL)

    async def items(self, key: str) -> list[str]:
        return [str(item) for item in await self._together.call("LRANGE", f"cds:list:{key}", 0, -1)]

    async def drop(self, key: str) -> None:
        await self._together.call("DEL", f"cds:list:{key}")

    async def admit(self, key: str, *, limit: int, window_s: float) -> bool:
        return bool(await self._together.call("EVAL", _ADMIT, 1, f"cds:count:{key}", limit,
                                              max(1, round(window_s * 1000)), secrets.token_hex(6)))

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        name, token = f"cds:hold:{key}", secrets.token_hex(8)
        loop = asyncio.get_running_loop()
        until = loop.time() + HOLD_WAIT_S
        while not await self._together.call("SET", name, token, "NX", "PX", HOLD_MS):
            if loop.time() >= until:  # held past any event's time: its worker died; go on without
                break
            await asyncio.sleep(HOLD_POLL_S)
        try:
            yield
        finally:
            await self._together.call("EVAL", _RELEASE, 1, name, token)

    async def ping(self) -> None:
        """Raise unless Redis answers now (/readyz)."""
        await self._redis.ping()

    async def close(self) -> None:
        await self._together.close()
        await self._redis.aclose()
