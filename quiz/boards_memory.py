"""Rounds' live boards in this process (one worker, no Redis): sorted lists, changed one member at a time."""
from __future__ import annotations

import asyncio
import heapq
import itertools
from bisect import bisect_left, insort
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from quiz.boards import Held, Look, Scan, Span

SORTED_PIECE = 50_000  # members sorted at once when a board is built: the loop waits no longer than that


@dataclass
class _Board:
    gen: str
    frozen: int | None
    groups: dict[int, list[str]] = field(default_factory=dict)  # sorted members by number of correct answers
    held: dict[int, str] = field(default_factory=dict)
    perfect: set[int] = field(default_factory=set)
    switches: dict[int, int] = field(default_factory=dict)
    ordered: bool = True  # False while members are loaded unsorted
    _heap: list[tuple[int, int]] = field(default_factory=list)  # (figure, participant), stale ones skipped

    def switch(self, pid: int, at: int | None) -> None:
        if at is None:
            self.switches.pop(pid, None)
        else:
            self.switches[pid] = at
            heapq.heappush(self._heap, (at, pid))

    def due(self, figure: int, limit: int) -> list[int]:
        while self._heap and self.switches.get(self._heap[0][1]) != self._heap[0][0]:
            heapq.heappop(self._heap)
        return [pid for pid, at in self.switches.items() if at <= figure][:limit] \
            if self._heap and self._heap[0][0] <= figure else []

    def drop(self, correct: int, m: str) -> None:
        members = self.groups[correct]
        i = bisect_left(members, m)
        if i < len(members) and members[i] == m:
            del members[i]


@dataclass
class _Round:
    served: _Board | None = None
    building: _Board | None = None
    epoch: int = 0  # changes to who counts
    revision: int = 0  # decisions, for whole rankings built from storage (Boards.revise)
    built: int = 0  # the epoch the served board was built at
    building_epoch: int = 0
    backlog: list[str] = field(default_factory=list)


