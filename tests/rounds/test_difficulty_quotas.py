"""Difficulty quotas on the dashboard's rounds form: named as organisers say them, kept, shown, and
refused in Vietnamese when the set cannot give them."""
from __future__ import annotations

from bot.compose import App

FORM = {"title": "Vòng chính", "question_set": "bo-thu", "questions": "10", "minutes": "10", "per_round": "2",
        "per_day": "", "prediction": "1", "quotas": "vneid=3, an-toan=3", "opens": "", "closes": ""}


async def test_an_admin_gives_a_round_difficulty_quotas_in_vietnamese(app: App, administrator) -> None:  # type: ignore[no-untyped-def]
    await administrator.get("/admin/rounds")
    response = await administrator.post("/admin/rounds/chinh", {**FORM, "levels": "dễ=10"})
    assert response.status == 200 and "Đã lưu vòng «chinh»" in administrator.text
    assert "vneid=3, an-toan=3 · easy=10" in administrator.text
    assert app.runtime.contest.round("chinh").difficulty_quotas == {"easy": 10}


async def test_quotas_the_set_cannot_give_are_refused_and_nothing_is_stored(app: App, administrator) -> None:  # type: ignore[no-untyped-def]
    await administrator.get("/admin/rounds")
    response = await administrator.post("/admin/rounds/chinh", {**FORM, "levels": "khó=2, easy=8"})
    assert response.status == 422 and "Độ khó hard có 0 câu, cần 2." in administrator.text
    assert app.runtime.contest.round("chinh").difficulty_quotas == {}
