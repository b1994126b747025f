"""Citizens' leaderboards kept up as attempts are handed in, shared by workers: two use-case stacks over
one storage and one board store (one in-process store handed to both, or two clients of one Redis at
TEST_REDIS_URL) show the same board, move a participant at once, and agree with quiz.ranking.rank."""
from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from bot.redis_boards import RedisBoards
from conftest import Clock
from fakes import FakeBoards, FakeUnitOfWork, use_cases
from publishing import ADMIN, publish_questions
from quiz.attempts import Attempt, AttemptStatus, PaperItem
from quiz.pack import ContestPack
from quiz.people import Participant
from quiz.ports import Boards
from quiz.ranking import rank, standings
from quiz.runtime import ContestRuntime
from quiz.services import UseCases

from .citizens import play, register

REDIS_URL = os.environ.get("TEST_REDIS_URL")
STORES = ["memory", pytest.param("redis", marks=pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set"))]


class Stores:
    """Board stores for workers sharing one: the same in-process store, or new clients of one Redis."""

    def __init__(self, kind: str) -> None:
        self.kind, self.prefix = kind, f"test-{uuid.uuid4().hex[:12]}"
        self._memory, self._clients = FakeBoards(), list[RedisBoards]()

    def connect(self) -> Boards:
        if self.kind == "memory":
            return self._memory
        self._clients.append(RedisBoards(REDIS_URL or "", contest=self.prefix))
        return self._clients[-1]

    async def close(self) -> None:
        if self.kind == "redis":
            client = Redis.from_url(REDIS_URL or "")
            keys = [k async for k in client.scan_iter(f"cds:lb:{self.prefix}:*")]
            if keys:
                await client.delete(*keys)
            await client.aclose()
        for c in self._clients:
            await c.close()


@pytest.fixture(params=STORES)
async def stores(request: pytest.FixtureRequest) -> AsyncIterator[Stores]:
    made = Stores(request.param)
    yield made
    await made.close()


@pytest.fixture
def workers(pack: ContestPack, stores: Stores) -> tuple[UseCases, UseCases]:
    """Two workers over one storage, sharing their boards."""
    runtime = ContestRuntime.from_pack(pack)
    first, memory = use_cases(runtime, boards=stores.connect())
    second, _ = use_cases(runtime, memory, boards=stores.connect())
    return first, second


async def truth(uses: UseCases, clock: Clock) -> list[int]:
    """The ranking quiz.ranking.rank makes of what storage holds now."""
    board = await uses.standings.exact_board(round_code="chinh", now=clock())
    return [r.standing.participant_id for r in board.ranked]


async def shown(uses: UseCases, clock: Clock, pid: int | None = None) -> list[int]:
    """Who the round's leaderboard shows, in order (and the participant's own row agrees with it)."""
    g = await uses.standings.glimpse(round_code="chinh", top=10, participant_id=pid, now=clock())
    order = [r.standing.participant_id for r in g.rows]
    if pid is not None and pid in order:
        assert g.place_of(pid) == g.rows[order.index(pid)]
    return order


async def test_two_workers_show_one_board_and_a_finished_attempt_moves_its_participant_on_both_at_once(
        workers: tuple[UseCases, UseCases], clock: Clock) -> None:
    first, second = workers
    a = await register(first, clock(), user="a", phone="0911111111")
    b = await register(second, clock(), user="b", phone="0922222222")
    assert await shown(first, clock) == [] == await shown(second, clock)  # built, empty
    await play(first, clock, a, right=8)
    await play(second, clock, b, right=6)
    assert await shown(first, clock) == [a, b] == await shown(second, clock, b)

    result = await play(second, clock, b, right=10)  # b's second attempt, on the other worker
    assert await shown(first, clock, b) == [b, a] == await shown(second, clock)
    finished = await second.play.finish(attempt_id=result.id, participant_id=b, now=clock())
    assert finished is not None and (finished.rank, finished.ranked_count) == (1, 2)
    glimpse = await first.standings.glimpse(round_code="chinh", top=1, participant_id=a, now=clock())
    assert (len(glimpse), [r.standing.participant_id for r in glimpse.rows]) == (2, [b])
    assert glimpse.place_of(a) is not None and glimpse.place_of(a).rank == 2  # type: ignore[union-attr]


async def test_a_disqualification_an_erasure_and_a_withdrawal_take_people_off_every_workers_board(
        workers: tuple[UseCases, UseCases], clock: Clock) -> None:
    first, second = workers
    people = [await register(first, clock(), user=f"u{k}", phone=f"09{k:08d}") for k in range(4)]
    for k, pid in enumerate(people):
        await play(first, clock, pid, right=10 - k, prediction=1)
    a, b, c, d = people
    assert await shown(second, clock) == [a, b, c, d]
    organiser = await first.staff.add(username="bantochuc", password="mật khẩu đủ dài 2024", role="organiser",
                                      by=ADMIN, now=clock())

    await first.integrity.disqualify(round_code="chinh", participant_id=a, reason="Trả lời quá nhanh",
                                     user_id=organiser.id, by=ADMIN, now=clock())
    assert await shown(second, clock) == [b, c, d]
    await second.people.erase(participant_id=b, now=clock())
    assert await shown(first, clock) == [c, d]
    await first.people.withdraw(participant_id=c, now=clock())
    assert await shown(second, clock) == [d]
    await second.standings.upkeep(now=clock())  # the figure fell with a: built again, the same people
    assert await shown(first, clock) == [d] == await shown(second, clock)


async def test_a_regrade_changes_every_workers_board(workers: tuple[UseCases, UseCases], clock: Clock) -> None:
    first, second = workers
    a = await register(first, clock(), user="a", phone="0911111111")
    b = await register(first, clock(), user="b", phone="0922222222")
    for pid, option in ((a, 0), (b, 1)):  # a picks the option the key says, b the one a corrected key will
        att = await first.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
        for pos, item in enumerate(att.paper):
            await first.play.answer(attempt_id=att.id, participant_id=pid, position=pos,
                                    choice=item.order.index(option), now=clock())
        await first.play.finish(attempt_id=att.id, participant_id=pid, now=clock())
    assert await shown(second, clock) == [a, b]

    rekeyed = tuple(replace(q, correct=1) for q in first.live.runtime.sets["bo-thu"].questions)
    await publish_questions(first.imports, first.live, "bo-thu", rekeyed, now=clock())
    await second.standings.upkeep(now=clock())  # the scheduler's tick: the stale board is built again
    assert await shown(first, clock) == [b, a] == await shown(second, clock)


async def test_ties_are_broken_as_rank_key_breaks_them_while_the_figure_moves(
        workers: tuple[UseCases, UseCases], clock: Clock) -> None:
    first, second = workers
    p = [await register(first, clock(), user=f"u{k}", phone=f"09{k:08d}") for k in range(5)]
    # all right, so the figure is how many have played: predictions miss it by more or less as it grows
    await play(first, clock, p[0], right=10, seconds=6, prediction=2)
    await play(second, clock, p[1], right=10, seconds=5, prediction=6)
    await play(first, clock, p[2], right=10, seconds=10, prediction=4)
    await play(second, clock, p[3], right=10, seconds=1)  # the fastest, but no prediction
    assert await shown(first, clock) == [p[2], p[1], p[0], p[3]]  # figure 4: misses 0, 2 (shorter), 2, none
    await play(first, clock, p[4], right=10, seconds=5, prediction=6)  # as p[1] did, handed in later
    expected = [p[1], p[4], p[2], p[0], p[3]]  # figure 5: misses 1 (50 s, earlier), 1 (50 s), 1 (100 s), 3, none
    assert await shown(second, clock) == expected == await shown(first, clock, p[4])
    assert await truth(second, clock) == expected


async def test_the_top_of_many_equal_predictions_is_their_fastest(
        workers: tuple[UseCases, UseCases], clock: Clock) -> None:
    first, second = workers
    p = [await register(first, clock(), user=f"u{k}", phone=f"09{k:08d}") for k in range(6)]
    for pid, seconds, prediction in ((p[0], 9, 5), (p[1], 8, 3), (p[2], 2, 3), (p[3], 4, 3), (p[4], 9, 9),
                                     (p[5], 1, None)):
        await play(first, clock, pid, right=10, seconds=seconds, prediction=prediction)
    top = await second.standings.glimpse(round_code="chinh", top=3, participant_id=None, now=clock())
    assert [r.standing.participant_id for r in top.rows] == [p[0], p[2], p[3]]  # figure 6: miss 1, then the
    # fastest two of those missing by 3 (three said 3, one said 9)


async def test_a_participant_ranks_by_whichever_attempt_comes_closest_as_the_figure_grows(
        workers: tuple[UseCases, UseCases], clock: Clock) -> None:
    first, second = workers
    p = [await register(first, clock(), user=f"u{k}", phone=f"09{k:08d}") for k in range(7)]
    await play(first, clock, p[0], right=10, seconds=3, prediction=1)
    await play(first, clock, p[0], right=10, seconds=9, prediction=6)  # slower, but closer once the figure passes 3
    await play(second, clock, p[1], right=9, seconds=1, prediction=4)
    for k in range(2, 7):
        await play(second if k % 2 else first, clock, p[k], right=10, seconds=5, prediction=4)
        assert await shown(first, clock, p[0]) == await truth(first, clock) == await shown(second, clock, p[0])
    assert (await first.standings.glimpse(round_code="chinh", top=1, participant_id=p[0], now=clock())) \
        .place_of(p[0]).standing.prediction == 6  # type: ignore[union-attr]


PEOPLE = 12
ROW = st.fixed_dictionaries({  # mostly all right: the figure grows as they come, so bests switch
    "person": st.integers(0, PEOPLE - 1), "correct": st.sampled_from([10, 10, 10, 9, 8]),
    "seconds": st.sampled_from([60, 60, 90, 300]),
    "prediction": st.one_of(st.none(), st.integers(0, 8), st.integers(0, 8)),  # a third say nothing
    "open": st.sampled_from([False, False, True]), "practice": st.sampled_from([False, False, True])})
PERSON = st.fixed_dictionaries({"erased": st.sampled_from([False] * 5 + [True]),
                                "withdrawn": st.sampled_from([False] * 5 + [True]), "verified": st.booleans()})


@pytest.mark.parametrize("kind", STORES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=1, max_size=40), people=st.lists(PERSON, min_size=PEOPLE, max_size=PEOPLE),
       built_after=st.integers(0, 40))
async def test_the_live_board_agrees_with_rank_over_the_same_attempts(
        pack: ContestPack, clock: Clock, kind: str, rows: list[dict[str, object]], people: list[dict[str, bool]],
        built_after: int) -> None:
    """Attempts handed in before the board is built and after it, in any order, with every reason not to
    count, ties in duration and submission: the top and everyone's own row are rank's."""
    made = Stores(kind)
    try:
        runtime = ContestRuntime.from_pack(pack)
        uses, memory = use_cases(runtime, boards=made.connect())
        now = clock()
        for pid, flags in enumerate(people, start=1):
            memory.participants[pid] = Participant(pid, f"Người {pid}", 1990, None, "T-A-1", None, now,
                                                   erased=flags["erased"], withdrawn=flags["withdrawn"],
                                                   phone_verified_by="code" if flags["verified"] else None)
        paper = tuple(PaperItem(f"q{i}", (0, 1, 2, 3)) for i in range(10))
        attempts = []
        for n, row in enumerate(rows, start=100):
            start = now - timedelta(hours=1) + timedelta(seconds=30 * (n % 3))  # starts, and so ends, coincide
            ended = start + timedelta(seconds=int(row["seconds"]))  # type: ignore[call-overload]
            att = Attempt(n, int(row["person"]) + 1, "chinh", "bo-thu", 1, paper, start,  # type: ignore[call-overload]
                          start + timedelta(minutes=10), bool(row["practice"]),
                          AttemptStatus.OPEN if row["open"] else AttemptStatus.FINISHED,
                          None if row["open"] else ended, int(row["correct"]),  # type: ignore[call-overload]
                          row["prediction"])  # type: ignore[arg-type]
            attempts.append(att)
        for att in attempts[:built_after]:
            memory.attempts[att.id] = att
        await uses.standings.glimpse(round_code="chinh", top=1, participant_id=None, now=now)  # built from these
        for att in attempts[built_after:]:
            memory.attempts[att.id] = att
            await uses.standings.handed_in(att, now=now)
        async with FakeUnitOfWork(memory) as uow:
            entries = await uow.attempts.entries(round_code="chinh")
        counted = standings(entries, now, runtime.contest.verified_phones)
        ranked = rank(counted, len({s.participant_id for s in counted if s.correct == s.total}))
        for pid in range(1, PEOPLE + 1):
            g = await uses.standings.glimpse(round_code="chinh", top=3, participant_id=pid, now=now)
            assert list(g.rows) == ranked[:3] and len(g) == len(ranked)
            assert g.place_of(pid) == next((r for r in ranked if r.standing.participant_id == pid), None)
    finally:
        await made.close()


async def test_a_unit_changed_on_one_worker_is_the_unit_every_worker_shows(
        workers: tuple[UseCases, UseCases], clock: Clock) -> None:
    a, b = workers
    pid = await register(a, clock(), user="a", phone="0912345678", unit="T-A-1")
    await play(a, clock, pid, right=9)
    await b.standings.exact_board(round_code="chinh", now=clock())  # an organiser's page served by b
    assert (await b.standings.names([pid]))[pid][1] == "Xã Đông Sơn"

    await a.people.change_unit(participant_id=pid, unit_code="T-B-1")  # the citizen moves, on worker a
    assert (await b.standings.public_names([pid]))[pid] == ("N. V. An", "Xã Nam Đàn")  # the public board
    await b.standings.exact_board(round_code="chinh", now=clock())  # b's board read again: its names too
    assert (await b.standings.names([pid]))[pid][1] == "Xã Nam Đàn"


async def test_a_decision_on_one_worker_is_in_every_worker_s_board_at_once(
        workers: tuple[UseCases, UseCases], clock: Clock) -> None:
    a, b = workers
    fast = await register(a, clock(), user="f", phone="0911000004")
    slow = await register(a, clock(), user="s", phone="0911000005")
    await play(a, clock, fast, right=10, seconds=1)
    await play(a, clock, slow, right=8)
    before = await b.standings.board(round_code="chinh", now=clock())  # an organiser's page served by b
    assert [r.standing.participant_id for r in before.ranked] == [fast, slow]

    organiser = await a.staff.add(username="bantochuc", password="mật khẩu đủ dài 2024", role="organiser",
                                  by=ADMIN, now=clock())
    await a.integrity.disqualify(round_code="chinh", participant_id=fast, reason="Trả lời 10 câu trong 10 giây",
                                 user_id=organiser.id, by=ADMIN, now=clock())  # decided on worker a
    after = await b.standings.board(round_code="chinh", now=clock())  # the next page, or the export, on b
    assert [r.standing.participant_id for r in after.ranked] == [slow]
    assert [w.participant_id for w in (await b.standings.winners("chinh", now=clock())).rows] == [slow]
