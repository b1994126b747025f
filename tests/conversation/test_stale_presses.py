"""One rule for a stale or repeated press: the answer is always where the conversation really is,
with what was recorded for the pressed question. Nobody is left on a frozen screen."""
from __future__ import annotations

from dataclasses import replace

from conftest import Clock
from quiz.conversation.actions import (
    Answer,
    Confirm,
    Consent,
    Data,
    DataItem,
    Menu,
    MenuItem,
    SkipPrediction,
    Submit,
    UnitPick,
)
from quiz.conversation.messages import Press

from .conftest import World
from .people import Person, agree, register


async def started(person: Person, round_title: str = "Vòng chính") -> None:
    await register(person)
    await person.tap("Thi ngay")
    await person.tap(lambda label: label == round_title)
    assert person.text.startswith("Câu 1/"), person.text


async def test_a_tap_whose_reply_was_lost_then_another_shows_the_next_question_and_what_was_kept(
        world: World) -> None:
    an = world.person()
    await started(an)
    first = an.right_key()
    other = replace(first, choice=(first.choice + 1) % 4)
    await an.press(first)  # stored; the reply never reached the phone
    await an.press(other)  # the screen still showed question 1

    assert an.text.startswith("Câu 2/10")
    assert an.toast == f"Câu 1 đã ghi nhận đáp án {'ABCD'[first.choice]}"
    assert an.last.chosen == first  # the page marks what was kept, not the key tapped
    assert await world.uses.play.answers(first.attempt) == {0: first.choice}


async def test_a_second_tab_still_on_an_earlier_question_catches_up_with_the_first(world: World) -> None:
    an = world.person()
    await started(an)
    old_keys = an.answer_keys()  # what the second tab keeps showing
    for _ in range(3):
        await an.press(an.right_key())
    await an.press(old_keys[2])

    assert an.text.startswith("Câu 4/10") and an.toast is not None and an.toast.startswith("Câu 1 đã ghi nhận")
    assert len(await world.uses.play.answers(old_keys[0].attempt)) == 3


async def test_a_button_of_an_earlier_attempt_brings_back_the_attempt_running_now(world: World) -> None:
    an = world.person()
    await started(an)
    await an.press(an.right_key())
    old = an.answer_keys()[0]
    await an.tap("Nộp bài")
    await an.tap("📤 Nộp bài")
    await an.tap("Bỏ qua")
    await an.tap("Thi ngay")
    await an.tap("Vòng chính")
    await an.press(old)

    assert an.last.stale and an.toast == "Bài thi đã kết thúc"
    assert an.text.startswith("Câu 1/10")  # the new attempt, untouched
    assert len(await world.uses.play.answers(old.attempt)) == 1


async def test_a_button_of_a_finished_attempt_shows_its_result(world: World) -> None:
    an = world.person()
    await started(an, "Luyện tập")
    keys = an.answer_keys()
    for _ in range(3):
        await an.press(an.right_key())
    assert "Luyện tập: 3/3 câu đúng" in an.text
    await an.press(keys[0])
    assert "3/3 câu đúng" in an.text and an.toast == "Bài thi đã kết thúc"


async def test_an_answer_after_the_deadline_shows_the_result_and_says_time_ran_out(
        world: World, clock: Clock) -> None:
    an = world.person()
    await started(an)
    await an.press(an.right_key())
    clock.advance(minutes=11)
    await an.press(an.right_key())

    assert an.toast == "Đã hết giờ"
    assert "⏰ Hết giờ! Bài đã được nộp tự động với 1/10 câu đã trả lời." in an.text
    assert "Câu hỏi dự đoán đóng lại cùng lúc hết giờ" in an.text
    assert "🎉" not in an.text


async def test_an_old_yes_to_news_in_the_middle_of_registering_carries_on_at_the_same_step(world: World) -> None:
    an = world.person()
    await an.start()
    await agree(an)
    await an.say("Nguyễn Văn An")
    await an.say("1990")
    assert "Bước 3/4" in an.text
    await an.press(Consent("news", yes=True))  # the earlier question's button, still on screen

    assert "Bước 3/4" in an.text and "Bước 1/4" not in an.text
    assert an.last.replies[-1].request_contact and an.toast == "Đã ghi nhận"
    await an.say("0912345678")
    assert "Bước 4/4" in an.text


async def test_buttons_of_a_finished_registration_change_nothing_and_show_the_menu(world: World) -> None:
    an = world.person()
    await register(an)
    for old in (Confirm(ok=True), Confirm(ok=False), UnitPick("T-B-1")):
        await an.press(old)
        assert an.last.stale and an.toast == "Nút đã hết hiệu lực" and "📝 Thi ngay" in an.labels()
    person = await an.participant()
    assert person is not None and person.unit_code == "T-A-1"


async def test_someone_elses_or_a_made_up_attempt_is_refused_with_the_real_screen(world: World) -> None:
    an, binh = world.person("an"), world.person("binh")
    await started(an)
    await register(binh, name="Trần Thị Bình", phone="0987654321")
    key = an.right_key()
    for forged in (key, Answer(999, 0, 0), Submit(key.attempt), SkipPrediction(key.attempt)):
        await binh.press(forged)
        assert binh.last.stale and "📝 Thi ngay" in binh.labels()
    assert await world.uses.play.answers(key.attempt) == {}


async def test_an_old_delete_button_deletes_nothing(world: World) -> None:
    an = world.person()
    await register(an)
    await an.press(Data(DataItem.ERASE_CONFIRMED))
    assert an.last.stale
    person = await an.participant()
    assert person is not None and not person.erased


async def test_an_old_hand_in_or_skip_of_a_finished_attempt_shows_its_result(world: World) -> None:
    an = world.person()
    await started(an)
    attempt = an.answer_keys()[0].attempt
    await an.tap("Nộp bài")
    await an.tap("📤 Nộp bài")
    await an.tap("Bỏ qua")
    assert "0/10" in an.text
    for old in (Submit(attempt), SkipPrediction(attempt)):
        await an.press(old)
        assert "0/10 câu đúng" in an.text


async def test_every_stale_press_is_answered_in_a_group_without_moving_the_private_flow(world: World) -> None:
    an = world.person()
    await an.start()
    await agree(an)
    await an.say("Nguyễn Văn An")
    handled = await world.dispatcher.handle(an.who, Press(an.button("Tôi đồng ý")), public=True)
    assert handled.outcome.replies
    await an.say("1990")  # the private chat goes on at the step it was on
    assert "Bước 3/4" in an.text and an.last.replies[-1].request_contact
    handled = await world.dispatcher.handle(an.who, Press(Menu(MenuItem.LEADERBOARD)), public=True)
    assert not handled.outcome.closes_contact  # the group is not told to take away a keyboard it never had
