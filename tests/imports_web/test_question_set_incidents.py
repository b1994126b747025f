"""The two incidents that damaged a live contest, replayed through the dashboard: they cannot happen again.

1. A file without a "Mã" column, edited (a row inserted at the top, rows sorted), used to re-key every
   question by row and regrade hundreds of answers against the wrong questions.
2. A 10-question file published over the live 15-question set made every "Thi ngay" fail."""
from __future__ import annotations

import re
from typing import Any

from admin.conftest import Visitor
from bot.compose import App

from .files import NEW, SET, fixture_questions, rekeyed, workbook
from .play import answered_practice_with
from .site import upload
from .test_upload_page import PUBLISH_FORM, stored_versions


def summary(text: str) -> dict[str, int]:
    return {kind: int(n) for kind, n in re.findall(r'<tr><td>([^<]+)</td><td class="num">(\d+)</td></tr>', text)}


async def publish(admin_: Visitor) -> None:
    form = PUBLISH_FORM.search(admin_.text)
    assert form is not None, admin_.text[-2000:]
    token = re.search(r'name="token" value="([^"]+)"', form.group(1))
    assert token is not None
    live = re.findall(r'name="confirm" value="([^"]+)"', form.group(1))
    response = await admin_.post("/admin/import/publish", [("token", token.group(1)),
                                                           *(("confirm", code) for code in live)])
    assert response.status == 200, admin_.text[-2000:]


async def test_a_row_inserted_at_the_top_of_a_file_without_ids_is_one_question_added(
        app: App, clock: Any, admin_: Visitor) -> None:
    played = await answered_practice_with(app, clock, "q-003")
    await admin_.get("/admin/import")
    await upload(admin_, workbook([NEW, *fixture_questions()], ids=False), "bo-cau-hoi.xlsx", set_name=SET)
    assert summary(admin_.text) == {"Thêm": 1, "Bỏ": 0, "Sửa nội dung": 0, "Đổi đáp án đúng": 0}
    assert "Ứng dụng nào dùng để định danh điện tử?" in admin_.text, "the new question is shown in full"
    await publish(admin_)
    assert "Không có bài thi nào" in admin_.text or "chấm lại" not in admin_.text
    assert (await app.play.attempt(played.id, now=clock())).correct == played.correct  # type: ignore[union-attr]
    assert app.runtime.sets[SET].by_id()["q-003"].text == fixture_questions()[2].text, "q-003 is still q-003"


async def test_sorted_rows_without_ids_change_nothing(app: App, admin_: Visitor) -> None:
    await admin_.get("/admin/import")
    shuffled = sorted(fixture_questions(), key=lambda q: q.text[::-1])
    await upload(admin_, workbook(shuffled, ids=False), "bo-cau-hoi-da-sap-xep.xlsx", set_name=SET)
    assert summary(admin_.text) == {"Thêm": 0, "Bỏ": 0, "Sửa nội dung": 0, "Đổi đáp án đúng": 0}
    assert "Nội dung giống hệt phiên bản đang dùng" in admin_.text


async def test_a_smaller_file_over_a_live_set_is_refused_and_play_goes_on(app: App, clock: Any,
                                                                         admin_: Visitor) -> None:
    await admin_.get("/admin/import")
    response = await upload(admin_, workbook(fixture_questions()[:9]), "chi-9-cau.xlsx", set_name=SET)
    assert response.status == 422 and "/admin/import/publish" not in admin_.text
    assert "Vòng «Vòng chính» đang dùng bộ câu hỏi này: mỗi lượt cần 10 câu nhưng tệp chỉ có 9 câu" in admin_.text
    assert await stored_versions(app) == 1
    pid = (await answered_practice_with(app, clock, "q-001")).participant_id
    assert len((await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())).paper) == 10


async def test_a_wrong_key_rolled_back_brings_every_score_back_exactly(app: App, clock: Any,
                                                                      admin_: Visitor) -> None:
    played = await answered_practice_with(app, clock, "q-003")
    before = await app.play.attempt(played.id, now=clock())
    questions = fixture_questions()
    questions[2] = rekeyed(questions[2], 1)  # a wrong key for q-003
    await admin_.get("/admin/import")
    await upload(admin_, workbook(questions), "sai-dap-an.xlsx", set_name=SET)
    await publish(admin_)
    assert "Đã chấm lại 1 câu trả lời trong 1 bài thi." in admin_.text
    assert (await app.play.attempt(played.id, now=clock())).correct == before.correct - 1  # type: ignore[union-attr]

    await admin_.get(f"/admin/sets/{SET}")
    assert "sai-dap-an.xlsx" in admin_.text and "quantri" in admin_.text
    await admin_.post(f"/admin/sets/{SET}/1/restore")
    assert "Khôi phục bộ «bo-thu» về nội dung của phiên bản 1" in admin_.text
    assert summary(admin_.text)["Đổi đáp án đúng"] == 1
    await publish(admin_)
    assert "Đã xuất bản «bo-thu» phiên bản 3" in admin_.text
    assert await app.play.attempt(played.id, now=clock()) == before
    assert app.runtime.sets[SET].questions == tuple(fixture_questions())
