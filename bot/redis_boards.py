"""Rounds' live boards in Redis, shared by every worker (quiz.ports.Boards).

Per round: a hash `meta` (the served generation, the one being built, the epoch each was built at), a
counter `epoch` (changes to who counts), the build lock and the notes kept while building. Per generation:
what each participant holds (hash), members by number of correct answers (sorted sets whose scores are all
0, so that Redis orders them by the member string: quiz.boards writes them so that this is rank_key's
order), their sizes, the all-correct participants (set) and when bests must be chosen again (sorted set).
Every change is one Lua script, so two workers never interleave half-changes. Public names, kept for every
worker, are one hash per contest. One Redis server (the scripts name keys they compute: not for a cluster)."""
from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from redis.asyncio import Redis

from bot.redis_client import redis_client
from quiz.boards import Held, Look, Scan, Span

_GEN_KEYS = """
local function drop(base)
  if not base then return end
  for _, c in ipairs(redis.call('HKEYS', base .. ':sizes')) do redis.call('UNLINK', base .. ':g:' .. c) end
  redis.call('UNLINK', base .. ':held', base .. ':sizes', base .. ':perfect', base .. ':switch', base .. ':info')
end
"""

_LOOK = """
local m = redis.call('HMGET', KEYS[1], 'gen', 'building', 'built')
local gen = ARGV[3] ~= '' and ARGV[3] or m[1]
local epoch = tonumber(redis.call('GET', KEYS[2]) or '0')
local stale = (m[1] and tonumber(m[3] or '0') < epoch) and 1 or 0
if not gen or (ARGV[3] ~= '' and gen ~= m[1] and gen ~= m[2]) then return {false, m[2], stale} end
local base = ARGV[1] .. gen
local frozen = redis.call('HGET', base .. ':info', 'frozen')
local perfect = redis.call('SCARD', base .. ':perfect')
local held = false
if ARGV[2] ~= '' then held = redis.call('HGET', base .. ':held', ARGV[2]) end
local figure = frozen and tonumber(frozen) or perfect
local due = #redis.call('ZRANGEBYSCORE', base .. ':switch', '-inf', figure, 'LIMIT', 0, 1)
return {gen, m[2], stale, frozen, perfect, redis.call('HGETALL', base .. ':sizes'), held, due}
"""

_READ = """
local m = redis.call('HMGET', KEYS[1], 'gen', 'building')
if ARGV[2] ~= m[1] and ARGV[2] ~= m[2] then return false end
local g = ARGV[1] .. ARGV[2] .. ':g:'
local counts, found, i = {}, {}, 4
for k = 1, tonumber(ARGV[3]) do
  counts[k] = redis.call('ZLEXCOUNT', g .. ARGV[i], ARGV[i + 1], ARGV[i + 2])
  i = i + 3
end
for k = 1, tonumber(ARGV[i]) do
  local key, a, b, n = g .. ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  if ARGV[i + 5] == '1' then
    found[k] = redis.call('ZREVRANGEBYLEX', key, a, b, 'LIMIT', 0, n)
  else
    found[k] = redis.call('ZRANGEBYLEX', key, a, b, 'LIMIT', 0, n)
  end
  i = i + 5
end
return {counts, found}
"""

