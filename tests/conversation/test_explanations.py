"""Explanations reach citizens: after each answer in practice; for a ranked paper, as a review of the
whole paper once its round is over, never while others can still use the questions."""
from __future__ import annotations

import re

from conftest import Clock
from quiz.audit import Actor
from quiz.conversation.actions import Review

from .conftest import World
from .people import Person, register


async def test_each_practice_answer_is_followed_by_the_key_the_explanation_and_the_source(world: World) -> None:
    an = world.person()
    await register(an)
    await an.tap("Thi ngay")
    await an.tap("Luyện tập")
    right = an.right_letter()
    wrong = "A" if right != "A" else "B"
    await an.say(wrong)

    first, question = an.last.replies
    shown = "\n\n".join(world.translator.text(p, "vi") for p in first.parts)
    assert shown.startswith("Câu 1/3: Câu hỏi thử nghiệm số")
    assert f"❌ Bạn chọn {wrong}. Sai" in shown and f"Đáp án đúng: {right}. Đúng" in shown
    assert "💡 Phương án «Đúng" in shown and "📚 Nguồn: Bộ câu hỏi thử nghiệm" in shown
    assert first.replace and not first.buttons  # the question message turns into its explanation
    assert question.progress is not None and question.progress.position == 2

    await an.press(an.right_key())
    assert "✅ Bạn chọn" in an.text and "– đúng." in an.text


async def finished_ranked(person: Person, *, phone: str = "0912345678") -> int:
    await register(person, phone=phone)
    await person.tap("Thi ngay")
    await person.tap("Vòng chính")
    attempt = person.answer_keys()[0].attempt
    for i in range(10):
        await person.press(person.right_key() if i % 2 == 0 else person.answer_keys()[0])
    await person.say("7")
    return attempt


async def test_a_ranked_paper_is_not_explained_while_the_round_is_open(world: World) -> None:
    an = world.person()
    attempt = await finished_ranked(an)
    assert "sau khi vòng thi kết thúc" in an.text and "📖 Xem đáp án và giải thích" not in an.labels()
    await an.press(Review(attempt, 0))
    assert "Đáp án đúng" not in an.text and "sau khi vòng thi kết thúc" in an.text
    await an.tap("Kết quả của tôi")
    assert "sẽ có ở đây sau khi vòng thi kết thúc" in an.text and not any("Xem lại" in x for x in an.labels())


async def test_once_the_round_is_closed_the_whole_paper_is_reviewed_page_by_page(world: World, clock: Clock) -> None:
    an = world.person()
    attempt = await finished_ranked(an)
    await world.uses.rounds.close("chinh", by=Actor("cli"), now=clock())
    await an.say("/bxh")
    assert "Vòng này đã kết thúc lúc" in an.text and "1. 🥇 Giải Nhất: N. V. An (Xã Đông Sơn)" in an.text
    await an.tap("Kết quả của tôi")
    await an.tap("Xem lại bài")

    assert an.text.startswith("📖 Xem lại bài:") and "(trang 1/2)" in an.text
    assert len(re.findall(r"^Câu \d+/10: ", an.text, re.MULTILINE)) == 5
    assert an.text.count("📚 Nguồn:") == 5 and an.text.count("💡 ") == 5
    assert "✅ Bạn chọn" in an.text and "❌ Bạn chọn" in an.text
    await an.tap("Tiếp")
    assert "(trang 2/2)" in an.text and "Câu 10/10: " in an.text
    assert an.last.replies[0].replace  # pages turn in place

    binh = world.person("binh")
    await register(binh, phone="0987654321")
    await binh.press(Review(attempt, 0))  # someone else's paper
    assert "Không tìm thấy bài thi này." in binh.text


async def test_a_practice_paper_can_be_reviewed_at_once(world: World) -> None:
    an = world.person()
    await register(an)
    await an.tap("Thi ngay")
    await an.tap("Luyện tập")
    for _ in range(3):
        await an.press(an.right_key())
    await an.tap("Kết quả của tôi")
    await an.tap("Xem lại bài")
    assert "(trang 1/1)" in an.text and an.text.count("✅ Bạn chọn") == 3
