"""Round settings obey the contest pack's rules; closing freezes winners; with fakes, no database."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.content import read_pack
from quiz.leaderboard import build_board
from quiz.model import Prizes, Round
from quiz.problems import Invalid
from quiz.ranking import Standing
from quiz.rounds import (FrozenWinner, RoundAdmin, RoundRefused, RoundState, changed_round, due_to_close,
                         frozen_winners, settings_of)
from quiz.runtime import ContestRuntime

PACK = Path(__file__).resolve().parents[1] / "fixtures" / "pack"
NOW = datetime(2024, 6, 20, 3, 0, tzinfo=timezone.utc)  # 10:00 in Hà Giang


@pytest.fixture
def runtime() -> ContestRuntime:
    return ContestRuntime.from_pack(read_pack(PACK))


def change(runtime: ContestRuntime, code: str | None, **changes: object) -> Round:
    current = runtime.contest.round(code) if code else None
    return changed_round(current, changes, code=code or "moi", tz=runtime.tz, sets=runtime.sets,
                         topics=runtime.contest.topics)


def codes(exc: pytest.ExceptionInfo[Invalid]) -> list[str]:
    return [p.code for p in exc.value.problems]


def test_a_round_in_its_pack_form_reads_back_as_the_same_round(runtime: ContestRuntime) -> None:
    for r in runtime.contest.rounds:
        assert change(runtime, r.code) == r
    assert settings_of(runtime.contest.rounds[0], runtime.tz)["time_limit_minutes"] == 10


def test_questions_per_attempt_must_be_10_to_40_and_fit_the_set(runtime: ContestRuntime) -> None:
    assert change(runtime, "chinh", questions_per_attempt=12).questions_per_attempt == 12
    for bad in (9, 41, "20", True):
        with pytest.raises(Invalid) as exc:
            change(runtime, "chinh", questions_per_attempt=bad)
        assert codes(exc) == ["bad_number"]
    with pytest.raises(Invalid) as exc:
        change(runtime, "chinh", questions_per_attempt=16)  # the fixture set holds 15 questions
    assert codes(exc) == ["set_too_small"]


def test_times_caps_and_quotas_are_checked_as_in_a_pack(runtime: ContestRuntime) -> None:
    r = change(runtime, "chinh", opens="2024-06-18 08:00", closes="2024-06-23 23:59", attempts_per_day=3,
               attempts_per_round=None, time_limit_minutes=15)
    assert r.opens == datetime(2024, 6, 18, 1, 0, tzinfo=timezone.utc)
    assert (r.attempts_per_day, r.attempts_per_round, r.time_limit) == (3, None, timedelta(minutes=15))
    with pytest.raises(Invalid) as exc:
        change(runtime, "chinh", opens="2024-06-23 08:00", closes="2024-06-18 08:00")
    assert codes(exc) == ["closes_before_opens"]
    with pytest.raises(Invalid) as exc:
        change(runtime, "chinh", closes="23/06/2024")
    assert codes(exc) == ["bad_time"]
    with pytest.raises(Invalid) as exc:
        change(runtime, "chinh", topic_quotas={"vneid": 8, "an-toan": 8})
    assert "quotas_exceed_count" in codes(exc)
    with pytest.raises(Invalid) as exc:
        change(runtime, "chinh", topic_quotas={"thoi-tiet": 1})
    assert codes(exc) == ["unknown_topic"]


def test_a_new_round_needs_a_known_set_a_size_and_a_time_limit(runtime: ContestRuntime) -> None:
    with pytest.raises(Invalid) as exc:
        change(runtime, None, question_set="khong-co")
    assert set(codes(exc)) == {"missing_key"}
    with pytest.raises(Invalid) as exc:
        change(runtime, None, question_set="khong-co", questions_per_attempt=10, time_limit_minutes=10)
    assert codes(exc) == ["unknown_question_set"]
    made = change(runtime, None, question_set="bo-thu", questions_per_attempt=10, time_limit_minutes=10,
                  title="Tuần 2")
    assert (made.code, made.title, made.practice) == ("moi", {"vi": "Tuần 2"}, False)


def test_unknown_settings_are_refused_by_name(runtime: ContestRuntime) -> None:
    with pytest.raises(RoundRefused) as exc:
        change(runtime, "chinh", questions=20)
    assert exc.value.message_id == "rounds.refused.unknown_setting"


def test_a_round_is_due_to_close_one_time_limit_after_its_closing_time() -> None:
    r = Round("r", {"vi": "r"}, "s", 10, timedelta(minutes=15), closes=NOW)
    assert not due_to_close(RoundState(r), NOW + timedelta(minutes=14))
    assert due_to_close(RoundState(r), NOW + timedelta(minutes=15))
    assert not due_to_close(RoundState(r, closed_at=NOW), NOW + timedelta(days=1))
    assert not due_to_close(RoundState(replace(r, closes=None)), NOW + timedelta(days=1))


def standing(pid: int, correct: int, ms: int, prediction: int | None = None) -> Standing:
    return Standing(pid, 100 + pid, correct, 10, ms, NOW, prediction)


def test_winners_follow_the_prize_ladder_down_the_strict_ranking() -> None:
    board = build_board("r", [standing(1, 9, 5000), standing(2, 10, 9000), standing(3, 10, 8000),
                              standing(4, 7, 1000)], actual=None, now=NOW)
    won = frozen_winners(board.ranked, Prizes(nhat=1, nhi=1, ba=0, khuyen_khich=1))
    assert [(w.rank, w.prize, w.participant_id, w.correct) for w in won] == [
        (1, "nhat", 3, 10), (2, "nhi", 2, 10), (3, "khuyen_khich", 1, 9)]


class FakeStore:
    """Rounds in memory, as SqlRounds keeps them in the database."""

    def __init__(self, rounds: tuple[Round, ...]) -> None:
        self.rows = {r.code: RoundState(r) for r in rounds}
        self.frozen: dict[str, list[FrozenWinner]] = {}
        self.attempts: set[str] = set()
        self.stopped: list[tuple[str, datetime]] = []

    async def states(self) -> list[RoundState]:
        return list(self.rows.values())

    async def save(self, round_: Round) -> None:
        held = self.rows.get(round_.code)
        self.rows[round_.code] = replace(held, round=round_) if held else RoundState(round_)

    async def has_attempts(self, round_code: str) -> bool:
        return round_code in self.attempts

    async def stop(self, *, round_code: str, at: datetime) -> int:
        self.stopped.append((round_code, at))
        return 1

    async def freeze(self, *, round_code: str, winners: list[FrozenWinner], replace: bool) -> list[FrozenWinner]:
        if round_code not in self.frozen or replace:
            self.frozen[round_code] = list(winners)
        return self.frozen[round_code]

    async def winners(self, round_code: str) -> list[FrozenWinner]:
        return self.frozen.get(round_code, [])

    async def reopen(self, round_code: str) -> None:
        self.rows[round_code] = RoundState(self.rows[round_code].round)
        self.frozen.pop(round_code, None)


class FakeServices:
    """The two contest services closing uses, over fixed standings."""

    def __init__(self, runtime: ContestRuntime, store: FakeStore, standings: list[Standing]) -> None:
        self.runtime, self.store, self.standings = runtime, store, standings

    async def close_round(self, *, round_code: str, now: datetime) -> int:
        figure = sum(1 for s in self.standings if s.correct == s.total)
        self.store.rows[round_code] = replace(self.store.rows[round_code], closed_at=now, figure=figure)
        return figure

    async def exact_board(self, *, round_code: str, now: datetime):  # type: ignore[no-untyped-def]
        return build_board(round_code, self.standings, actual=self.store.rows[round_code].figure, now=now)


@pytest.fixture
def admin(runtime: ContestRuntime) -> tuple[RoundAdmin, FakeStore, FakeServices]:
    store = FakeStore(runtime.contest.rounds)
    services = FakeServices(runtime, store, [standing(1, 10, 9000, 1), standing(2, 10, 5000, 9), standing(3, 4, 100)])
    return RoundAdmin(services=services, store=store), store, services  # type: ignore[arg-type]


async def test_a_change_reaches_the_running_contest_at_once(admin) -> None:  # type: ignore[no-untyped-def]
    rounds, store, services = admin
    await rounds.change("chinh", {"questions_per_attempt": 15, "time_limit_minutes": 15})
    served = services.runtime.contest.round("chinh")
    assert (served.questions_per_attempt, served.time_limit) == (15, timedelta(minutes=15))
    await rounds.create("tuan-2", {"question_set": "bo-thu", "questions_per_attempt": 10, "time_limit_minutes": 10})
    assert [r.code for r in services.runtime.contest.rounds] == ["chinh", "luyen", "tuan-2"]


async def test_closing_stops_the_round_fixes_the_figure_and_freezes_winners(admin) -> None:  # type: ignore[no-untyped-def]
    rounds, store, services = admin
    closing = await rounds.close("chinh", now=NOW)
    assert closing.figure == 2
    assert [(w.rank, w.prize, w.participant_id) for w in closing.winners] == [(1, "nhat", 1), (2, "nhi", 2), (3, "ba", 3)]
    assert store.stopped == [("chinh", NOW)]
    assert not services.runtime.contest.round("chinh").is_open(NOW)  # new attempts are refused
    services.standings = services.standings[1:]  # participant 1 erases their data
    again = await rounds.close("chinh", now=NOW + timedelta(hours=1))
    assert again.already and [w.participant_id for w in again.winners] == [1, 2, 3]


async def test_a_closed_round_is_not_changed_or_opened_without_saying_reopen(admin) -> None:  # type: ignore[no-untyped-def]
    rounds, store, services = admin
    await rounds.close("chinh", now=NOW)
    with pytest.raises(RoundRefused) as exc:
        await rounds.change("chinh", {"questions_per_attempt": 12})
    assert exc.value.reason == "closed"
    with pytest.raises(RoundRefused):
        await rounds.open("chinh", now=NOW)
    reopened = await rounds.open("chinh", now=NOW + timedelta(minutes=1), reopen=True)
    assert reopened.is_open(NOW + timedelta(minutes=2)) and store.frozen == {}


async def test_practice_cannot_be_switched_once_someone_took_the_round(admin) -> None:  # type: ignore[no-untyped-def]
    rounds, store, _ = admin
    store.attempts.add("luyen")
    with pytest.raises(RoundRefused) as exc:
        await rounds.change("luyen", {"practice": False, "questions_per_attempt": 10})
    assert exc.value.reason == "practice_locked"


async def test_the_scheduler_closes_only_rounds_whose_time_is_up(admin) -> None:  # type: ignore[no-untyped-def]
    rounds, store, services = admin
    await rounds.change("chinh", {"opens": "2024-06-18 08:00", "closes": "2024-06-20 09:51"})
    assert await rounds.close_due(now=NOW) == []  # at 10:00 the 10 minutes of grace are not over
    closed = await rounds.close_due(now=NOW + timedelta(minutes=1))
    assert [c.round_code for c in closed] == ["chinh"] and store.stopped[0][1] == NOW + timedelta(minutes=1)
    assert await rounds.close_due(now=NOW + timedelta(minutes=2)) == []
