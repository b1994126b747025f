"""Round settings obey the contest pack's rules; closing freezes winners; with fakes, no database."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.content import read_pack
from fakes import FakeRounds, Memory, use_cases
from publishing import ADMIN
from quiz.attempts import Attempt, AttemptStatus, PaperItem
from quiz.leaderboard import build_board
from quiz.model import Prizes, Round
from quiz.people import Participant
from quiz.problems import Invalid
from quiz.ranking import Standing
from quiz.rounds import RoundRefused, RoundState, changed_round, due_to_close, frozen_winners, settings_of
from quiz.runtime import ContestRuntime
from quiz.services import LiveContest, RoundAdmin

PACK = Path(__file__).resolve().parents[1] / "fixtures" / "pack"
NOW = datetime(2024, 6, 20, 3, 0, tzinfo=UTC)  # 10:00 in Hà Giang


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
    assert r.opens == datetime(2024, 6, 18, 1, 0, tzinfo=UTC)
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


def seed(memory: Memory, runtime: ContestRuntime) -> None:
    """Three finished attempts in "chinh" — 1: 10 right in 9 s, predicts 1; 2: 10 right in 5 s, predicts 9;
    3: 4 right in 0.1 s — and one still open."""
    paper = tuple(PaperItem(q.id, (0, 1, 2, 3)) for q in runtime.sets["bo-thu"].questions[:10])
    for pid, correct, ms, prediction in ((1, 10, 9000, 1), (2, 10, 5000, 9), (3, 4, 100, None), (4, 0, 0, None)):
        memory.participants[pid] = Participant(pid, f"Người Số {pid}", 1990, f"09000000{pid:02d}", "T-A-1", None, NOW)
        start = NOW - timedelta(minutes=5)
        finished = start + timedelta(milliseconds=ms) if pid != 4 else None
        memory.attempts[100 + pid] = Attempt(100 + pid, pid, "chinh", "bo-thu", 1, paper, start,
                                             start + timedelta(minutes=10), False,
                                             AttemptStatus.FINISHED if finished else AttemptStatus.OPEN, finished,
                                             correct, prediction)
        memory.attempt_keys[100 + pid] = (1, NOW.date())
    memory.last_id = 200


@pytest.fixture
def admin(runtime: ContestRuntime) -> tuple[RoundAdmin, Memory, LiveContest]:
    uses, memory = use_cases(runtime)
    seed(memory, runtime)
    return uses.rounds, memory, uses.live


async def test_a_change_reaches_the_running_contest_at_once(admin) -> None:  # type: ignore[no-untyped-def]
    rounds, memory, live = admin
    await rounds.create("tuan-2", {"question_set": "bo-thu", "questions_per_attempt": 10, "time_limit_minutes": 10},
                        by=ADMIN, now=NOW)
    assert [r.code for r in live.runtime.contest.rounds] == ["chinh", "luyen", "tuan-2"]
    await rounds.change("tuan-2", {"questions_per_attempt": 15, "time_limit_minutes": 15}, by=ADMIN, now=NOW)
    served = live.runtime.contest.round("tuan-2")
    assert (served.questions_per_attempt, served.time_limit) == (15, timedelta(minutes=15))
    assert memory.revision == 2  # every worker follows
    assert [e.action for e in memory.audit] == ["round.create", "round.change"]
    assert memory.audit[-1].detail["before"]["questions_per_attempt"] == 10  # type: ignore[index]
    assert memory.audit[-1].detail["after"]["questions_per_attempt"] == 15  # type: ignore[index]


async def test_the_rules_of_a_round_with_attempts_stay_as_they_were(admin) -> None:  # type: ignore[no-untyped-def]
    rounds, memory, live = admin  # "chinh" has attempts
    for change in ({"questions_per_attempt": 15}, {"time_limit_minutes": 20}, {"attempts_per_round": 5}):
        with pytest.raises(RoundRefused) as exc:
            await rounds.change("chinh", change, by=ADMIN, now=NOW)
        assert exc.value.reason == "rules_locked"
    assert live.runtime.contest.round("chinh").questions_per_attempt != 15 and memory.revision == 0
    await rounds.change("chinh", {"title": "Vòng chính thức"}, by=ADMIN, now=NOW)  # words and times may move
    assert live.runtime.contest.round("chinh").title["vi"] == "Vòng chính thức"


async def test_closing_stops_the_round_fixes_the_figure_and_freezes_winners(admin) -> None:  # type: ignore[no-untyped-def]
    rounds, memory, live = admin
    closing = await rounds.close("chinh", by=ADMIN, now=NOW)
    assert (closing.figure, closing.stopped) == (2, 1)
    assert [(w.rank, w.prize, w.participant_id) for w in closing.winners] == [
        (1, "nhat", 1), (2, "nhi", 2), (3, "ba", 3), (4, "khuyen_khich", 4)]
    assert memory.attempts[104].finished_at == NOW  # the open attempt ended with the answers it had
    assert not live.runtime.contest.round("chinh").is_open(NOW)  # new attempts are refused
    memory.participants[1] = replace(memory.participants[1], erased=True)  # participant 1 erases their data
    again = await rounds.close("chinh", by=ADMIN, now=NOW + timedelta(hours=1))
    assert again.already and [w.participant_id for w in again.winners] == [1, 2, 3, 4]


async def test_a_close_that_fails_half_way_changes_nothing(admin, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rounds, memory, live = admin

    async def broken(self, **kw: object) -> None:  # type: ignore[no-untyped-def]
        raise ConnectionError("the database went away")

    monkeypatch.setattr(FakeRounds, "freeze", broken)
    with pytest.raises(ConnectionError):
        await rounds.close("chinh", by=ADMIN, now=NOW)
    assert memory.attempts[104].status is AttemptStatus.OPEN and memory.winners == {}
    assert not memory.rounds["chinh"].closed and memory.revision == 0


async def test_a_closed_round_is_not_changed_or_opened_without_saying_reopen(admin) -> None:  # type: ignore[no-untyped-def]
    rounds, memory, _ = admin
    await rounds.close("chinh", by=ADMIN, now=NOW)
    with pytest.raises(RoundRefused) as exc:
        await rounds.change("chinh", {"questions_per_attempt": 12}, by=ADMIN, now=NOW)
    assert exc.value.reason == "closed"
    with pytest.raises(RoundRefused):
        await rounds.open("chinh", by=ADMIN, now=NOW)
    reopened = await rounds.open("chinh", by=ADMIN, now=NOW + timedelta(minutes=1), reopen=True)
    assert reopened.is_open(NOW + timedelta(minutes=2)) and memory.winners == {}
    assert (await rounds.state("chinh")).figure is None  # the all-correct figure is withdrawn with the winners


async def test_practice_cannot_be_switched_once_someone_took_the_round(admin) -> None:  # type: ignore[no-untyped-def]
    rounds, memory, _ = admin
    memory.attempts[150] = replace(memory.attempts[101], id=150, round_code="luyen")
    with pytest.raises(RoundRefused) as exc:
        await rounds.change("luyen", {"practice": False, "questions_per_attempt": 10}, by=ADMIN, now=NOW)
    assert exc.value.reason == "rules_locked"


async def test_the_scheduler_closes_only_rounds_whose_time_is_up(admin) -> None:  # type: ignore[no-untyped-def]
    rounds, memory, _ = admin
    await rounds.change("chinh", {"opens": "2024-06-18 08:00", "closes": "2024-06-20 09:51"}, by=ADMIN, now=NOW)
    assert await rounds.close_due(now=NOW) == []  # at 10:00 the 10 minutes of grace are not over
    closed = await rounds.close_due(now=NOW + timedelta(minutes=1))
    assert [c.round_code for c in closed] == ["chinh"] and memory.attempts[104].finished_at is not None
    assert await rounds.close_due(now=NOW + timedelta(minutes=2)) == []
