"""Each contest rule has one answer, whoever asks: a citizen's /bxh, the dashboard, an export, the daily
report, the command line and closing a round all read the same data the same way.

The contest here has two ranked rounds open at once, a participant who erased their data and one
the organisers disqualified: the cases where the old copies of these rules disagreed."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.channels.console import ConsoleSession
from bot.compose import App
from bot.storage.uow import SqlUnitOfWork
from publishing import ADMIN
from quiz.integrity import Flag, FlagKind
from quiz.privacy import public_name

from .conftest import Visitor
from .seed import add_staff, play, register


@dataclass(frozen=True, slots=True)
class Contest:
    kept: int  # 10/10 in the default round
    erased: int  # 10/10, then erased their data
    dropped: int  # 10/10, then disqualified
    partial: int  # 7/10
    elsewhere: int  # 10/10 in the other open round only
    kept_ms: int  # the kept participant's time, as ranking measures it


@pytest.fixture
async def contest(app: App, clock) -> Contest:  # type: ignore[no-untyped-def]
    """Round "chinh" (open since the pack) and "tuan-2" (opened by an admin after it): both open, ranked."""
    await app.rounds.create("tuan-2", {"title": "Tuần 2", "question_set": "bo-thu", "questions_per_attempt": 10,
                                       "time_limit_minutes": 15, "prediction": True,
                                       "opens": "2024-06-20 07:00"}, by=ADMIN, now=clock())
    people = {}
    for user, unit in (("kept", "T-A-1"), ("erased", "T-A-1"), ("dropped", "T-B-1"), ("partial", "T-B-1"),
                       ("elsewhere", "T-A-2")):
        people[user] = await register(app, user=user, phone=f"09{len(people):08d}", unit=unit,
                                      name=f"Người {user.capitalize()}")
    kept = await play(app, clock, people["kept"], right=10, round_code="tuan-2", prediction=1, seconds_per_answer=13)
    for user, right in (("erased", 10), ("dropped", 10), ("partial", 7)):
        await play(app, clock, people[user], right=right, round_code="tuan-2", prediction=3)
    await play(app, clock, people["elsewhere"], right=10, round_code="chinh")
    await app.people.erase(participant_id=people["erased"], now=clock())
    async with SqlUnitOfWork(app.engine, app.scope) as uow:  # the integrity scan's flag, as it would store it
        await uow.reviews.add(round_code="tuan-2", flags=[Flag(FlagKind.TOO_FAST, people["dropped"], None)],
                              now=clock())
        await uow.commit()
    review = (await app.integrity.reviews("tuan-2"))[0]
    await add_staff(app, "btc.quyetdinh", "organiser")
    decider = next(u for u in await app.staff.users() if u.username == "btc.quyetdinh")
    await app.integrity.decide(review_id=review.id, status="disqualified", user_id=decider.id, by=ADMIN,
                               now=clock(), reason="Trả lời quá nhanh")
    finished = await app.play.attempt(kept.id, now=clock())
    assert finished is not None and finished.finished_at is not None
    kept_ms = int((finished.finished_at - finished.started_at).total_seconds() * 1000)
    return Contest(people["kept"], people["erased"], people["dropped"], people["partial"], people["elsewhere"],
                   kept_ms)


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


async def citizen_board(app: App, who: str = "khach") -> str:
    """What a citizen reads after typing /bxh (no round chosen)."""
    session = ConsoleSession(app.dispatcher, app.translator, user=who)
    await session.start()
    return await session.send("/bxh")


async def test_the_default_round_is_the_same_for_citizens_pages_and_exports(
        app: App, contest: Contest, organiser: Visitor) -> None:
    """Two ranked rounds open: every surface shows the one that opened last (citizens' old answer)."""
    assert "Tuần 2" in (await citizen_board(app)).splitlines()[1]
    for page in ("/admin/leaderboard", "/admin/winners", "/admin/integrity"):
        await organiser.get(page)
        tabs = organiser.text.split('<nav class="rounds"')[1].split("</nav>")[0]
        active = re.search(r'<a [^>]*aria-current="true"[^>]*>([^<]+)</a>', tabs)
        assert active is not None and active.group(1) == "Tuần 2", page
    response = await organiser.get("/admin/export/leaderboard.csv")
    assert "bang-xep-hang-tuan-2-" in response.headers["Content-Disposition"]
    assert [r[1] for r in read_csv(await response.read())[1:]] == ["Người Kept", "Người Partial"]


async def test_erased_and_disqualified_participants_rank_nowhere(
        app: App, clock, contest: Contest, organiser: Visitor) -> None:  # type: ignore[no-untyped-def]
    ranked, _ = await app.standings.leaderboard(round_code="tuan-2")
    assert [r.standing.participant_id for r in ranked] == [contest.kept, contest.partial]
    shown = await citizen_board(app)
    assert public_name("Người Kept") in shown and public_name("Người Partial") in shown
    assert public_name("Người Dropped") not in shown and "—" not in shown.split("\n", 2)[2]
    await organiser.get("/admin/leaderboard?round=tuan-2")
    assert "Người Kept" in organiser.text and "Người Dropped" not in organiser.text
    rows = read_csv(await (await organiser.get("/admin/export/leaderboard.csv?round=tuan-2")).read())
    assert [r[1] for r in rows[1:]] == ["Người Kept", "Người Partial"]
    closing = await app.rounds.close("tuan-2", by=ADMIN, now=clock())
    assert [w.participant_id for w in closing.winners] == [contest.kept, contest.partial]


async def test_the_all_correct_figure_is_the_same_on_every_surface(
        app: App, clock, contest: Contest, organiser: Visitor) -> None:  # type: ignore[no-untyped-def]
    """In "tuan-2" only the kept participant counts; over the contest, they and the one in "chinh"."""
    await organiser.get("/admin/leaderboard?round=tuan-2")
    assert "con số dự đoán dùng để xếp hạng: 1" in organiser.text
    await organiser.get("/admin/")
    card = re.search(r"Thí sinh trả lời đúng tất cả</[^>]+>\s*<[^>]+>([\d.]+)<", organiser.text)
    assert card is not None and card.group(1) == "2"
    assert (await app.reports.daily(now=clock())).all_correct == 2
    assert await app.standings.all_correct(now=clock(), round_code="tuan-2") == 1
    closing = await app.rounds.close("tuan-2", by=ADMIN, now=clock())
    assert closing.figure == 1
    ranked, figure = await app.standings.leaderboard(round_code="tuan-2")
    assert figure == 1


async def test_an_attempts_time_is_the_same_in_the_result_the_pages_the_export_and_the_winners(
        app: App, clock, contest: Contest, organiser: Visitor) -> None:  # type: ignore[no-untyped-def]
    ranked, _ = await app.standings.leaderboard(round_code="tuan-2")
    mine = next(r for r in ranked if r.standing.participant_id == contest.kept)
    assert mine.standing.duration_ms == contest.kept_ms
    shown = f"{contest.kept_ms // 60000}:{contest.kept_ms % 60000 / 1000:04.1f}".replace(".", ",")
    await organiser.get("/admin/leaderboard?round=tuan-2")
    assert shown in organiser.text
    rows = read_csv(await (await organiser.get("/admin/export/leaderboard.csv?round=tuan-2")).read())
    assert float(rows[1][7]) == pytest.approx(contest.kept_ms / 1000, abs=0.05)
    closing = await app.rounds.close("tuan-2", by=ADMIN, now=clock() + timedelta(hours=1))
    assert closing.winners[0].duration_ms == contest.kept_ms


async def test_units_rank_by_participation_rate_the_same_in_the_report_and_the_winners_page(
        app: App, clock, contest: Contest, organiser: Visitor) -> None:  # type: ignore[no-untyped-def]
    """Every district has a population in the fixture pack, so both rank by rate."""
    figures = await app.reports.daily(now=clock())
    assert figures.by_rate
    await organiser.get("/admin/winners?round=tuan-2")
    collective = organiser.text.split("Giải tập thể:")[1]
    order = [name for name in re.findall(r"<td>(Huyện [^<]+)</td>", collective)]
    assert order == [u.name for u in figures.top] + [u.name for u in figures.bottom if u.name not in order]
