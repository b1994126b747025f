"""Reading the rules, tips and leaderboard, by buttons or by typing menu words and greetings, never
moves a citizen out of what they were doing."""
from __future__ import annotations

from quiz.conversation.actions import ShowTip

from .conftest import World
from .people import agree, register


async def test_menu_words_and_greetings_typed_as_text_do_what_their_buttons_do(world: World) -> None:
    an = world.person()
    await register(an)
    await an.say("the le")
    assert an.text.startswith("📜 Thể lệ Cuộc thi thử nghiệm")
    await an.say("📜 Thể lệ")
    assert an.text.startswith("📜 Thể lệ Cuộc thi thử nghiệm")
    await an.say("Xin chào!")
    assert an.text.startswith("Chào mừng bạn trở lại với Cuộc thi thử nghiệm!")
    await an.say("thi ngay")
    assert an.text == "Chọn vòng thi:"
    await an.say("menu")
    assert an.text == "Bạn muốn làm gì tiếp theo?"
    await an.say("english")
    assert "Language set to English." in an.text


async def test_reading_in_the_middle_of_registering_keeps_the_step_and_offers_the_way_back(world: World) -> None:
    an = world.person()
    await an.start()
    await agree(an)
    await an.say("Nguyễn Văn An")
    await an.say("/thele")
    assert an.labels()[-2:] == ["↩️ Tiếp tục", "⬅️ Menu"]
    await an.say("1990")  # still the birth year step
    assert "Bước 3/4" in an.text


async def test_tips_come_in_turn_without_a_repeat_until_all_have_been_shown(world: World) -> None:
    an = world.person()
    await an.start()
    count = len(world.uses.live.runtime.tips)
    shown = []
    for _ in range(count):
        await an.press(ShowTip())
        shown.append(an.text)
    assert len(set(shown)) == count and f"Mẹo {count}/{count}" in shown[-1]
    await an.press(ShowTip())
    assert "Mẹo 1/" in an.text  # a new round of them


async def test_namesakes_in_one_commune_are_told_apart_by_their_candidate_numbers(world: World) -> None:
    an, other = world.person("an"), world.person("an2")
    for person, phone in ((an, "0912345678"), (other, "0987654321")):
        await register(person, phone=phone)
        await person.tap("Thi ngay")
        await person.tap("Vòng chính")
        for _ in range(10):
            await person.press(person.right_key())
        await person.tap("Bỏ qua")
    await an.say("/bxh")
    assert "N. V. An (SBD 000" in an.text and an.text.count("N. V. An (SBD") == 2
