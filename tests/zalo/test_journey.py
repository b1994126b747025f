"""A citizen on Zalo, from following the OA to the result and the rules, through signed webhook calls."""
from __future__ import annotations

import re

from .harness import ZaloWorld, register, right_letter


async def test_follow_consent_register_play_and_read_the_rules(world: ZaloWorld) -> None:
    an = world.citizen()
    await an.follow()
    assert "Nghị định 13/2023" in an.texts_since(0)
    assert an.buttons() == ["✅ Tôi đồng ý", "Không đồng ý"]
    await an.tap("Tôi đồng ý")
    await an.tap("Đồng ý liên hệ khi đoạt giải")
    await an.tap("Không, cảm ơn")
    assert "họ và tên" in an.last.text
    await an.send("Nguyễn Văn An")
    await an.send("1990")
    assert "Số điện thoại" in an.screen[-2].text
    assert an.last.template == "request_user_info"  # the shared-information form
    await an.share_info(name="An Nguyễn", phone="84912345678")
    assert "đơn vị" in an.last.text
    await an.tap("Huyện An Bình")
    await an.tap("Xã Đông Sơn")
    assert "0912345678" in an.last.text and "Xã Đông Sơn" in an.last.text
    await an.tap("Xác nhận")
    assert "Đăng ký thành công" in an.last.text

    await an.tap("Thi ngay")
    await an.tap(lambda title: title == "Vòng chính")
    question = an.last
    assert question.text.startswith("Câu 1/10")
    assert "A. " in question.text and "D. " in question.text  # the question and its options in one message
    assert [b["title"] for b in question.buttons] == ["A", "B", "C", "D", "📤 Nộp bài"]
    while re.search(r"^Câu \d+/10", an.last.text, re.MULTILINE):
        letter = right_letter(an.last.text)
        await an.tap(lambda title, letter=letter: title == letter)
    assert "dự đoán" in an.last.text
    await an.send("7")
    assert "10/10" in an.last.text

    await an.tap("Thể lệ")
    assert "Thể lệ" in an.last.text and "Đối tượng dự thi" in an.buttons()
    await an.tap("Đối tượng dự thi")
    assert "Mọi công dân sinh sống trong tỉnh." in an.last.text


async def test_a_number_picks_a_choice_listed_after_the_fifth_button(world: ZaloWorld) -> None:
    an = world.citizen()
    await an.follow()
    await an.tap("Không đồng ý")
    assert "6. 🔐 Dữ liệu của tôi" in an.last.text and len(an.last.buttons) == 5
    await an.send("8")
    assert "/thele – thể lệ cuộc thi" in an.last.text  # Help, the eighth choice
    await an.send("6")
    assert "Dữ liệu của bạn" in an.last.text


async def test_a_number_is_just_text_where_no_numbers_were_shown(world: ZaloWorld) -> None:
    an = world.citizen()
    await register(an)
    await an.tap("Thi ngay")
    await an.tap(lambda title: title == "Luyện tập")
    await an.send("b")  # a typed letter answers, like the button
    await an.send("C")
    assert an.last.text.startswith("Câu 3/3")
    await an.send("1")  # not "the first button": a short reminder of the letters, not the question again
    assert "Hãy bấm một trong các nút A, B, C, D, hoặc gõ một chữ cái" in an.last.text
    assert an.buttons() == ["↩️ Xem lại câu hỏi"]


async def test_a_sticker_gets_a_polite_hint_and_the_question_it_was_sent_at(world: ZaloWorld) -> None:
    an = world.citizen()
    await an.follow()
    before = len(an.screen)
    await an.sticker()
    assert "chỉ đọc được tin nhắn chữ" in an.texts_since(before)
    assert "Nghị định 13/2023" in an.texts_since(before) and an.buttons() == ["✅ Tôi đồng ý", "Không đồng ý"]


async def test_a_typed_phone_number_works_as_well_as_the_form(world: ZaloWorld) -> None:
    an = world.citizen()
    await an.follow()
    await an.tap("Tôi đồng ý")
    await an.tap("Đồng ý liên hệ khi đoạt giải")
    await an.tap("Không, cảm ơn")
    await an.send("Trần Thị Bình")
    await an.send("1985")
    await an.send("0987 654 321")
    assert "đơn vị" in an.last.text


async def test_the_form_sent_before_consent_takes_no_personal_data(world: ZaloWorld) -> None:
    an = world.citizen()
    await an.follow()
    await an.share_info(name="Trần Thị Bình", phone="84987654321")
    assert "chưa cần số điện thoại" in an.last.text
