"""How a live board writes standings down: a sorted store ordering members as strings, and the ranges it
counts or reads, agree with quiz.ranking.rank_key whatever the all-correct figure."""
from __future__ import annotations

from bisect import bisect_left
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from quiz.boards import Held, add, ahead, closest, farthest, member, settle, standing, switch_at, top_scans
from quiz.ranking import Standing, rank_key

START = datetime(2024, 6, 20, 1, 0, tzinfo=UTC)


@st.composite
def standings_(draw: st.DrawFn, *, correct: int | None = None, participant: int | None = None) -> Standing:
    return Standing(
        participant_id=participant if participant is not None else draw(st.integers(1, 40)),
        attempt_id=draw(st.integers(1, 10_000)),
        correct=correct if correct is not None else draw(st.integers(0, 10)), total=10,
        duration_ms=draw(st.sampled_from([1_000, 60_000, 60_000, 599_999])),
        submitted_at=START + timedelta(seconds=draw(st.sampled_from([0, 0, 5, 3_600]))),
        prediction=draw(st.one_of(st.none(), st.integers(0, 12), st.integers(-3, 10**9))),
        verified=draw(st.booleans()))


def _distinct(rows: list[Standing]) -> list[Standing]:
    """Attempt ids are unique in storage."""
    seen: set[int] = set()
    return [s for s in rows if not (s.attempt_id in seen or seen.add(s.attempt_id))]  # type: ignore[func-returns-value]


def test_a_member_gives_back_the_standing_it_was_written_from() -> None:
    s = Standing(7, 9, 8, 10, 123_456, START + timedelta(microseconds=5), 4321, False)
    assert standing(member(s), 8) == s


@given(st.lists(standings_(correct=7), min_size=2, max_size=30), st.integers(0, 15))
def test_within_a_score_counting_ranges_finds_exactly_those_rank_key_puts_first(
        rows: list[Standing], figure: int) -> None:
    rows = _distinct(rows)
    members = sorted(member(s) for s in rows)
    for s in rows:
        counted = sum((bisect_left(members, sp.hi) if sp.hi is not None else len(members)) - bisect_left(members, sp.lo)
                      for sp in ahead(member(s), 7, figure))
        assert counted == sum(1 for o in rows if rank_key(o, figure) < rank_key(s, figure))


@given(st.lists(standings_(correct=7), min_size=1, max_size=40), st.integers(0, 15), st.integers(1, 8))
def test_the_top_of_a_score_read_in_two_scans_is_rank_keys_top(rows: list[Standing], figure: int, k: int) -> None:
    rows = _distinct(rows)
    members = sorted(member(s) for s in rows)
    up, down = top_scans(figure, k)
    above = members[bisect_left(members, up.start):][:up.limit]
    below = members[:bisect_left(members, down.start)][::-1][:down.limit]
    more = farthest(below, k)
    if more is not None:
        again = members[bisect_left(members, more.start):bisect_left(members, more.stop or "")][:more.limit]
        below = [m for m in below if not m.startswith(more.start)] + again
    assert closest([*above, *below], 7, figure, k) == sorted(rows, key=lambda s: rank_key(s, figure))[:k]


@given(st.lists(standings_(participant=1), min_size=1, max_size=6), st.integers(0, 30))
def test_a_participant_keeps_the_attempt_rank_key_puts_first_at_every_figure_as_it_grows(
        rows: list[Standing], start: int) -> None:
    rows = _distinct(rows)
    held: Held | None = None
    for s in rows:
        held = add(held, s, start)
    assert held is not None
    figure, switch = start, switch_at(held, start)
    for _ in range(40):  # the figure grows one participant at a time; the board chooses again at `switch`
        figure += 1
        if switch is not None and figure >= switch:
            held = settle(held, figure)
            switch = switch_at(held, figure)
        assert held.best_standing() == min(rows, key=lambda s: rank_key(s, figure))


def test_a_held_participant_reads_back_as_written() -> None:
    held = add(None, Standing(3, 1, 10, 10, 60_000, START, 5), 4)
    held = add(held, Standing(3, 2, 10, 10, 50_000, START, 9), 4)
    assert Held.loads(held.dumps()) == held and held.best_standing().attempt_id == 1
    assert switch_at(held, 4) == 7  # at 7 both miss by 2 and the shorter one wins
