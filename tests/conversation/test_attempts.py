"""An attempt no stray tap can lose: handing in asks first, opening the chat again offers the attempt
back, a language switch keeps its keys, and the result says what happened."""
from __future__ import annotations

import pytest

from bot.state import MemoryStates
from conftest import Clock
from fakes import FakeUnitOfWork
from publishing import ADMIN
from quiz.attempts import Attempt, AttemptRace
from quiz.conversation.actions import Language
from quiz.conversation.state import ChatState
from quiz.integrity import Flag, FlagKind

from .conftest import World
from .people import Person, register


async def playing(person: Person, round_title: str = "Vòng chính", *, phone: str = "0912345678") -> int:
    await register(person, phone=phone)
    await person.tap("Thi ngay")
    await person.tap(lambda label: label == round_title)
    return person.answer_keys()[0].attempt


async def test_handing_in_asks_first_with_the_questions_left_and_the_time(world: World, clock: Clock) -> None:
    an = world.person()
    attempt = await playing(an)
    await an.press(an.right_key())
    clock.advance(seconds=75)
    await an.tap("Nộp bài")

    assert "Nộp bài ngay bây giờ?" in an.text and "còn 9/10 câu chưa trả lời" in an.text and "08:45" in an.text
    assert an.labels() == ["📤 Nộp bài", "↩️ Làm tiếp"]
    await an.tap("Làm tiếp")
    assert an.text.startswith("Câu 2/10")  # nothing was handed in
    attempt_now = await world.uses.play.attempt(attempt, now=clock())
    assert attempt_now is not None and attempt_now.finished_at is None


async def test_the_hand_in_key_sits_in_a_row_of_its_own_below_the_answers(world: World) -> None:
    an = world.person()
    await playing(an)
    rows = [[world.translator.text(b.label, "vi") for b in row] for row in an.last.replies[-1].buttons]
    assert rows == [["A", "B", "C"], ["D"], ["📤 Nộp bài"]]


async def test_opening_the_chat_again_offers_the_running_attempt_with_its_time_left(
        world: World, clock: Clock) -> None:
    an = world.person()
    await playing(an)
    await an.press(an.right_key())
    clock.advance(minutes=2)
    await an.start()  # a reload, a new tab, /start

    assert "Bạn đang làm dở bài «Vòng chính»: tới câu 2/10, còn 08:00." in an.text
    await an.tap("Làm tiếp")
    assert an.text.startswith("Câu 2/10")


async def test_after_a_restart_that_forgot_the_conversation_a_letter_or_the_prediction_still_counts(
        world: World) -> None:
    an = world.person()
    attempt = await playing(an)
    await an.press(an.right_key())
    world.states._states.clear()  # a restart without Redis or journal: the attempt is stored, the state is not
    await an.say(an.right_letter())
    assert an.text.startswith("Câu 3/10") and len(await world.uses.play.answers(attempt)) == 2
    for _ in range(8):
        await an.press(an.right_key())
    assert "dự đoán" in an.text
    world.states._states.clear()
    await an.say("1.250")
    assert "10/10 câu đúng" in an.text
    stored = await world.uses.play.attempt(attempt, now=world.clock())
    assert stored is not None and stored.prediction == 1250


async def test_switching_language_mid_attempt_shows_the_same_question_in_english_with_its_keys(
        world: World) -> None:
    an = world.person()
    await playing(an)
    await an.press(an.right_key())
    await an.press(Language("en"))  # the page's EN switch

    assert an.text.startswith("Question 2/10") and an.toast == "Language set to English."
    assert an.labels()[:4] == ["A", "B", "C", "D"] and an.labels()[-1] == "📤 Hand in"
    assert an.last.replies[-1].progress is not None  # the page keeps its countdown


async def test_a_letter_that_is_no_option_says_which_letters_are_and_free_text_gets_a_reminder(
        world: World) -> None:
    an = world.person()
    attempt = await playing(an)
    await an.say("E")
    assert an.text == "Câu 1 chỉ có các đáp án A, B, C, D. Mời bạn gõ lại hoặc bấm nút."
    await an.say("thoi gian thi la bao lau")
    assert an.text.startswith("Bạn đang làm câu 1/10 (còn 10:00).") and an.labels() == ["↩️ Xem lại câu hỏi"]
    await an.say("đáp án b")
    assert an.text.startswith("Câu 2/10") and await world.uses.play.answers(attempt) == {0: 1}


