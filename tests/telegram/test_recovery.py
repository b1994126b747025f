"""On Telegram too nobody is stranded: an old keyboard goes and the real screen comes back, a group
command leaves the private registration where it was, a sticker keeps the phone button, and the bot
introduces itself to a group it joins."""
from __future__ import annotations

import itertools
from collections.abc import Callable

from aiogram import Bot, Dispatcher
from aiogram.types import Update

from .fake_api import BOT_ID, FakeTelegram
from .journey import register, start_attempt
from .people import Citizen, right_letter

GROUP = -1001234567890
_ids = itertools.count(900_000)


async def test_an_old_keyboard_is_taken_away_and_the_real_screen_sent_again(citizen: Callable[..., Citizen]) -> None:
    c = citizen()
    await register(c)
    confirm_message, confirm = c.screen.button("Xác nhận")  # the registration's own confirmation, long done
    await c.press(confirm_message, confirm)

    old = next(m for m in c.screen.messages() if m.message_id == confirm_message)
    assert old.buttons == [], "the stale keyboard is gone from the old message"
    assert c.screen.toasts()[-1] == "Nút đã hết hiệu lực"
    assert "📝 Thi ngay" in [b["text"] for row in c.screen.last.buttons for b in row]


async def test_a_stale_answer_edits_the_question_into_where_the_attempt_really_is(
        citizen: Callable[..., Citizen]) -> None:
    c = citizen()
    await register(c)
    question = await start_attempt(c)
    letter = right_letter(c.screen.last.text)
    _, data = c.screen.button(lambda text: text == letter)
    await c.press(question, data)
    other = next(x for x in "ABCD" if x != letter)
    await c.press(question, data.rsplit(":", 1)[0] + f":{'ABCD'.index(other)}")  # question 1 again, another key

    assert c.screen.last.message_id == question and c.screen.last.text.startswith("Câu 2/10")
    assert c.screen.toasts()[-1] == f"Câu 1 đã ghi nhận đáp án {letter}"


async def test_a_command_in_a_group_leaves_the_private_registration_where_it_was(
        citizen: Callable[..., Citizen]) -> None:
    private = citizen(user_id=4004)
    await private.send("/start")
    await private.tap("Tôi đồng ý")
    await private.tap("Đồng ý liên hệ khi đoạt giải")
    await private.tap("Không, cảm ơn")
    await private.send("Nguyễn Văn An")
    in_group = citizen(user_id=4004, chat_id=GROUP)
    await in_group.send("/thele")
    assert "Thể lệ" in in_group.screen.last.text

    await private.send("1990")
    assert "Bước 3/4" in private.screen.last.text


async def test_a_sticker_at_the_phone_step_keeps_the_phone_button(citizen: Callable[..., Citizen]) -> None:
    c = citizen()
    await c.send("/start")
    await c.tap("Tôi đồng ý")
    await c.tap("Đồng ý liên hệ khi đoạt giải")
    await c.tap("Không, cảm ơn")
    await c.send("Nguyễn Văn An")
    await c.send("1990")
    await c.sticker()

    shown = c.screen.last
    assert "Bước 3/4" in shown.text
    assert shown.markup is not None and shown.markup["keyboard"][0][0]["request_contact"] is True


async def test_text_typed_during_an_attempt_gets_one_short_reminder_not_the_question_again(
        citizen: Callable[..., Citizen]) -> None:
    c = citizen()
    await register(c)
    await start_attempt(c)
    before = len(c.screen.messages())
    for line in ("cho mình hỏi", "câu này khó quá", "thật đấy"):
        await c.send(line)
    added = c.screen.messages()[before:]
    assert len(added) == 3 and all(m.text.startswith("Bạn đang làm câu 1/10") for m in added)


async def test_the_last_practice_question_keeps_no_live_buttons(citizen: Callable[..., Citizen]) -> None:
    c = citizen()
    await register(c)
    question = await start_attempt(c, "Luyện tập")
    for _ in range(3):
        letter = right_letter(c.screen.last.text)
        await c.tap(lambda text, letter=letter: text == letter)
    explained = [m for m in c.screen.messages() if "Bạn chọn" in m.text]
    assert len(explained) == 3 and all(m.buttons == [] for m in explained)
    assert explained[0].message_id == question  # each question turned into its explanation
    assert "Luyện tập: 3/3 câu đúng" in c.screen.last.text


async def test_the_bot_added_to_a_group_introduces_itself(fake: FakeTelegram, bot: Bot, dp: Dispatcher) -> None:
    added = {"update_id": next(_ids), "my_chat_member": {
        "chat": {"id": GROUP, "type": "supergroup", "title": "Nhóm thi"}, "date": 1_718_850_000,
        "from": {"id": 77, "is_bot": False, "first_name": "Lan", "language_code": "vi"},
        "old_chat_member": {"status": "left", "user": {"id": BOT_ID, "is_bot": True, "first_name": "Công Dân Số"}},
        "new_chat_member": {"status": "member", "user": {"id": BOT_ID, "is_bot": True, "first_name": "Công Dân Số"}},
    }}
    await dp.feed_update(bot, Update.model_validate(added, context={"bot": bot}))

    intro = [c for c in fake.delivered("sendMessage") if c.params["chat_id"] == GROUP]
    assert len(intro) == 1 and "Xin chào cả nhóm! Tôi là trợ lý của Cuộc thi thử nghiệm." in intro[0].params["text"]
    assert "/thele" in intro[0].params["text"]
    assert intro[0].params["reply_markup"]["inline_keyboard"][0][0]["url"] == "https://t.me/cds_test_bot"
