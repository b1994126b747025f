"""An admin sends the official question file to the bot: problems by row, or the diff and a publish button."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from bot.compose import App
from bot.storage import tables as t
from quiz.imports import MAX_FILE_BYTES

from .conftest import Admin, FilesTelegram
from .files import SET, fixture_questions, version_two, with_a_bad_row, workbook
from .play import answered_practice_with


async def stored_versions(app: App) -> int:
    async with app.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(t.question_sets))).scalar_one())


async def test_a_file_with_a_bad_row_gets_that_row_and_why_and_nothing_is_stored(
        app: App, person: Callable[..., Admin]) -> None:
    admin = person()
    await admin.send_file(with_a_bad_row(), "bo-cau-hoi.xlsx")

    reply = admin.screen.last
    assert "Tệp không hợp lệ: 1 lỗi. Không có gì được lưu." in reply.text
    assert "bo-cau-hoi.xlsx dòng 6 (STT 5): Đáp án đúng «E» không hợp lệ" in reply.text
    assert reply.buttons == []
    assert await stored_versions(app) == 1 and app.runtime.sets[SET].version == 1


async def test_the_fixed_file_is_published_on_the_press_and_served_at_once(
        app: App, clock: Any, person: Callable[..., Admin]) -> None:
    played = await answered_practice_with(app, clock, "q-003")  # answered right under the old key
    admin = person()
    await admin.send_file(workbook(version_two()), "bo-cau-hoi.xlsx", caption=SET)

    dry_run = admin.screen.last
    assert "16 câu hỏi hợp lệ cho bộ «bo-thu»" in dry_run.text
    assert "So với phiên bản 1: thêm 1, bỏ 0, sửa 1 câu." in dry_run.text
    assert "Đổi đáp án đúng: q-003" in dry_run.text
    assert [b["text"] for b in dry_run.buttons[0]] == ["✅ Xuất bản (đang dùng cho Vòng chính, Luyện tập)", "Huỷ"]
    assert "Bộ câu hỏi này đang dùng cho: Vòng chính, Luyện tập." in dry_run.text
    assert await stored_versions(app) == 1, "a dry run stores nothing"

    await admin.tap("Xuất bản")

    done = admin.screen.last
    assert done.message_id == dry_run.message_id and done.buttons == [], "the buttons are gone once pressed"
    assert "Đã xuất bản «bo-thu» phiên bản 2 (16 câu)" in done.text
    assert "Đã chấm lại 1 câu trả lời trong 1 bài thi." in done.text
    assert app.runtime.sets[SET].version == 2
    attempt = await app.play.start_attempt(participant_id=played.participant_id, round_code="luyen", now=clock())
    assert attempt.set_version == 2, "the running service draws from the new version"
    regraded = await app.play.attempt(played.id, now=clock())
    assert regraded is not None and regraded.correct == played.correct - 1


async def test_cancel_stores_nothing_and_the_old_button_then_says_so(app: App, person: Callable[..., Admin]) -> None:
    admin = person()
    await admin.send_file(workbook(version_two()), "v2.xlsx")
    message_id, publish = admin.screen.button("Xuất bản")
    await admin.tap("Huỷ")
    assert "Đã huỷ, không có gì được lưu." in admin.screen.last.text

    await admin.press(message_id, publish)
    assert admin.screen.toasts()[-1] == "Bản kiểm tra này đã hết hạn hoặc bộ câu hỏi vừa thay đổi. Hãy gửi lại tệp " \
                                        "để kiểm tra lại."
    assert await stored_versions(app) == 1


async def test_someone_else_cannot_press_the_admins_publish_button(app: App, person: Callable[..., Admin]) -> None:
    admin, other = person(), person(user_id=1234)
    await admin.send_file(workbook(version_two()), "v2.xlsx")
    message_id, publish = admin.screen.button("Xuất bản")

    await other.press(message_id, publish)

    assert other.screen.toasts()[-1] == "Chỉ quản trị viên mới xuất bản được bộ câu hỏi."
    assert await stored_versions(app) == 1


async def test_a_citizens_document_gets_the_usual_polite_hint(app: App, person: Callable[..., Admin],
                                                               fake: FilesTelegram) -> None:
    citizen = person(user_id=1234)
    await citizen.send_file(workbook(version_two()), "v2.xlsx")
    assert "tôi chỉ đọc được tin nhắn chữ và các nút bấm" in citizen.screen.last.text
    assert fake.downloads == [] and await stored_versions(app) == 1


async def test_a_file_over_the_limit_is_not_downloaded(app: App, person: Callable[..., Admin],
                                                       fake: FilesTelegram) -> None:
    admin = person()
    await admin.send_file(b"x", "lon.xlsx", declared=MAX_FILE_BYTES + 1)
    assert "lớn quá 5 MB nên không được đọc" in admin.screen.last.text
    assert fake.downloads == []


async def test_the_same_content_again_publishes_no_new_version(app: App, person: Callable[..., Admin]) -> None:
    admin = person()
    await admin.send_file(workbook(fixture_questions()), "v1.xlsx")
    assert "Nội dung giống hệt phiên bản hiện tại." in admin.screen.last.text
    await admin.tap("Xuất bản")
    assert "Không có thay đổi: «bo-thu» vẫn là phiên bản 1." in admin.screen.last.text
    assert await stored_versions(app) == 1