async def test_the_result_fits_it_a_perfect_paper_a_good_one_or_one_just_handed_in(world: World) -> None:
    an, binh = world.person("an"), world.person("binh")
    await playing(an)
    for _ in range(10):
        await an.press(an.right_key())
    await an.tap("Bỏ qua")
    assert an.text.startswith("🎉 Xuất sắc!") and "10/10" in an.text

    await playing(binh, phone="0987654321")  # a wrong answer, then handed in early
    await binh.say("A" if binh.right_letter() != "A" else "B")
    await binh.tap("Nộp bài")
    await binh.tap("📤 Nộp bài")
    await binh.tap("Bỏ qua")
    assert binh.text.startswith("📝 Bạn đã nộp bài.") and "0/10" in binh.text and "🎉" not in binh.text


async def test_a_participant_disqualified_in_the_round_is_told_their_result_is_not_ranked(
        world: World, clock: Clock) -> None:
    an, binh = world.person("an"), world.person("binh")
    await playing(binh, phone="0987654321")
    await binh.tap("Nộp bài")
    await binh.tap("📤 Nộp bài")
    await binh.tap("Bỏ qua")
    await playing(an)
    person = await an.participant()
    assert person is not None
    async with FakeUnitOfWork(world.memory) as uow:  # the integrity scan flags an; the organisers decide
        await uow.reviews.add(round_code="chinh", flags=[Flag(FlagKind.TOO_FAST, person.id, None)], now=clock())
        await uow.commit()
    review = (await world.uses.integrity.reviews("chinh"))[0].id
    organiser = await world.uses.staff.add(username="bantochuc", password="mật khẩu đủ dài 2024",
                                           role="organiser", by=ADMIN, now=clock())
    await world.uses.integrity.decide(review_id=review, status="disqualified", user_id=organiser.id, by=ADMIN,
                                      now=clock(), reason="Trả lời quá nhanh")
    for _ in range(10):
        await an.press(an.right_key())
    await an.tap("Bỏ qua")
    assert "10/10 câu đúng" in an.text and "Xếp hạng hiện tại" not in an.text
    assert "Kết quả này không được xếp hạng: Ban Tổ chức đã loại bạn khỏi bảng xếp hạng" in an.text
    await binh.start()  # binh, ranked alone, keeps their place
    await binh.tap("Thi ngay")
    await binh.tap("Vòng chính")
    await binh.tap("Nộp bài")
    await binh.tap("📤 Nộp bài")
    await binh.tap("Bỏ qua")
    assert "Xếp hạng hiện tại: 1/1" in binh.text


async def test_time_running_out_while_away_is_said_when_the_citizen_comes_back(world: World, clock: Clock) -> None:
    an = world.person()
    await playing(an)
    await an.press(an.right_key())
    clock.advance(minutes=30)
    await an.start()
    assert "⏰ Hết giờ! Bài đã được nộp tự động với 1/10 câu đã trả lời." in an.text
    assert "1/10 câu đúng" in an.text


async def test_a_practice_attempt_is_called_practice_everywhere(world: World) -> None:
    an = world.person()
    await register(an)
    await an.tap("Thi ngay")
    assert an.labels() == ["Vòng chính", "Luyện tập", "⬅️ Menu"]
    await an.tap("Luyện tập")
    for _ in range(3):
        await an.press(an.right_key())
    assert "Luyện tập: 3/3 câu đúng" in an.text
    await an.tap("Kết quả của tôi")
    assert "• Luyện tập –" in an.text and "(luyện tập)" not in an.text


class _CountedStates(MemoryStates):
    """The conversation state store, counting writes (each a round trip when the store is Redis)."""

    writes = 0

    async def set(self, key: str, state: ChatState) -> None:
        self.writes += 1
        await super().set(key, state)


async def test_answers_that_leave_the_flow_where_it_was_write_no_state(world: World) -> None:
    counted = world.dispatcher.states = _CountedStates()
    an = world.person()
    await playing(an)
    before = counted.writes
    for _ in range(3):
        await an.press(an.right_key())
    assert an.text.startswith("Câu 4/10")
    assert counted.writes == before  # the state still says "playing": nothing to write
    await an.tap("Nộp bài")
    await an.tap("Nộp bài")  # handed in: the flow moves on (the prediction), written for every worker to see
    assert counted.writes == before + 1


async def test_starts_that_keep_losing_to_others_at_the_same_moment_ask_to_tap_again_not_a_made_up_limit(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Other starts with the citizen's number (another registration, another device) take the place first three
    times running: the citizen is asked to tap again, not told of a cap that was never reached."""
    an = world.person()
    await register(an, phone="0912345678")

    class AlwaysLosing:
        async def draw(self, **_: object) -> Attempt | int:
            raise AttemptRace(1)
    monkeypatch.setattr(world.uses.play, "_draws", AlwaysLosing())
    await an.tap("Thi ngay")
    await an.tap(lambda label: label == "Vòng chính")
    assert "đến cùng lúc" in an.text and "bấm «📝 Thi ngay» lần nữa" in an.text
    assert "dùng hết" not in an.text
    assert "📝 Thi ngay" in an.labels()  # the menu, to tap again