_PUT = """
local m = redis.call('HMGET', KEYS[1], 'gen', 'building')
local gen, pid, note = ARGV[2], ARGV[3], ARGV[12]
if gen == '' then
  if m[1] then return -1 end
  if m[2] and note ~= '' then redis.call('RPUSH', KEYS[2], note) end
  return 1
end
if gen ~= m[1] and gen ~= m[2] then return -1 end
local base = ARGV[1] .. gen
if (redis.call('HGET', base .. ':held', pid) or '') ~= ARGV[4] then return 0 end
if ARGV[7] ~= '' then
  redis.call('ZREM', base .. ':g:' .. ARGV[6], ARGV[7])
  redis.call('HINCRBY', base .. ':sizes', ARGV[6], -1)
end
if ARGV[5] == '' then
  redis.call('HDEL', base .. ':held', pid)
  redis.call('SREM', base .. ':perfect', pid)
  redis.call('ZREM', base .. ':switch', pid)
else
  redis.call('ZADD', base .. ':g:' .. ARGV[8], 0, ARGV[9])
  redis.call('HINCRBY', base .. ':sizes', ARGV[8], 1)
  redis.call('HSET', base .. ':held', pid, ARGV[5])
  if ARGV[10] == '1' then redis.call('SADD', base .. ':perfect', pid) end
  if ARGV[11] ~= '' then redis.call('ZADD', base .. ':switch', ARGV[11], pid)
  else redis.call('ZREM', base .. ':switch', pid) end
end
if m[2] and gen == m[1] and note ~= '' then redis.call('RPUSH', KEYS[2], note) end
return 1
"""

_DUE = """
local base = ARGV[1] .. ARGV[2]
local pids = redis.call('ZRANGEBYSCORE', base .. ':switch', '-inf', ARGV[3], 'LIMIT', 0, ARGV[4])
if #pids == 0 then return {} end
return {pids, redis.call('HMGET', base .. ':held', unpack(pids))}
"""

_REMOVE = """
local m = redis.call('HMGET', KEYS[1], 'gen', 'building')
if m[2] then redis.call('RPUSH', KEYS[2], '-' .. ARGV[2]) end
if not m[1] then return 0 end
local base = ARGV[1] .. m[1]
local held = redis.call('HGET', base .. ':held', ARGV[2])
if not held then return 0 end
local correct, best = string.match(held, '^(%d+)|%d|([^|]*)|')
redis.call('ZREM', base .. ':g:' .. correct, best)
redis.call('HINCRBY', base .. ':sizes', correct, -1)
redis.call('HDEL', base .. ':held', ARGV[2])
redis.call('ZREM', base .. ':switch', ARGV[2])
return redis.call('SREM', base .. ':perfect', ARGV[2])
"""

_BEGIN = _GEN_KEYS + """
if not redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return false end
local old = redis.call('HGET', KEYS[1], 'building')
if old then drop(ARGV[1] .. old) end
local gen = tostring(redis.call('INCR', KEYS[4]))
redis.call('DEL', KEYS[3])
redis.call('HSET', KEYS[1], 'building', gen, 'building_epoch', redis.call('GET', KEYS[5]) or '0')
if ARGV[4] ~= '' then redis.call('HSET', ARGV[1] .. gen .. ':info', 'frozen', ARGV[4]) end
return gen
"""

_FINISH = _GEN_KEYS + """
local m = redis.call('HMGET', KEYS[1], 'gen', 'building', 'building_epoch')
if m[2] ~= ARGV[2] then return -1 end
if redis.call('LLEN', KEYS[2]) > 0 then return 0 end
if m[1] then drop(ARGV[1] .. m[1]) end
redis.call('HSET', KEYS[1], 'gen', ARGV[2], 'built', m[3] or '0')
redis.call('HDEL', KEYS[1], 'building', 'building_epoch')
if redis.call('GET', KEYS[3]) == ARGV[3] then redis.call('DEL', KEYS[3]) end
return 1
"""

_ABANDON = _GEN_KEYS + """
if redis.call('HGET', KEYS[1], 'building') == ARGV[2] then
  drop(ARGV[1] .. ARGV[2])
  redis.call('HDEL', KEYS[1], 'building', 'building_epoch')
  redis.call('DEL', KEYS[2])
end
if redis.call('GET', KEYS[3]) == ARGV[3] then redis.call('DEL', KEYS[3]) end
return 1
"""

_PERFECT = """
local sets = {}
for i, meta in ipairs(KEYS) do
  local gen = redis.call('HGET', meta, 'gen')
  if gen then sets[#sets + 1] = ARGV[i] .. gen .. ':perfect' end
end
if #sets == 0 then return 0 end
return #redis.call('SUNION', unpack(sets))
"""


