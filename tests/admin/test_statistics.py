"""Dashboard figures against a reference computed from the attempts the services returned."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from bot.compose import App

from .conftest import Visitor
from .seed import play, register

BROKEN = "q-001"  # everyone "gets it wrong": what a wrong answer key looks like


async def test_question_statistics_count_answers_and_right_answers_per_question(app: App, clock) -> None:
    papers = []
    for k in range(12):
        pid = await register(app, user=f"u{k}", phone=f"09{k:08d}")
        for _ in range(2):
            papers.append(await play(app, clock, pid, right=7, wrong_on={BROKEN}))
    answered: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for attempt in papers:
        for position, item in enumerate(attempt.paper):
            answered[item.question_id] += 1
            right[item.question_id] += position < 7 and item.question_id != BROKEN
    counts = {q.question_id: q for q in await app.figures.question_counts()}
    assert {q: (c.answers, c.correct) for q, c in counts.items()} == {q: (answered[q], right[q]) for q in answered}
    assert counts[BROKEN].share == 0 and counts[BROKEN].answers >= 10
    assert await app.figures.question_counts(round_code="luyen") == []


async def test_a_question_almost_nobody_gets_right_is_flagged_for_checking(app: App, clock,
                                                                           organiser: Visitor) -> None:
    for k in range(15):
        pid = await register(app, user=f"u{k}", phone=f"09{k:08d}")
        for _ in range(2):
            await play(app, clock, pid, right=10, wrong_on={BROKEN})
    counts = {q.question_id: q for q in await app.figures.question_counts()}
    assert counts[BROKEN].answers >= 20
    await organiser.get("/admin/questions")
    flagged = organiser.text.split("<tbody>")[1].split("</tr>")
    assert "kiểm tra lại đáp án" in flagged[0] and BROKEN in flagged[0]  # listed first
    assert organiser.text.count("kiểm tra lại đáp án") == 1 + 1  # its badge, and the note above the table
    assert "1 câu cần kiểm tra lại đáp án" in organiser.text


async def test_participation_by_day_uses_the_contest_days_of_ha_noi_time(app: App, clock) -> None:
    clock.now = clock.now.replace(hour=16, minute=30)  # 23:30 on 20/6 in Việt Nam
    late = await register(app, user="late", phone="0900000001")
    await play(app, clock, late, right=3, seconds_per_answer=1)
    clock.advance(hours=1)  # 00:30 on 21/6
    early = await register(app, user="early", phone="0900000002")
    await play(app, clock, early, right=3)
    await play(app, clock, early, right=4)
    days = await app.figures.by_day()
    assert [(d.day, d.registered, d.participants, d.attempts) for d in days] == [
        (date(2024, 6, 20), 1, 1, 1), (date(2024, 6, 21), 1, 1, 2)]
    assert await app.figures.by_day(since=date(2024, 6, 21)) == days[1:]
    active = {s.code: (s.participants, s.attempts) for s in await app.figures.units_at_level(day=date(2024, 6, 21))}
    assert active == {"T-A": (1, 2), "T-B": (0, 0)}


async def test_the_overview_compares_today_with_yesterday(app: App, clock, organiser: Visitor) -> None:
    for k in range(2):
        await play(app, clock, await register(app, user=f"y{k}", phone=f"090000000{k}"), right=5)
    clock.advance(days=1)
    for k in range(3):
        await play(app, clock, await register(app, user=f"t{k}", phone=f"091000000{k}", unit="T-B-1"), right=5)
    await organiser.login("bantochuc")  # a new day, a new session
    assert "▲ 50%" in organiser.text and "hôm qua: 2" in organiser.text
    assert 'aria-labelledby="today-by-unit-t today-by-unit-d"' in organiser.text
    assert "Huyện Bắc Hà: 3" in organiser.text and "Huyện An Bình: 0" in organiser.text  # the chart's description
    assert f"{(clock.now + timedelta(hours=7)):%d/%m/%Y}" in organiser.text


async def test_units_show_their_participation_rate_against_population(app: App, clock, organiser: Visitor) -> None:
    await play(app, clock, await register(app, user="a", phone="0900000001"), right=5)
    await organiser.get("/admin/units?unit=T-A")
    assert "Huyện An Bình" in organiser.text and "Xã Đông Sơn" in organiser.text
    assert "0,33%" in organiser.text  # 1 participant among 300 people in Xã Đông Sơn
    assert (await organiser.get("/admin/units?unit=NOWHERE")).status == 404
