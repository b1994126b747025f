"""The Telegram channel through aiogram's Dispatcher.feed_update with a recording bot: what citizens see."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest

from bot.compose import App

from .fake_api import FakeTelegram
from .journey import answer_all, register, start_attempt
from .people import Citizen, right_letter

GROUP = -1001234567890


def attempt_of(data: str) -> int:
    """The attempt id inside an answer button's callback data "1|a:ATTEMPT:POSITION:CHOICE"."""
    return int(data.split("|", 1)[1].split(":")[1])


async def test_a_new_citizen_registers_takes_a_whole_attempt_and_sees_the_result(
        citizen: Callable[..., Citizen], fake: FakeTelegram) -> None:
    c = citizen()
    await register(c)
    question = await start_attempt(c)
    result = await answer_all(c, question)

    assert "10/10" in result
    questions_sent = [m for m in fake.delivered("sendMessage") if m.params["text"].startswith("Câu ")]
    assert len(questions_sent) == 1, "the question message is edited in place, not sent again"
    assert len([e for e in fake.delivered("editMessageText") if e.params["message_id"] == question]) >= 10
    presses = [u for u in fake.calls if u.method == "answerCallbackQuery"]
    assert presses and "Đã ghi nhận" in c.screen.toasts()
    assert any(m.params.get("reply_markup") == {"remove_keyboard": True} for m in fake.delivered("sendMessage")), \
        "the phone keyboard is taken away once the number is in"
    assert all("parse_mode" not in m.params for m in fake.delivered("sendMessage")), "plain text, nothing to escape"


async def test_every_press_is_answered_once(citizen: Callable[..., Citizen], fake: FakeTelegram) -> None:
    c = citizen()
    await register(c)
    question = await start_attempt(c)
    await answer_all(c, question)
    answered = [call.params["callback_query_id"] for call in fake.delivered("answerCallbackQuery")]
    # consents (taking part, prize contact, news), units, confirm, play and round, answers
    assert len(answered) == len(set(answered)) == 3 + 2 + 1 + 2 + 10


async def test_a_double_tap_on_one_option_stores_one_answer(
        citizen: Callable[..., Citizen], application: App, fake: FakeTelegram) -> None:
    c = citizen()
    await register(c)
    await start_attempt(c)
    letter = right_letter(c.screen.last.text)
    message_id, data = c.screen.button(lambda text: text == letter)

    await asyncio.gather(c.press(message_id, data), c.press(message_id, data))

    answers = await application.play.answers(attempt_of(data))
    assert list(answers) == [0]
    assert sorted(t for t in c.screen.toasts()[-2:] if t) == [f"Câu 1 đã ghi nhận đáp án {letter}", "Đã ghi nhận"]
    assert c.screen.last.text.startswith("Câu 2/")


async def test_a_button_from_an_earlier_attempt_changes_nothing(
        citizen: Callable[..., Citizen], application: App) -> None:
    c = citizen()
    await register(c)
    await start_attempt(c)
    first = right_letter(c.screen.last.text)
    await c.tap(lambda text: text == first)
    old_message, old_data = c.screen.button(lambda text: text in "ABCD")  # question 2 of the first attempt
    await c.tap("Nộp bài")
    await c.tap("Nộp bài")  # confirmed
    await c.tap("Bỏ qua")
    await start_attempt(c)
    new_data = c.screen.button(lambda text: text == "A")[1]

    await c.press(old_message, old_data)

    assert len(await application.play.answers(attempt_of(old_data))) == 1
    assert await application.play.answers(attempt_of(new_data)) == {}
    assert c.screen.toasts()[-1] == "Bài thi đã kết thúc"


async def test_forged_or_unknown_button_data_gets_a_polite_answer_and_a_log_line(
        citizen: Callable[..., Citizen], fake: FakeTelegram, caplog: pytest.LogCaptureFixture) -> None:
    c = citizen()
    await c.send("/start")
    caplog.set_level(logging.WARNING)

    await c.press(c.screen.last.message_id, "a:1:0:0")  # an old, unversioned format
    await c.press(c.screen.last.message_id, "1|a:999:0:0")  # someone else's or no attempt
    await c.press(c.screen.last.message_id, "9|" + "x" * 60)

    assert c.screen.toasts() == ["Nút đã hết hiệu lực"] * 3
    assert sum("button" in r.getMessage() for r in caplog.records) == 3


