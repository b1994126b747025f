"""Quick replies stay on a Zalo screen after newer ones came: tapping an old one is an old button, and
the answer is the screen the citizen is really on, never a wrong input at the step reached since."""
from __future__ import annotations

from .harness import ZaloWorld, register, right_letter


async def test_an_old_yes_to_news_at_the_phone_step_shows_the_phone_step_again(world: ZaloWorld) -> None:
    an = world.citizen()
    await an.follow()
    await an.tap("Tôi đồng ý")
    await an.tap("Đồng ý liên hệ khi đoạt giải")
    await an.tap("Có, gửi cho tôi")
    await an.send("Nguyễn Văn An")
    await an.send("1990")
    before = len(an.screen)
    await an.send("Có, gửi cho tôi")  # the news question's quick reply, tapped again from further up

    shown = an.texts_since(before)
    assert "Bước 3/4" in shown and "Bước 1/4" not in shown and "Số điện thoại di động Việt Nam gồm" not in shown
    assert an.last.template == "request_user_info"
    await an.send("0912 345 678")
    assert "Bước 4/4" in an.last.text or "đơn vị" in an.last.text


async def test_an_answer_tapped_twice_from_an_old_question_shows_the_next_one(world: ZaloWorld) -> None:
    an = world.citizen()
    await register(an)
    await an.tap("Thi ngay")
    await an.tap(lambda title: title == "Vòng chính")
    letter = right_letter(an.last.text)
    await an.tap(lambda title, letter=letter: title == letter)
    assert an.last.text.startswith("✓ Đã ghi nhận") and "Câu 2/10" in an.last.text
    await an.tap("Xác nhận")  # the registration's confirmation, further up the chat: a stale button

    assert "Câu 2/10" in an.last.text and "Nút đã hết hiệu lực" in an.last.text
