"""Registered on Telegram, linked on Zalo: the same attempt continues there, one row on the leaderboard,
and Telegram sees the results made on Zalo."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from zalo.harness import ZaloWorld, register, right_letter

from .chat import Chat, code_from
from .chat import register as register_on


async def test_registered_on_telegram_linked_on_zalo_one_attempt_one_row(
        make_app: Any, open_world: Callable[..., Any]) -> None:
    app = await make_app()
    world: ZaloWorld = await open_world(app)
    telegram = Chat(app, "telegram", "1001")
    await register_on(telegram)
    await telegram.tap("Thi ngay")
    await telegram.tap("Vòng chính")
    for _ in range(4):
        await telegram.tap(telegram.right_letter())
    assert telegram.text.startswith("Câu 5/10")
    code = await code_from(telegram)

    zalo = world.citizen()
    await zalo.follow()
    assert "Nghị định 13/2023" in zalo.texts_since(0)  # a stranger to Zalo so far
    await zalo.send(f"/lienket {code}")
    assert "Liên kết tài khoản Zalo này với thí sinh N. V. An?" in zalo.last.text
    await zalo.tap("Liên kết")
    assert "Đã liên kết" in zalo.last.text

    await zalo.tap("Thi ngay")
    assert zalo.last.text.startswith("Câu 5/10"), zalo.last.text  # the attempt begun on Telegram
    while re.search(r"^(✓ .*\n\n)?Câu \d+/10", zalo.last.text):
        letter = right_letter(zalo.last.text)
        await zalo.tap(lambda title, letter=letter: title == letter)
    await zalo.send("3")
    assert "10/10" in zalo.last.text

    await zalo.tap("Bảng xếp hạng")
    assert zalo.last.text.count("N. V. An") == 1 and "1 người đã có kết quả" in zalo.last.text
    await telegram.say("/bxh")
    assert telegram.text.count("N. V. An") == 1 and "Bạn đang xếp thứ 1" in telegram.text
    await telegram.say("/ketqua")
    assert "10/10" in telegram.text


async def test_registered_on_zalo_linked_on_telegram(make_app: Any, open_world: Callable[..., Any]) -> None:
    app = await make_app()
    world: ZaloWorld = await open_world(app)
    zalo = world.citizen()
    await register(zalo)
    await zalo.send("6")  # My data, past the fifth button
    await zalo.tap("Liên kết tài khoản")
    code = re.search(r"/lienket (\S+)", zalo.last.text)
    assert code, zalo.last.text

    telegram = Chat(app, "telegram", "1001")
    await telegram.start()
    await telegram.say(f"/lienket {code.group(1)}")
    await telegram.tap("Liên kết")
    await telegram.say("/dulieu")
    assert "0912345678" in telegram.text  # the number shared with Zalo's form


async def test_a_second_zalo_account_cannot_join_a_participant_that_has_one(
        make_app: Any, open_world: Callable[..., Any]) -> None:
    app = await make_app()
    world: ZaloWorld = await open_world(app)
    telegram = Chat(app, "telegram", "1001")
    await register_on(telegram)
    first, second = world.citizen("1111111111111111111"), world.citizen("2222222222222222222")
    await first.send(f"/lienket {await code_from(telegram)}")
    await first.tap("Liên kết")
    await second.send(f"/lienket {await code_from(telegram)}")
    assert "đã có một tài khoản Zalo được liên kết" in second.last.text