async def test_someone_elses_contact_is_refused_and_the_own_one_accepted(
        citizen: Callable[..., Citizen], fake: FakeTelegram) -> None:
    c = citizen()
    await c.send("/start")
    await c.tap("Tôi đồng ý")
    await c.tap("Đồng ý liên hệ khi đoạt giải")
    await c.tap("Không, cảm ơn")
    await c.send("Trần Thị Bình")
    await c.send("1985")

    await c.share_contact("0987654321", owner=2002)

    refused = c.screen.last
    assert "số điện thoại của chính bạn" in refused.text
    assert refused.markup is not None and refused.markup["keyboard"][0][0]["text"] == "📱 Gửi số điện thoại của tôi"
    await c.share_contact("+84 912 345 678")
    assert "đơn vị" in c.screen.last.text


async def test_a_sticker_gets_a_polite_hint_and_the_menu(citizen: Callable[..., Citizen]) -> None:
    c = citizen(language_code="en")
    await c.sticker()

    shown = c.screen.last
    assert "I can only read text messages and buttons" in shown.text, "in English, from Telegram's language_code"
    assert "📝 Register" in [b["text"] for row in shown.buttons for b in row]


async def test_a_group_answers_the_rules_but_sends_attempts_to_the_private_chat(
        citizen: Callable[..., Citizen], fake: FakeTelegram) -> None:
    member = citizen(user_id=3003, chat_id=GROUP)

    await member.send("/thele")
    assert "Thể lệ" in member.screen.last.text

    await member.send("/thi")
    invite = member.screen.last
    assert "trò chuyện riêng" in invite.text
    assert invite.buttons[0][0]["url"] == "https://t.me/cds_test_bot"

    await member.press(invite.message_id, "1|m:play")
    assert member.screen.toasts()[-1] == "Mời bạn dự thi trong trò chuyện riêng với bot"
    assert member.screen.last.buttons[0][0]["url"] == "https://t.me/cds_test_bot"

    await member.send("/start T-A-1")
    assert member.screen.last.buttons[0][0]["url"] == "https://t.me/cds_test_bot?start=T-A-1", "the code goes along"

    before = len(fake.calls)
    await member.send("chào cả nhà, mai thi nhé")
    await member.sticker()
    assert len(fake.calls) == before, "ordinary group chatter gets no reply"

    await member.send("/menu")
    labels = [b["text"] for row in member.screen.last.buttons for b in row]
    assert "📜 Thể lệ" in labels and not any("Thi ngay" in x or "Đăng ký" in x for x in labels)


async def test_the_owners_own_contact_takes_the_number_back_from_someone_who_only_typed_it(
        citizen: Callable[..., Citizen], application: App) -> None:
    now = application.clock()
    account = await application.people.account(channel="web", external_id="squatter", locale="vi", now=now)
    squatter = await application.people.register(account_id=account.id, full_name="Kẻ Chiếm Số", birth_year=1990,
                                                  phone="0912345678", unit_code="T-A-1", referral=None, now=now)
    owner = citizen()
    await owner.send("/start")
    await owner.tap("Tôi đồng ý")
    await owner.tap("Đồng ý liên hệ khi đoạt giải")
    await owner.tap("Không, cảm ơn")
    await owner.send("Trần Thị Bình")
    await owner.send("1985")
    await owner.send("0912 345 678")  # typed: a typed number takes nothing
    assert "bấm «📱 Gửi số điện thoại của tôi» để xác minh" in owner.screen.last.text
    await owner.share_contact("+84 912 345 678")  # Telegram vouches for it
    await owner.tap("Huyện An Bình")
    await owner.tap("Xã Đông Sơn")
    await owner.tap("Xác nhận")
    held = await application.people.holder("0912345678")
    assert held is not None and held.full_name == "Trần Thị Bình" and held.phone_verified_by == "telegram"
    assert (await application.people.participant(squatter.id)).phone is None  # type: ignore[union-attr]
