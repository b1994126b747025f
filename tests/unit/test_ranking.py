"""Ranking and winners against a brute-force reference."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.model import Prizes
from quiz.ranking import Standing, all_correct_count, rank, winners

T0 = datetime(2024, 6, 18, tzinfo=UTC)


@st.composite
def standings(draw: st.DrawFn) -> list[Standing]:
    n = draw(st.integers(0, 12))
    out = []
    for aid in range(1, n + 1):
        out.append(Standing(
            participant_id=draw(st.integers(1, 5)), attempt_id=aid, correct=draw(st.integers(0, 3)), total=3,
            duration_ms=draw(st.sampled_from([1000, 2000, 3000])),
            submitted_at=T0 + timedelta(seconds=draw(st.integers(0, 3))),
            prediction=draw(st.one_of(st.none(), st.integers(0, 6)))))
    return out


def beats(a: Standing, b: Standing, actual: int | None) -> bool:
    """The contest rules read literally: is `a` ahead of `b`?"""
    if a.correct != b.correct:
        return a.correct > b.correct
    miss_a = abs(a.prediction - actual) if actual is not None and a.prediction is not None else None
    miss_b = abs(b.prediction - actual) if actual is not None and b.prediction is not None else None
    if miss_a != miss_b:
        if miss_a is None or miss_b is None:
            return miss_b is None
        return miss_a < miss_b
    if a.duration_ms != b.duration_ms:
        return a.duration_ms < b.duration_ms
    if a.submitted_at != b.submitted_at:
        return a.submitted_at < b.submitted_at
    return a.attempt_id < b.attempt_id


def reference(rows: list[Standing], actual: int | None) -> list[tuple[int, int]]:
    best: dict[int, Standing] = {}
    for s in rows:
        if all(s is o or not beats(o, s, actual) for o in rows if o.participant_id == s.participant_id):
            best.setdefault(s.participant_id, s)
    ordered = []
    remaining = list(best.values())
    while remaining:  # selection by "nobody beats me": a brute-force sort
        top = next(s for s in remaining if not any(beats(o, s, actual) for o in remaining if o is not s))
        ordered.append(top)
        remaining.remove(top)
    return [(i, s.attempt_id) for i, s in enumerate(ordered, start=1)]


@settings(max_examples=300, deadline=None)
@given(standings(), st.one_of(st.none(), st.integers(0, 6)))
def test_ranking_matches_the_rules_read_literally(rows: list[Standing], actual: int | None) -> None:
    assert [(r.rank, r.standing.attempt_id) for r in rank(rows, actual)] == reference(rows, actual)


@settings(max_examples=200, deadline=None)
@given(standings(), st.one_of(st.none(), st.integers(0, 6)))
def test_ranks_are_strict_and_each_participant_appears_once(rows: list[Standing], actual: int | None) -> None:
    ranked = rank(rows, actual)
    assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))
    assert len({r.standing.participant_id for r in ranked}) == len(ranked) == len({s.participant_id for s in rows})


@given(standings())
def test_the_all_correct_figure_counts_people_not_attempts(rows: list[Standing]) -> None:
    expected = len({s.participant_id for s in rows if s.correct == s.total})
    assert all_correct_count(rows) == expected


def test_prizes_go_down_the_ranking_in_ladder_order() -> None:
    rows = [Standing(p, p, 10 - p, 10, 1000, T0) for p in range(1, 8)]
    won = winners(rank(rows, None), Prizes(nhat=1, nhi=2, ba=1, khuyen_khich=2))
    assert [(w.prize, w.ranked.standing.participant_id) for w in won] == [
        ("nhat", 1), ("nhi", 2), ("nhi", 3), ("ba", 4), ("khuyen_khich", 5), ("khuyen_khich", 6)]


def test_fewer_participants_than_prizes_leaves_prizes_unawarded() -> None:
    rows = [Standing(p, p, 5, 10, 1000, T0 + timedelta(seconds=p)) for p in (1, 2)]
    assert [w.prize for w in winners(rank(rows, None), Prizes())] == ["nhat", "nhi"]


def test_a_participant_without_prediction_ranks_after_one_with_any_prediction() -> None:
    silent = Standing(1, 1, 5, 10, 1000, T0)
    guessed = Standing(2, 2, 5, 10, 9000, T0 + timedelta(hours=1), prediction=1000)
    assert [r.standing.participant_id for r in rank([silent, guessed], actual=3)] == [2, 1]



@settings(max_examples=300, deadline=None)
@given(standings(), st.integers(1, 7), st.integers(0, 3), st.sampled_from([500, 1500, 2500]),
       st.one_of(st.none(), st.integers(0, 6)))
def test_a_board_places_a_new_result_where_a_full_ranking_would(rows: list[Standing], who: int, correct: int,
                                                                 duration: int, prediction: int | None) -> None:
    from quiz.leaderboard import build_board
    board = build_board("r", rows, actual=None, now=T0)
    new = Standing(who, 999, correct, 3, duration, T0 + timedelta(hours=1), prediction)
    full = rank(rows + [new], board.figure)
    assert board.place_for(new) == next(r.rank for r in full if r.standing.participant_id == who)
