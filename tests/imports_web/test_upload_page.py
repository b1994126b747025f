"""/admin/import: an admin uploads the official file, reads the problems by row, fixes it and publishes."""
from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import func, select

from admin.conftest import Visitor
from bot.compose import App
from bot.storage import tables as t

from .files import SET, version_two, with_a_bad_row, workbook
from .play import answered_practice_with
from .site import upload

PUBLISH_FORM = re.compile(r'<form method="post" action="/admin/import/publish"[^>]*>(.*?)</form>', re.S)


async def stored_versions(app: App) -> int:
    async with app.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(t.question_sets))).scalar_one())


async def test_a_file_with_one_bad_row_shows_that_row_and_why_and_stores_nothing(app: App, admin_: Visitor) -> None:
    await admin_.get("/admin/import")
    assert 'enctype="multipart/form-data"' in admin_.text and "An toàn thông tin (an-toan)" in admin_.text

    response = await upload(admin_, with_a_bad_row(), "bo-cau-hoi-tuan-2.xlsx")

    assert response.status == 422
    assert "Tệp «bo-cau-hoi-tuan-2.xlsx» có 1 lỗi. Không có gì được lưu" in admin_.text
    row = re.search(r"<tr><td>bo-cau-hoi-tuan-2.xlsx</td><td>(.*?)</td><td>(.*?)</td></tr>", admin_.text)
    assert row is not None and row.groups() == ("dòng 6 (STT 5)", "Đáp án đúng «E» không hợp lệ: phải là một chữ cái "
                                                                "trong ABCD.")
    assert "/admin/import/publish" not in admin_.text
    assert await stored_versions(app) == 1 and app.runtime.sets[SET].version == 1


async def test_the_fixed_file_becomes_version_two_and_the_running_service_serves_it(
        app: App, clock: Any, admin_: Visitor) -> None:
    played = await answered_practice_with(app, clock, "q-003")
    await admin_.get("/admin/import")
    await upload(admin_, workbook(version_two()), "bo-cau-hoi-tuan-2.xlsx")

    assert "16 câu hỏi hợp lệ cho bộ «bo-thu». So với phiên bản 1 đang dùng:" in admin_.text
    diff = re.findall(r'<tr><td>([^<]+)</td><td class="num">(\d+)</td></tr>', admin_.text)
    assert diff == [("Thêm", "1"), ("Bỏ", "0"), ("Sửa nội dung", "1"), ("Đổi đáp án đúng", "1")]
    assert '<td>A. Đúng 3</td><td>B. Sai một 3</td><td class="num">1</td>' in admin_.text, \
        "old and new correct answer side by side, and the answers it regrades"
    form = PUBLISH_FORM.search(admin_.text)
    assert form is not None
    fields = re.findall(r'<input type="hidden" name="([^"]+)"', form.group(1))
    assert fields == ["csrf_token", "token"] and 'type="file"' not in form.group(1), "a reference, not the file"
    live = re.findall(r'<input type="checkbox" name="confirm" value="([^"]+)" required>', form.group(1))
    assert live == ["chinh", "luyen"], "each round using the set is named for confirmation"
    assert await stored_versions(app) == 1, "the dry run stored nothing"

    token = re.search(r'name="token" value="([^"]+)"', form.group(1))
    assert token is not None
    refused = await admin_.post("/admin/import/publish", {"token": token.group(1)})
    assert refused.status == 409 and "Hãy đánh dấu xác nhận" in admin_.text and await stored_versions(app) == 1
    response = await admin_.post("/admin/import/publish", {"token": token.group(1), "confirm": "chinh"})
    assert response.status == 409 and await stored_versions(app) == 1, "every live round, not one of them"
    response = await admin_.post("/admin/import/publish", [("token", token.group(1)), ("confirm", "chinh"),
                                                           ("confirm", "luyen")])

    assert response.status == 200
    assert "Đã xuất bản «bo-thu» phiên bản 2 (16 câu)." in admin_.text
    assert "Đã chấm lại 1 câu trả lời trong 1 bài thi." in admin_.text
    assert await stored_versions(app) == 2 and app.runtime.sets[SET].version == 2
    attempt = await app.play.start_attempt(participant_id=played.participant_id, round_code="luyen", now=clock())
    assert attempt.set_version == 2
    regraded = await app.play.attempt(played.id, now=clock())
    assert regraded is not None and regraded.correct == played.correct - 1

    await admin_.post("/admin/import/publish", {"token": token.group(1)})
    assert "đã hết hạn" in admin_.text and await stored_versions(app) == 2, "the same form twice publishes once"