def _lo(span_lo: str) -> str:
    return "-" if not span_lo else "[" + span_lo


def _hi(span_hi: str | None) -> str:
    return "+" if span_hi is None else "(" + span_hi


class RedisBoards:
    """quiz.ports.Boards in Redis."""

    LOCK_MS = 300_000  # a build holds its lock this long (renewed with every piece it loads): if its worker
    # dies, another takes the building over after that
    NAMES_SEP = "\x1f"

    def __init__(self, url: str, *, contest: str, prefix: str = "cds:lb") -> None:
        self._redis: Redis = redis_client(url, decode_responses=True)
        self._base = f"{prefix}:{contest}"
        self._token = secrets.token_hex(8)  # this worker's name on the locks it takes
        r = self._redis
        self._look, self._read, self._put, self._due, self._remove, self._begin, self._finish, self._abandon, \
            self._perfect = (r.register_script(s) for s in (_LOOK, _READ, _PUT, _DUE, _REMOVE, _BEGIN, _FINISH,
                                                             _ABANDON, _PERFECT))

    def _keys(self, round_code: str) -> tuple[str, str]:
        """The round's prefix, and the prefix of its generations."""
        return f"{self._base}:{round_code}", f"{self._base}:{round_code}:gen:"

    async def look(self, round_code: str, *, participant_id: int | None = None, gen: str | None = None) -> Look:
        k, g = self._keys(round_code)
        out: list[Any] = await self._look(keys=[f"{k}:meta", f"{k}:epoch"],
                                          args=[g, "" if participant_id is None else participant_id, gen or ""])
        if not out[0]:
            return Look(None, out[1], bool(out[2]), None, 0, {}, None, False)
        flat = out[5]
        sizes = {int(flat[i]): int(flat[i + 1]) for i in range(0, len(flat), 2) if int(flat[i + 1]) > 0}
        return Look(out[0], out[1], bool(out[2]), None if out[3] is None else int(out[3]), int(out[4]), sizes,
                    out[6], bool(out[7]))

    async def read(self, round_code: str, gen: str, *, spans: Sequence[tuple[int, Span]] = (),
                   scans: Sequence[tuple[int, Scan]] = ()) -> tuple[list[int], list[list[str]]] | None:
        k, g = self._keys(round_code)
        args: list[str | int] = [g, gen, len(spans)]
        for correct, span in spans:
            args += [correct, _lo(span.lo), _hi(span.hi)]
        args.append(len(scans))
        for correct, scan in scans:
            start, stop = (("(" + scan.start, "-") if scan.down else ("[" + scan.start, _hi(scan.stop)))
            args += [correct, start, stop, scan.limit, int(scan.down)]
        out: list[Any] | None = await self._read(keys=[f"{k}:meta"], args=args)
        if not out:
            return None
        return [int(n) for n in out[0]], [list(ms) for ms in out[1]]

    async def put(self, round_code: str, gen: str | None, *, participant_id: int, was: str | None, held: Held | None,
                  switch: int | None, note: str | None) -> bool | None:
        k, g = self._keys(round_code)
        old = Held.loads(was) if was else None
        done = await self._put(keys=[f"{k}:meta", f"{k}:backlog"], args=[
            g, gen or "", participant_id, was or "", held.dumps() if held else "", old.correct if old else "",
            old.best if old else "", held.correct if held else "", held.best if held else "",
            int(bool(held and held.perfect)), "" if switch is None else switch, note or ""])
        return None if done == -1 else bool(done)

    async def due(self, round_code: str, gen: str, *, figure: int, limit: int) -> dict[int, str]:
        _k, g = self._keys(round_code)
        out: list[Any] = await self._due(args=[g, gen, figure, limit])
        return {int(pid): text for pid, text in zip(*out, strict=True) if text} if out else {}

    async def remove(self, round_code: str, participant_id: int) -> bool:
        k, g = self._keys(round_code)
        return bool(await self._remove(keys=[f"{k}:meta", f"{k}:backlog"], args=[g, participant_id]))

    async def stale(self, round_code: str) -> None:
        await self._redis.incr(f"{self._keys(round_code)[0]}:epoch")

    async def begin(self, round_code: str, *, frozen: int | None) -> str | None:
        k, g = self._keys(round_code)
        gen = await self._begin(keys=[f"{k}:meta", f"{k}:lock", f"{k}:backlog", f"{k}:gens", f"{k}:epoch"],
                                args=[g, self._token, self.LOCK_MS, "" if frozen is None else frozen])
        return str(gen) if gen else None

    async def load(self, round_code: str, gen: str, held: Sequence[tuple[int, Held, int | None]]) -> None:
        k, g = self._keys(round_code)
        base = g + gen
        groups: dict[int, dict[str, int]] = {}
        for _pid, h, _switch in held:
            groups.setdefault(h.correct, {})[h.best] = 0
        pipe = self._redis.pipeline(transaction=False)
        if held:
            pipe.hset(f"{base}:held", mapping={pid: h.dumps() for pid, h, _s in held})
        for correct, members in groups.items():
            pipe.zadd(f"{base}:g:{correct}", dict(members))
            pipe.hincrby(f"{base}:sizes", str(correct), len(members))
        perfect = [pid for pid, h, _s in held if h.perfect]
        if perfect:
            pipe.sadd(f"{base}:perfect", *perfect)
        switches = {str(pid): at for pid, _h, at in held if at is not None}
        if switches:
            pipe.zadd(f"{base}:switch", dict(switches))
        pipe.pexpire(f"{k}:lock", self.LOCK_MS)
        await pipe.execute()

    async def backlog(self, round_code: str, gen: str, *, limit: int) -> list[str]:
        taken = await self._redis.lpop(f"{self._keys(round_code)[0]}:backlog", limit)
        return [str(t) for t in taken] if isinstance(taken, list) else []

    async def finish(self, round_code: str, gen: str) -> bool | None:
        k, g = self._keys(round_code)
        done = await self._finish(keys=[f"{k}:meta", f"{k}:backlog", f"{k}:lock"], args=[g, gen, self._token])
        return None if done == -1 else bool(done)

    async def abandon(self, round_code: str, gen: str) -> None:
        k, g = self._keys(round_code)
        await self._abandon(keys=[f"{k}:meta", f"{k}:backlog", f"{k}:lock"], args=[g, gen, self._token])

    async def perfect(self, round_codes: Sequence[str]) -> int:
        keys = [self._keys(code) for code in round_codes]
        return int(await self._perfect(keys=[f"{k}:meta" for k, _g in keys], args=[g for _k, g in keys]))

    async def names(self, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        if not ids:
            return {}
        found = await self._redis.hmget(f"{self._base}:names", [str(pid) for pid in ids])
        return {pid: _pair(str(text), self.NAMES_SEP) for pid, text in zip(ids, found, strict=True) if text is not None}

    async def keep_names(self, names: Mapping[int, tuple[str, str]]) -> None:
        if names:
            await self._redis.hset(f"{self._base}:names",
                                   mapping={str(pid): self.NAMES_SEP.join(pair) for pid, pair in names.items()})

    async def forget_names(self, ids: Sequence[int]) -> None:
        if ids:
            await self._redis.hdel(f"{self._base}:names", *[str(pid) for pid in ids])

    async def revise(self, round_code: str) -> None:
        await self._redis.incr(f"{self._keys(round_code)[0]}:revision")

    async def revision(self, round_code: str) -> int:
        return int(await self._redis.get(f"{self._keys(round_code)[0]}:revision") or 0)

    async def close(self) -> None:
        await self._redis.aclose()


def _pair(text: str, sep: str) -> tuple[str, str]:
    name, _, unit = text.partition(sep)
    return name, unit
