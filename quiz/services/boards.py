"""Live boards: each ranked round's ranking kept up as attempts are handed in, for citizens' leaderboards.

A board changes one participant at a time, in a store shared by every worker (quiz.ports.Boards). It is
built from storage only when it is missing, or after a change only storage can tell (a regrade, an
organiser's decision, a round closed or reopened, an all-correct participant leaving); then by one worker,
in pieces that leave the loop free, while the old board is still served. quiz.boards holds the rules."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime

from quiz.boards import (
    Glimpse,
    Held,
    Look,
    Span,
    add,
    ahead,
    closest,
    farthest,
    from_note,
    keep,
    member,
    note,
    settle,
    switch_at,
    top_scans,
)
from quiz.identity import VerifiedRule
from quiz.ports import Boards, UowFactory
from quiz.ranking import Entry, Ranked, Standing, all_correct, counts, rank_key, standing_of
from quiz.services.live import LiveContest

log = logging.getLogger(__name__)


class LiveBoards:
    CHUNK = 5_000  # entries read from storage per query while building
    BATCH = 2_000  # participants put on a board being built per call
    TRIES = 50  # attempts at a change that other workers keep changing first
    WAIT = 0.1  # seconds between looks while another worker builds the first board

    def __init__(self, *, live: LiveContest, read: UowFactory, store: Boards) -> None:
        self._live, self._read, self._store = live, read, store
        self._builds: dict[str, asyncio.Task[bool]] = {}

    @property
    def store(self) -> Boards:
        return self._store

    # keeping up
    async def handed_in(self, round_code: str, entries: Sequence[Entry], *, now: datetime) -> None:
        """These attempts were handed in: those that count move their participant at once."""
        rule = self._live.runtime.contest.verified_phones
        for e in entries:
            if counts(e, now, rule):
                await self._add(round_code, standing_of(e))

    async def _add(self, round_code: str, s: Standing, *, gen: str | None = None) -> None:
        for _ in range(self.TRIES):
            look = await self._store.look(round_code, participant_id=s.participant_id, gen=gen)
            if look.gen is None:  # no board yet: one being built hears of it
                if gen is not None or await self._store.put(round_code, None, participant_id=s.participant_id,
                                                            was=None, held=None, switch=None, note=note(s)):
                    return
                continue
            held = Held.loads(look.held) if look.held else None
            newly = all_correct(s) and not (held is not None and held.perfect) and look.frozen is None
            figure = look.figure + int(newly)  # they count toward it themselves
            new = add(held, s, figure)
            if new == held:
                return
            done = await self._store.put(round_code, look.gen, participant_id=s.participant_id, was=look.held,
                                         held=new, switch=None if look.frozen is not None else switch_at(new, figure),
                                         note=note(s) if gen is None else None)
            if done:
                if newly:
                    await self._settle(round_code, look.gen)
                return
        log.warning("board %s: a change lost the race %d times; building it again", round_code, self.TRIES)
        await self._store.stale(round_code)

    async def _settle(self, round_code: str, gen: str) -> None:
        """Choose again the best attempt of those whose switch the figure reached."""
        for _ in range(self.TRIES):
            look = await self._store.look(round_code, gen=gen)
            due = await self._store.due(round_code, gen, figure=look.figure, limit=500) if look.gen else {}
            if not due:
                return
            for pid, text in due.items():
                new = settle(Held.loads(text), look.figure)
                await self._store.put(round_code, gen, participant_id=pid, was=text, held=new,
                                      switch=switch_at(new, look.figure), note=None)

    async def remove(self, round_code: str, participant_id: int) -> None:
        """The participant no longer counts in the round (erased, withdrawn, disqualified)."""
        if await self._store.remove(round_code, participant_id) and await self._open_figure(round_code):
            await self._store.stale(round_code)  # the figure fell: anyone's best may change back

    async def _open_figure(self, round_code: str) -> bool:
        return (await self._store.look(round_code)).frozen is None

    async def changed(self, round_code: str) -> None:
        """Who counts changed in a way only storage can tell: the board is built again."""
        await self._store.stale(round_code)

    # reading
    async def ready(self, round_code: str, *, participant_id: int | None, now: datetime) -> Look:
        """The served board, built first if there is none; a stale one is served while it is built again."""
        while True:
            look = await self._store.look(round_code, participant_id=participant_id)
            if look.gen is None:
                if not await self._build(round_code, now):
                    await asyncio.sleep(self.WAIT)  # another worker (or task) builds it
                continue
            if look.stale and look.building is None:
                self.build_soon(round_code, now)
            if not look.due:
                return look
            await self._settle(round_code, look.gen)

    async def glimpse(self, round_code: str, *, top: int, participant_id: int | None, now: datetime) -> Glimpse:
        """The first `top` of the round, its size, and the participant's own row."""
        while True:
            look = await self.ready(round_code, participant_id=participant_id, now=now)
            mine = Held.loads(look.held).best_standing() if look.held else None
            found = await self._top(round_code, look, top, _spans(mine, look.figure) if mine else [])
            if found is not None:
                rows, ahead_of_mine = found
                return Glimpse(round_code, look.figure, len(look), rows,
                               Ranked(look.before(mine.correct) + sum(ahead_of_mine) + 1, mine) if mine else None)

    async def place_for(self, round_code: str, s: Standing, *, now: datetime) -> tuple[int, int]:
        """Where this result ranks now against everyone else (their own better one, if they hold it), and
        how many are ranked with it."""
        while True:
            look = await self.ready(round_code, participant_id=s.participant_id, now=now)
            held = Held.loads(look.held) if look.held else None
            best = s if held is None or rank_key(s, look.figure) < rank_key(held.best_standing(), look.figure) \
                else held.best_standing()
            place = await self._rank(round_code, look, best)
            if place is not None:
                return place, len(look) + (0 if held else 1)

    async def _rank(self, round_code: str, look: Look, s: Standing) -> int | None:
        found = await self._store.read(round_code, look.gen or "", spans=_spans(s, look.figure))
        return None if found is None else look.before(s.correct) + sum(found[0]) + 1

    async def _top(self, round_code: str, look: Look, k: int,
                   spans: Sequence[tuple[int, Span]]) -> tuple[tuple[Ranked, ...], list[int]] | None:
        """The first k, and the counts of `spans` read along (one round trip for both, mostly)."""
        out: list[Standing] = []
        counts: list[int] | None = None
        for correct in sorted((c for c, n in look.sizes.items() if n), reverse=True):
            if len(out) >= k:
                break
            want = k - len(out)
            up, down = top_scans(look.figure, want)
            found = await self._store.read(round_code, look.gen or "", scans=[(correct, up), (correct, down)],
                                           spans=spans if counts is None else ())
            if found is None:
                return None
            counts = found[0] if counts is None else counts
            above, below = found[1]
            more = farthest(below, want)
            if more is not None:
                again = await self._store.read(round_code, look.gen or "", scans=[(correct, more)])
                if again is None:
                    return None
                below = [m for m in below if not m.startswith(more.start)] + again[1][0]
            out += closest([*above, *below], correct, look.figure, want)
        if counts is None:
            found = await self._store.read(round_code, look.gen or "", spans=spans) if spans else ([], [])
            if found is None:
                return None
            counts = found[0]
        return tuple(Ranked(i, s) for i, s in enumerate(out, start=1)), counts

    async def perfect(self, round_codes: Sequence[str], *, now: datetime) -> int:
        """Participants with every answer of a counted attempt right in any of these rounds."""
        for code in round_codes:
            await self.ready(code, participant_id=None, now=now)
        return await self._store.perfect(round_codes)

    # building
    async def refresh(self, round_code: str, *, now: datetime) -> None:
        """Build the board if it is missing or stale, and return once it is not (whoever builds it)."""
        while True:
            look = await self._store.look(round_code)
            if look.gen is not None and not look.stale:
                if look.due:
                    await self._settle(round_code, look.gen)
                return
            task = self._builds.get(round_code)
            if task is not None:
                await asyncio.wait([task])
            elif not await self._build(round_code, now):
                await asyncio.sleep(self.WAIT)  # another worker builds it

    def build_soon(self, round_code: str, now: datetime) -> None:
        """Build the round's board in the background (here, unless another worker is at it)."""
        if round_code not in self._builds:
            task = asyncio.create_task(self._build(round_code, now), name=f"board {round_code}")
            self._builds[round_code] = task
            task.add_done_callback(lambda t: self._built(round_code, t))

    def _built(self, round_code: str, task: asyncio.Task[bool]) -> None:
        self._builds.pop(round_code, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("board %s: building failed", round_code, exc_info=task.exception())

    async def _build(self, round_code: str, now: datetime) -> bool:
        """Build the board from storage here, unless another worker is building it (False)."""
        async with self._read() as uow:
            state = await uow.rounds.state(round_code)
        frozen = state.figure if state is not None and state.closed else None
        gen = await self._store.begin(round_code, frozen=frozen)
        if gen is None:
            return False
        try:
            held = await self._gather(round_code, now, self._live.runtime.contest.verified_phones)
            figure = frozen if frozen is not None else sum(h.perfect for h in held.values())
            ids = list(held)
            for start in range(0, len(ids), self.BATCH):
                batch = await asyncio.to_thread(_settled, held, ids[start:start + self.BATCH], figure,
                                                frozen is not None)
                await self._store.load(round_code, gen, batch)
            while True:
                notes = await self._store.backlog(round_code, gen, limit=1_000)
                for text in notes:
                    await self._replay(round_code, gen, text)
                if not notes:
                    done = await self._store.finish(round_code, gen)
                    if done is not False:
                        return bool(done)
        except BaseException:
            await self._store.abandon(round_code, gen)
            raise

    async def _gather(self, round_code: str, now: datetime, rule: VerifiedRule) -> dict[int, Held]:
        held: dict[int, Held] = {}
        after = 0
        while True:
            async with self._read() as uow:
                chunk = await uow.attempts.entries(round_code=round_code, after=after, limit=self.CHUNK)
            if not chunk:
                return held
            after = chunk[-1].attempt_id
            await asyncio.to_thread(_kept, held, chunk, now, rule)

    async def _replay(self, round_code: str, gen: str, text: str) -> None:
        if not text.startswith("-"):
            await self._add(round_code, from_note(text), gen=gen)
            return
        pid = int(text[1:])
        for _ in range(self.TRIES):
            look = await self._store.look(round_code, participant_id=pid, gen=gen)
            if look.held is None or await self._store.put(round_code, gen, participant_id=pid, was=look.held,
                                                          held=None, switch=None, note=None) is not False:
                return


def _spans(s: Standing, figure: int) -> list[tuple[int, Span]]:
    """The ranges holding those rank_key puts before `s`, among as many correct answers."""
    return [(s.correct, span) for span in ahead(member(s), s.correct, figure)]


def _kept(held: dict[int, Held], chunk: Sequence[Entry], now: datetime, rule: VerifiedRule) -> None:
    for e in chunk:
        if counts(e, now, rule):
            held[e.participant_id] = keep(held.get(e.participant_id), standing_of(e))


def _settled(held: dict[int, Held], ids: Sequence[int], figure: int,
             frozen: bool) -> list[tuple[int, Held, int | None]]:
    out = []
    for pid in ids:
        h = settle(held.pop(pid), figure)
        out.append((pid, h, None if frozen else switch_at(h, figure)))
    return out
