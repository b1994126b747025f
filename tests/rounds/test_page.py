"""/admin/rounds: organisers see the rounds, admins change them; a forged or missing CSRF token is refused."""
from __future__ import annotations

from bot.compose import App

from .people import play, register


async def test_an_organiser_sees_the_rounds_but_cannot_change_them(app: App, organiser) -> None:  # type: ignore[no-untyped-def]
    response = await organiser.get("/admin/rounds")
    assert response.status == 200 and "Vòng chính" in organiser.text and "Luyện tập" in organiser.text
    assert 'action="/admin/rounds/chinh"' not in organiser.text  # no forms for organisers
    response = await organiser.post("/admin/rounds/chinh", {"questions": "12", "minutes": "10",
                                                             "question_set": "bo-thu"})
    assert response.status == 403
    response = await organiser.post("/admin/rounds/chinh/close", {"confirm": "1"})
    assert response.status == 403
    assert not (await app.rounds.state("chinh")).closed


async def test_a_post_without_the_csrf_token_changes_nothing(app: App, administrator) -> None:  # type: ignore[no-untyped-def]
    await administrator.get("/admin/rounds")
    response = await administrator.post("/admin/rounds/chinh/close", {"confirm": "1"}, csrf=False)
    assert response.status == 403
    response = await administrator.post("/admin/rounds/chinh/close", {"confirm": "1", "csrf_token": "forged"},
                                        csrf=False)
    assert response.status == 403
    assert not (await app.rounds.state("chinh")).closed


async def test_an_admin_changes_a_round_and_the_next_attempt_follows(app: App, administrator, clock) -> None:  # type: ignore[no-untyped-def]
    await administrator.get("/admin/rounds")
    form = {"title": "Vòng chính", "question_set": "bo-thu", "questions": "12", "minutes": "20", "per_round": "",
            "per_day": "3", "prediction": "1", "quotas": "vneid=3, an-toan=3", "opens": "",
            "closes": "2024-06-23T23:59"}
    response = await administrator.post("/admin/rounds/chinh", form)
    assert response.status == 200 and "Đã lưu vòng «chinh»" in administrator.text
    assert "12 câu · 20 phút" in administrator.text and "3 lượt/ngày" in administrator.text
    pid = await register(app, clock(), user="a", phone="0911111111")
    attempt = await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    assert len(attempt.paper) == 12


async def test_a_bad_setting_is_shown_in_vietnamese_and_nothing_is_stored(app: App, administrator) -> None:  # type: ignore[no-untyped-def]
    await administrator.get("/admin/rounds")
    response = await administrator.post("/admin/rounds/chinh", {"question_set": "bo-thu", "questions": "9",
                                                                 "minutes": "10"})
    assert response.status == 422
    assert "phải là số nguyên từ 10 đến 40" in administrator.text
    assert app.runtime.contest.round("chinh").questions_per_attempt == 10


async def test_an_admin_closes_a_round_and_its_winners_are_frozen(app: App, administrator, clock) -> None:  # type: ignore[no-untyped-def]
    pid = await register(app, clock(), user="a", phone="0911111111")
    await play(app, clock, pid, right=10)
    await administrator.get("/admin/rounds")
    response = await administrator.post("/admin/rounds/chinh/close", {})
    assert response.status == 422 and "Tôi hiểu" in administrator.text  # not without the tick
    response = await administrator.post("/admin/rounds/chinh/close", {"confirm": "1"})
    assert response.status == 200 and "chốt danh sách đoạt giải" in administrator.text
    assert "1 người đoạt giải đã chốt" in administrator.text
    assert [w.participant_id for w in await app.rounds.winners("chinh")] == [pid]


async def test_an_admin_adds_a_round(app: App, administrator) -> None:  # type: ignore[no-untyped-def]
    await administrator.get("/admin/rounds")
    response = await administrator.post("/admin/rounds/new", {
        "code": "tuan-2", "title": "Tuần thi thứ hai", "question_set": "bo-thu", "questions": "10", "minutes": "15",
        "prediction": "1", "opens": "2024-06-24T00:00", "closes": "2024-06-30T23:59"})
    assert response.status == 200 and "Tuần thi thứ hai" in administrator.text
    assert app.runtime.contest.round("tuan-2") is not None
