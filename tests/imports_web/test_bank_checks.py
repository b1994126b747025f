"""The bank checks where admins read them: in the dry run of a file (publishing stays possible) and on
each set's page."""
from __future__ import annotations

import re
from dataclasses import replace

from admin.conftest import Visitor
from bot.compose import App

from .files import SET, fixture_questions, workbook
from .site import upload


def long_keys() -> bytes:
    """The fixture set with every right option made the longest by far."""
    return workbook([replace(q, options=(f"{q.options[0]}, đầy đủ và đúng theo quy định hiện hành", *q.options[1:]))
                     for q in fixture_questions()])


async def test_a_dry_run_names_answers_shown_by_their_length_and_still_offers_to_publish(
        app: App, admin_: Visitor) -> None:
    await admin_.get("/admin/import")
    await upload(admin_, long_keys(), "dap-an-dai.xlsx")

    section = re.search(r'<section class="bank-checks">(.*?)</section>', admin_.text, re.S)
    assert section is not None
    assert "Luôn chọn phương án dài nhất: đúng khoảng 100% (chọn ngẫu nhiên: 25%)" in section.group(1)
    assert "15 câu có đáp án đúng dài nhất" in section.group(1)
    assert "<td>q-007</td><td>Đáp án đúng là phương án dài nhất (" in section.group(1)
    assert 'action="/admin/import/publish"' in admin_.text, "findings never stop a publication"


async def test_a_sets_page_shows_what_the_checks_find_in_the_version_served(app: App, admin_: Visitor) -> None:
    await admin_.get(f"/admin/sets/{SET}")
    section = re.search(r'<section class="bank-checks">(.*?)</section>', admin_.text, re.S)
    assert section is not None
    assert f"Kiểm tra ngân hàng câu hỏi «{SET} v1»: 15 câu" in section.group(1)
    assert "Luôn chọn phương án dài nhất: đúng khoảng 0%" in section.group(1)