async def test_another_admin_cannot_publish_someone_elses_dry_run(app: App, admin_: Visitor,
                                                                   browsers: Any) -> None:
    from .site import signed_in
    await admin_.get("/admin/import")
    await upload(admin_, workbook(version_two()), "v2.xlsx")
    token = re.search(r'name="token" value="([^"]+)"', admin_.text)
    assert token is not None
    other = await signed_in(app, browsers, "quantri2", "admin")
    await other.get("/admin/import")
    response = await other.post("/admin/import/publish", {"token": token.group(1)})
    assert response.status == 409 and await stored_versions(app) == 1


async def test_an_aiken_file_with_a_default_topic_makes_a_new_set(app: App, admin_: Visitor) -> None:
    aiken = "\n\n".join(
        f"Câu hỏi Aiken số {n} về dịch vụ công trực tuyến?\nA. Đúng {n}\nB. Sai {n}\nC. Sai nữa {n}\nANSWER: A"
        for n in range(1, 4)).encode()
    await admin_.get("/admin/import")
    await upload(admin_, aiken, "moodle.txt", set_name="bo-moi", topic="an-toan")
    assert "3 câu hỏi hợp lệ cho bộ «bo-moi». So với bộ mới (chưa có phiên bản nào):" in admin_.text
    token = re.search(r'name="token" value="([^"]+)"', admin_.text)
    assert token is not None
    await admin_.post("/admin/import/publish", {"token": token.group(1)})
    assert "Đã xuất bản «bo-moi» phiên bản 1 (3 câu)." in admin_.text
    new_set = app.runtime.sets["bo-moi"]
    assert {q.topic for q in new_set.questions} == {"an-toan"}


async def test_a_file_over_5_mb_is_refused_unread(app: App, admin_: Visitor) -> None:
    await admin_.get("/admin/import")
    response = await upload(admin_, b"x" * (5 * 1024 * 1024 + 1), "qua-lon.csv")
    assert response.status == 413 and "lớn hơn 5 MB nên không được đọc" in admin_.text
    assert await stored_versions(app) == 1


async def test_a_file_over_the_web_apps_own_limit_gets_the_dashboards_page_not_a_raw_one(
        app: App, admin_: Visitor) -> None:
    await admin_.get("/admin/import")
    response = await upload(admin_, b"x" * (6 * 1024 * 1024), "rat-lon.xlsx")
    assert response.status == 413 and "Tệp gửi lên lớn hơn 5 MB nên không được đọc" in admin_.text
    assert "Maximum request body size" not in admin_.text and await stored_versions(app) == 1


async def test_the_template_carries_the_contests_topics(admin_: Visitor) -> None:
    await admin_.get("/admin/import")
    assert 'href="/admin/import/template.xlsx"' in admin_.text and "Tải tệp mẫu (XLSX)" in admin_.text
    response = await admin_.get("/admin/import/template.xlsx")
    assert response.status == 200 and "mau-cau-hoi.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(await response.read()))
    topics = [tuple(r) for r in book["Chủ đề"].iter_rows(min_row=2, values_only=True)]
    assert topics == [("vneid", "VNeID"), ("an-toan", "An toàn thông tin")]
    assert [c.value for c in book["Câu hỏi"][1]][:2] == ["STT", "Câu hỏi"]


async def test_organisers_cannot_import(app: App, organiser_: Visitor) -> None:
    await organiser_.get("/admin/")
    assert "/admin/import" not in organiser_.text, "no link for organisers"
    for path in ("/admin/import", "/admin/import/template.xlsx"):
        response = await organiser_.get(path)
        assert response.status == 403 and "chỉ dành cho quản trị viên" in organiser_.text
    response = await upload(organiser_, workbook(version_two()), "v2.xlsx")
    assert response.status == 403
    response = await organiser_.post("/admin/import/publish", {"token": "x"})
    assert response.status == 403 and await stored_versions(app) == 1


async def test_an_upload_or_publish_without_the_csrf_token_is_refused(app: App, admin_: Visitor) -> None:
    await admin_.get("/admin/import")
    response = await upload(admin_, workbook(version_two()), "v2.xlsx", csrf=False)
    assert response.status == 403 and "thiếu mã xác thực CSRF" in admin_.text
    await admin_.get("/admin/import")
    await upload(admin_, workbook(version_two()), "v2.xlsx")
    token = re.search(r'name="token" value="([^"]+)"', admin_.text)
    assert token is not None
    response = await admin_.post("/admin/import/publish", {"token": token.group(1)}, csrf=False)
    assert response.status == 403 and await stored_versions(app) == 1
    response = await admin_.post("/admin/import/publish", {"token": token.group(1), "csrf_token": "forged"},
                                 csrf=False)
    assert response.status == 403 and await stored_versions(app) == 1


async def test_anonymous_visitors_get_the_login_page(browsers: Any) -> None:
    anonymous = browsers()
    response = await anonymous.get("/admin/import")
    assert response.url.path == "/admin/login"
