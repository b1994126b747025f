"""One contestant across channels, through the engine as every channel drives it."""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from bot.compose import App
from bot.storage import tables as t

from .chat import Chat, code_from, register


async def accounts_of(app: App) -> list[tuple[str, str, int | None]]:
    async with app.engine.connect() as conn:
        rows = await conn.execute(select(t.accounts.c.channel, t.accounts.c.external_id, t.accounts.c.participant_id)
                                  .order_by(t.accounts.c.id))
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_the_web_chat_joins_a_telegram_registration_with_a_code(make_app: Any) -> None:
    app: App = await make_app()
    telegram, web = Chat(app, "telegram", "1001"), Chat(app, "web", "browser-1")
    await register(telegram)
    code = await code_from(telegram)
    assert "10 phút" in telegram.text

    await web.start()
    await web.say(f"/lienket {code.lower()}")
    assert "N. V. An" in web.text and "trang web" in web.text
    await web.tap("Liên kết")
    assert "Đã liên kết" in web.text
    await web.say("/dulieu")
    assert "0912345678" in web.text  # the same person's data on the other channel

    ids = {channel: pid for channel, _x, pid in await accounts_of(app)}
    assert ids["web"] == ids["telegram"] is not None


async def test_choosing_link_then_typing_the_code_works_too(make_app: Any) -> None:
    app: App = await make_app()
    telegram, web = Chat(app, "telegram", "1001"), Chat(app, "web", "browser-1")
    await register(telegram)
    code = await code_from(telegram)
    await web.start()
    await web.say("/dulieu")
    await web.tap("Liên kết tài khoản")
    assert "gõ mã liên kết" in web.text
    await web.say("sai-ma")
    assert "8 chữ và số" in web.text
    await web.say(code)
    await web.tap("Liên kết")
    assert "Đã liên kết" in web.text


async def test_a_refused_code_tells_the_citizen_why(make_app: Any) -> None:
    """Which codes are refused is tested on the fakes (tests/services/test_linking.py); here, what the chat says."""
    app: App = await make_app()
    telegram, web = Chat(app, "telegram", "1001"), Chat(app, "web", "b1")
    await register(telegram)
    await register(web, name="Trần Thị Bình", phone="0987654321")
    old = await code_from(telegram)
    code = await code_from(telegram)
    await web.say(f"/lienket {code}")
    assert "đã đăng ký dự thi nên không thể liên kết" in web.text
    await telegram.say(f"/lienket {code}")
    assert "đã được liên kết với thí sinh đó" in telegram.text
    zalo = Chat(app, "zalo", "z1")
    await zalo.say(f"/lienket {old}")
    assert "đã được dùng hoặc đã hết hạn" in zalo.text


async def test_linking_speaks_english_too(make_app: Any) -> None:
    app: App = await make_app()
    telegram = Chat(app, "telegram", "1001")
    await register(telegram)
    code = await code_from(telegram)
    web = Chat(app, "web", "b1", language="en")
    await web.say(f"/lienket {code}")
    assert "Link this web chat account to the contestant N. V. An?" in web.text
    await web.tap("Link")
    assert "Linked!" in web.text


async def test_an_attempt_begun_on_telegram_is_finished_on_the_web_with_one_quota_and_one_ranking(
        make_app: Any) -> None:
    app: App = await make_app()
    telegram, web = Chat(app, "telegram", "1001"), Chat(app, "web", "b1")
    await register(telegram)
    await telegram.tap("Thi ngay")
    await telegram.tap("Vòng chính")
    for _ in range(3):
        await telegram.tap(telegram.right_letter())
    assert telegram.text.startswith("Câu 4/10"), telegram.text
    code = await code_from(telegram)
    await web.say(f"/lienket {code}")
    await web.tap("Liên kết")

    await web.tap("Thi ngay")
    assert web.text.startswith("Câu 4/10"), web.text  # the same attempt, where Telegram left it
    while re.match(r"Câu \d+/", web.text):
        await web.tap(web.right_letter())
    await web.say("5")
    assert "10/10" in web.text

    await telegram.say("/bxh")
    assert telegram.text.count("N. V. An") == 1 and "1 người đã có kết quả" in telegram.text
    await telegram.say("/ketqua")
    assert "10/10" in telegram.text
    await web.tap("Thi ngay")
    await web.tap("Vòng chính")  # the second and last attempt of the round, begun on the web…
    await telegram.tap("Thi ngay")
    assert telegram.text.startswith("Câu 1/10"), telegram.text  # …is the one Telegram resumes
    await telegram.tap("Nộp bài")
    await telegram.tap("📤 Nộp bài")  # handing in asks first
    await telegram.tap("Bỏ qua")
    await web.say("/thi")
    await web.tap("Vòng chính")
    assert "hết 2 lượt thi" in web.text  # one quota for both accounts