class MemoryBoards:
    """quiz.ports.Boards in this process."""

    def __init__(self) -> None:
        self._rounds: dict[str, _Round] = {}
        self._names: dict[int, tuple[str, str]] = {}
        self._gens = itertools.count(1)

    NAMES = 100_000  # names kept at most (the first kept go first)

    def _round(self, code: str) -> _Round:
        return self._rounds.setdefault(code, _Round())

    def _board(self, code: str, gen: str | None) -> _Board | None:
        r = self._round(code)
        return next((b for b in (r.served, r.building) if b is not None and b.gen == gen), None)

    async def look(self, round_code: str, *, participant_id: int | None = None, gen: str | None = None) -> Look:
        r = self._round(round_code)
        b = self._board(round_code, gen) if gen else r.served
        building = r.building.gen if r.building else None
        if b is None:
            return Look(None, building, False, None, 0, {}, None, False)
        figure = b.frozen if b.frozen is not None else len(b.perfect)
        return Look(b.gen, building, r.built < r.epoch, b.frozen, len(b.perfect),
                    {c: len(ms) for c, ms in b.groups.items() if ms},
                    b.held.get(participant_id) if participant_id is not None else None,
                    bool(b.due(figure, 1)))

    async def read(self, round_code: str, gen: str, *, spans: Sequence[tuple[int, Span]] = (),
                   scans: Sequence[tuple[int, Scan]] = ()) -> tuple[list[int], list[list[str]]] | None:
        b = self._board(round_code, gen)
        if b is None:
            return None
        counts = []
        for correct, span in spans:
            ms = b.groups.get(correct, [])
            counts.append((bisect_left(ms, span.hi) if span.hi is not None else len(ms)) - bisect_left(ms, span.lo))
        found = []
        for correct, scan in scans:
            ms = b.groups.get(correct, [])
            at = bisect_left(ms, scan.start)
            if scan.down:
                found.append(ms[max(0, at - scan.limit):at][::-1])
            else:
                end = bisect_left(ms, scan.stop) if scan.stop is not None else len(ms)
                found.append(ms[at:min(end, at + scan.limit)])
        return counts, found

    async def put(self, round_code: str, gen: str | None, *, participant_id: int, was: str | None, held: Held | None,
                  switch: int | None, note: str | None) -> bool | None:
        r = self._round(round_code)
        if gen is None:
            if r.served is not None:
                return None
            if r.building is not None and note:
                r.backlog.append(note)
            return True
        b = self._board(round_code, gen)
        if b is None:
            return None
        if b.held.get(participant_id) != was:
            return False
        if was is not None:
            old = Held.loads(was)
            b.drop(old.correct, old.best)
        if held is None:
            b.held.pop(participant_id, None)
            b.perfect.discard(participant_id)
            b.switch(participant_id, None)
        else:
            insort(b.groups.setdefault(held.correct, []), held.best)
            b.held[participant_id] = held.dumps()
            if held.perfect:
                b.perfect.add(participant_id)
            b.switch(participant_id, switch)
        if r.building is not None and b is r.served and note:
            r.backlog.append(note)
        return True

    async def due(self, round_code: str, gen: str, *, figure: int, limit: int) -> dict[int, str]:
        b = self._board(round_code, gen)
        return {pid: b.held[pid] for pid in b.due(figure, limit)} if b is not None else {}

    async def remove(self, round_code: str, participant_id: int) -> bool:
        r = self._round(round_code)
        if r.building is not None:
            r.backlog.append(f"-{participant_id}")
        b = r.served
        was = b.held.pop(participant_id, None) if b is not None else None
        if b is None or was is None:
            return False
        old = Held.loads(was)
        b.drop(old.correct, old.best)
        b.switch(participant_id, None)
        perfect = participant_id in b.perfect
        b.perfect.discard(participant_id)
        return perfect

    async def stale(self, round_code: str) -> None:
        self._round(round_code).epoch += 1

    async def begin(self, round_code: str, *, frozen: int | None) -> str | None:
        r = self._round(round_code)
        if r.building is not None:
            return None
        r.building, r.building_epoch, r.backlog = _Board(str(next(self._gens)), frozen), r.epoch, []
        return r.building.gen

    async def load(self, round_code: str, gen: str, held: Sequence[tuple[int, Held, int | None]]) -> None:
        b = self._board(round_code, gen)
        if b is None:
            return
        for pid, h, switch in held:
            b.groups.setdefault(h.correct, []).append(h.best)  # sorted before anything else reads or changes it
            b.ordered = False
            b.held[pid] = h.dumps()
            if h.perfect:
                b.perfect.add(pid)
            b.switch(pid, switch)

    async def backlog(self, round_code: str, gen: str, *, limit: int) -> list[str]:
        r = self._round(round_code)
        if r.building is not None and r.building.gen == gen:
            await _order(r.building)
        taken, r.backlog = r.backlog[:limit], r.backlog[limit:]
        return taken

    async def finish(self, round_code: str, gen: str) -> bool | None:
        r = self._round(round_code)
        if r.building is None or r.building.gen != gen:
            return None
        await _order(r.building)
        if r.backlog:
            return False
        r.served, r.building, r.built = r.building, None, r.building_epoch
        return True

    async def abandon(self, round_code: str, gen: str) -> None:
        r = self._round(round_code)
        if r.building is not None and r.building.gen == gen:
            r.building, r.backlog = None, []

    async def perfect(self, round_codes: Sequence[str]) -> int:
        ids: set[int] = set()
        for code in round_codes:
            b = self._round(code).served
            ids |= b.perfect if b is not None else set()
        return len(ids)

    async def names(self, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        return {pid: self._names[pid] for pid in ids if pid in self._names}

    async def keep_names(self, names: Mapping[int, tuple[str, str]]) -> None:
        self._names.update(names)
        while len(self._names) > self.NAMES:
            self._names.pop(next(iter(self._names)))

    async def forget_names(self, ids: Sequence[int]) -> None:
        for pid in ids:
            self._names.pop(pid, None)

    async def revise(self, round_code: str) -> None:
        self._round(round_code).revision += 1

    async def revision(self, round_code: str) -> int:
        return self._round(round_code).revision


async def _order(b: _Board) -> None:
    if not b.ordered:
        for correct, members in list(b.groups.items()):
            b.groups[correct] = await _sorted(members)
        b.ordered = True


async def _sorted(members: list[str]) -> list[str]:
    """Sorted in pieces, merged in a thread: a million members never hold the loop for long."""
    if len(members) <= SORTED_PIECE:
        members.sort()
        return members
    pieces = []
    for start in range(0, len(members), SORTED_PIECE):
        pieces.append(sorted(members[start:start + SORTED_PIECE]))
        await asyncio.sleep(0)
    return await asyncio.to_thread(lambda: list(heapq.merge(*pieces)))
