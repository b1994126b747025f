"""Tried as a citizen on a phone with a flaky network, a second tab and a reload at every step: nobody is
stuck and no attempt is lost to a stray tap. Each screen is kept at 390×844 and 320×568 in artifacts/."""
from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, Route, expect

from bot.compose import build
from bot.config import Settings
from conftest import PG_URL, Clock
from pg import database_down, emptied

from .conftest import ARTIFACTS, serving
from .test_web_chat import register, tap, type_line

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_PACK = ROOT / "tests" / "fixtures" / "pack"
HA_GIANG = ROOT / "content" / "ha-giang"
PHONE, SMALL = {"width": 390, "height": 844}, {"width": 320, "height": 568}


@asynccontextmanager
async def served(tmp_path: Path, *, pack: Path = FIXTURE_PACK, clock: Clock | None = None,
                 **settings: Any) -> AsyncIterator[str]:
    """The whole web app on 127.0.0.1, on a fresh SQLite file, with the given pack, clock and settings."""
    config = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/db.sqlite", contest_pack=pack,
                      web_secret="test", redis_url=None, **settings)
    application = await build(config, migrate=True, clock=clock or Clock(datetime.now(UTC)), rng=random.Random(5))
    async with serving(application) as url:
        yield url


async def phone(browser: Browser, url: str) -> Page:
    context = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                        locale="vi-VN")
    page = await context.new_page()
    await page.goto(url + "/")
    return page


async def snap(page: Page, name: str) -> None:
    """The screen as it is, on a 390×844 phone and on a small 320×568 one."""
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"stranded-{name}-390.png"))
    await page.set_viewport_size(SMALL)
    await page.locator(".log > *").last.scroll_into_view_if_needed()  # as the page shows news on a small phone
    await page.screenshot(path=str(ARTIFACTS / f"stranded-{name}-320.png"))
    await page.set_viewport_size(PHONE)


async def start_round(page: Page, title: str = "Vòng chính") -> None:
    await register(page)
    await tap(page, "📝 Thi ngay")
    await tap(page, title)
    await expect(page.locator("#position")).to_have_text(re.compile(r"Câu 1/\d+"))


async def right_letter(page: Page) -> str:
    text = await page.locator(".msg.question").last.inner_text()
    found = re.search(r"^([A-F])\. Đúng", text, re.MULTILINE)
    assert found, text
    return found.group(1)


def key(page: Page, letter: str) -> Any:
    return page.locator(".msg.question").last.get_by_role("button", name=letter, exact=True)


async def test_a_lost_reply_then_a_second_tap_shows_the_next_question_and_the_answer_kept(
        browser: Browser, tmp_path: Path) -> None:
    async with served(tmp_path) as url:
        page = await phone(browser, url)
        await start_round(page)
        right = await right_letter(page)
        other = "A" if right != "A" else "B"
        lost: list[str] = []

        async def lose_the_first_reply(route: Route) -> None:
            if not lost:
                lost.append(route.request.post_data or "")
                await route.fetch()  # the server stores the answer…
                await route.abort("connectionreset")  # …and the reply never arrives
            else:
                await route.continue_()

        await page.route("**/api/chat/send", lose_the_first_reply)
        await key(page, right).click()
        await expect(page.get_by_text("Không kết nối được máy chủ", exact=False)).to_be_visible()
        await expect(key(page, right)).not_to_have_class(re.compile("chosen"))
        await key(page, other).click()  # the same question, still on screen

        await expect(page.locator("#position")).to_have_text("Câu 2/10")
        await expect(page.locator("#toast")).to_have_text(f"Câu 1 đã ghi nhận đáp án {right}")
        await expect(page.locator(".msg.question")).to_have_count(1)
        await snap(page, "lost-reply")


@pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set")
async def test_the_database_out_of_reach_for_a_moment_says_try_again_and_the_next_tap_carries_on(
        browser: Browser) -> None:
    assert PG_URL
    await emptied(PG_URL)
    config = Settings(database_url=PG_URL, contest_pack=FIXTURE_PACK, web_secret="test", redis_url=None)
    async with serving(await build(config, migrate=True, rng=random.Random(5))) as url:
        page = await phone(browser, url)
        await start_round(page)
        right = await right_letter(page)

        async with database_down(PG_URL):
            await key(page, right).click()
            await expect(page.get_by_text("Máy chủ đang tạm thời quá tải hoặc gián đoạn", exact=False)).to_be_visible()
            await expect(key(page, right)).not_to_have_class(re.compile("chosen"))
            await expect(page.locator("#toast")).to_be_hidden()  # no "saved" from the step before beside it
            await snap(page, "database-down")
        await key(page, right).click()  # a moment later: the same question, still on screen

        await expect(page.locator("#position")).to_have_text("Câu 2/10")  # the answer stored, the next question


async def test_handing_in_asks_first_and_keeps_going_when_the_citizen_says_so(
        browser: Browser, tmp_path: Path) -> None:
    async with served(tmp_path) as url:
        page = await phone(browser, url)
        await start_round(page)
        handin = await page.locator(".msg.question .key.handin").bounding_box()
        answers = await page.locator(".msg.question .row").first.bounding_box()
        assert handin is not None and answers is not None
        gap = handin["y"] - (answers["y"] + answers["height"])
        assert gap > 24, f"the hand-in key is only {gap}px below the answers"
        await page.locator(".msg.question .key.handin").click()

        await expect(page.get_by_text("Nộp bài ngay bây giờ?", exact=False)).to_be_visible()
        await expect(page.get_by_text("Bạn còn 10/10 câu chưa trả lời", exact=False)).to_be_visible()
        await snap(page, "hand-in-confirm")
        await tap(page, "↩️ Làm tiếp")
        await expect(page.locator("#position")).to_have_text("Câu 1/10")
        await expect(page.locator(".msg.question .key")).to_have_count(5)


async def test_a_reload_mid_attempt_offers_the_attempt_back_with_its_time(browser: Browser, tmp_path: Path) -> None:
    async with served(tmp_path) as url:
        page = await phone(browser, url)
        await start_round(page)
        await key(page, await right_letter(page)).click()
        await expect(page.locator("#position")).to_have_text("Câu 2/10")
        await page.reload()

        await expect(page.get_by_text("Bạn đang làm dở bài «Vòng chính»: tới câu 2/10", exact=False)).to_be_visible()
        await expect(page.locator(".msg.divider")).to_have_text("Cuộc trò chuyện trước đó")
        await expect(page.get_by_text("Đăng ký thành công", exact=False)).to_be_visible()  # restored from the server
        await snap(page, "reload-mid-attempt")
        await tap(page, "▶️ Làm tiếp")
        await expect(page.locator("#position")).to_have_text("Câu 2/10")
        await expect(page.locator("#countdown")).to_have_text(re.compile(r"⏱ Còn \d\d:\d\d"))


async def test_a_reload_mid_registration_carries_on_at_the_step_reached(browser: Browser, tmp_path: Path) -> None:
    async with served(tmp_path) as url:
        page = await phone(browser, url)
        await tap(page, "✅ Tôi đồng ý")
        await tap(page, "Đồng ý liên hệ khi đoạt giải")
        await tap(page, "Không, cảm ơn")
        await expect(page.get_by_text("Bước 1/4", exact=False)).to_be_visible()
        await type_line(page, "Nguyễn Văn An")
        await expect(page.get_by_text("Bước 2/4", exact=False)).to_be_visible()  # typed while the page is busy,
        await type_line(page, "1990")  # the year would stay in the box (chat.js sends one line at a time)
        await expect(page.locator("#input")).to_have_attribute("type", "tel")
        await page.reload()

        await expect(page.get_by_text("Bạn đang đăng ký dở, mời tiếp tục từ bước này:", exact=False)).to_be_visible()
        await expect(page.get_by_text("Bước 3/4", exact=False).last).to_be_visible()
        await expect(page.locator("#input")).to_have_attribute("type", "tel")
        await snap(page, "reload-mid-registration")
        await type_line(page, "+84 (0) 912 345 678")
        await expect(page.get_by_text("Bước 4/4", exact=False).last).to_be_visible()


async def test_a_second_tab_behind_the_first_catches_up_instead_of_freezing(browser: Browser, tmp_path: Path) -> None:
    async with served(tmp_path) as url:
        first = await phone(browser, url)
        await start_round(first)
        second = await first.context.new_page()
        await second.goto(url + "/")
        await tap(second, "▶️ Làm tiếp")
        await expect(second.locator("#position")).to_have_text("Câu 1/10")
        for k in range(1, 3):  # the first tab moves on to question 3
            await key(first, await right_letter(first)).click()
            await expect(first.locator("#position")).to_have_text(f"Câu {k + 1}/10")

        await key(second, "C").click()  # the second tab still shows question 1
        await expect(second.locator("#position")).to_have_text("Câu 3/10")
        await expect(second.locator("#toast")).to_contain_text("Câu 1 đã ghi nhận đáp án")
        await snap(second, "second-tab")


async def test_switching_language_mid_attempt_keeps_the_keys_and_the_countdown(
        browser: Browser, tmp_path: Path) -> None:
    async with served(tmp_path) as url:
        page = await phone(browser, url)
        await start_round(page)
        await page.get_by_role("button", name="EN", exact=True).click()

        await expect(page.locator("#position")).to_have_text("Question 1/10")
        await expect(page.locator("#countdown")).to_have_text(re.compile(r"⏱ Left \d\d:\d\d"))
        await expect(page.locator(".msg.question .key")).to_have_count(5)
        await expect(page.get_by_role("button", name="📤 Hand in")).to_be_visible()
        await snap(page, "language-mid-attempt")


async def test_time_running_out_says_so_and_shows_the_result(browser: Browser, tmp_path: Path) -> None:
    clock = Clock(datetime.now(UTC))
    async with served(tmp_path, clock=clock) as url:
        context = await browser.new_context(viewport=PHONE, locale="vi-VN")
        page = await context.new_page()
        await page.clock.install()
        await page.goto(url + "/")
        await start_round(page, "Luyện tập")
        await key(page, await right_letter(page)).click()
        await expect(page.locator("#position")).to_have_text("Câu 2/3")

        clock.advance(minutes=5, seconds=1)  # the server's time runs out…
        await page.clock.fast_forward("05:01")  # …and the page's countdown with it
        await expect(page.get_by_text("⏰ Hết giờ! Bài đã được nộp tự động với 1/3 câu đã trả lời.")).to_be_visible()
        await expect(page.get_by_text("Luyện tập: 1/3 câu đúng", exact=False)).to_be_visible()
        await expect(page.locator("#progress")).to_be_hidden()
        await snap(page, "time-up")


async def test_the_61st_visitor_from_one_address_can_still_read_the_rules(browser: Browser, tmp_path: Path) -> None:
    async with served(tmp_path, web_new_chats_per_address=1) as url:
        await phone(browser, url)  # the one new chat this address may open now
        late = await phone(browser, url)
        await expect(late.get_by_text("tạm chờ khoảng 10 phút", exact=False)).to_be_visible()
        await snap(late, "61st-visitor")
        await tap(late, "📜 Thể lệ")
        await tap(late, "Đối tượng dự thi")
        await expect(late.get_by_text("Mọi công dân sinh sống trong tỉnh.")).to_be_visible()
        await type_line(late, "thoi gian thi")
        await expect(late.get_by_text("Cuộc thi diễn ra trong bốn tuần.")).to_be_visible()


async def test_practice_shows_the_key_and_explanation_after_each_answer(browser: Browser, tmp_path: Path) -> None:
    async with served(tmp_path) as url:
        page = await phone(browser, url)
        await start_round(page, "Luyện tập")
        right = await right_letter(page)
        await key(page, "A" if right != "A" else "B").click()
        await expect(page.get_by_text(f"Đáp án đúng: {right}. Đúng", exact=False)).to_be_visible()
        await expect(page.get_by_text("📚 Nguồn: Bộ câu hỏi thử nghiệm").first).to_be_visible()
        await expect(page.locator("#position")).to_have_text("Câu 2/3")
        await snap(page, "practice-explained")


async def test_a_long_paste_is_refused_with_the_limit_before_it_is_sent(browser: Browser, tmp_path: Path) -> None:
    async with served(tmp_path) as url:
        page = await phone(browser, url)
        await expect(page.get_by_text("Nghị định 13/2023", exact=False)).to_be_visible()
        await page.locator("#input").fill("a" * 5000)
        await expect(page.locator("#counter")).to_have_text("5000/1000")
        await page.locator("#input").press("Enter")
        await expect(page.get_by_text("Tin nhắn dài 5000 ký tự, quá giới hạn 1000 ký tự.", exact=False)).to_be_visible()
        assert await page.locator("#input").input_value() == "a" * 5000  # nothing cut, nothing lost
        await expect(page.locator(".msg.user")).to_have_count(0)
        await snap(page, "long-paste")


async def test_the_ha_giang_pack_says_the_2024_contest_is_over_and_practice_is_open(
        browser: Browser, tmp_path: Path) -> None:
    async with served(tmp_path, pack=HA_GIANG) as url:
        page = await phone(browser, url)
        await expect(page.get_by_text("Cuộc thi đã kết thúc ngày 14/07/2024.", exact=False)).to_be_visible()
        await expect(page.get_by_text("Phần luyện tập vẫn mở: bấm «📝 Thi ngay»", exact=False)).to_be_visible()
        await expect(page.locator("#title")).to_have_text(re.compile("Hà Giang năm 2024$"))
        await snap(page, "ha-giang-welcome")
        await tap(page, "✅ Tôi đồng ý")
        await tap(page, "Đồng ý liên hệ khi đoạt giải")
        await tap(page, "Không, cảm ơn")
        await type_line(page, "Nguyễn Văn An")  # each line waits for the step it leads to: typed while the
        await expect(page.get_by_text("Bước 2/4", exact=False)).to_be_visible()  # page is busy, it stays in the box
        await type_line(page, "1990")
        await expect(page.get_by_text("Bước 3/4", exact=False).last).to_be_visible()
        await type_line(page, "0912345678")
        await expect(page.get_by_text("Bước 4/4", exact=False).last).to_be_visible()
        await type_line(page, "X. Tân Tiến")
        await tap(page, "Xã Tân Tiến")
        await tap(page, "✅ Xác nhận")
        await tap(page, "📝 Thi ngay")
        await expect(page.get_by_text("không tính điểm, không xếp hạng", exact=False)).to_be_visible()
        await expect(page.get_by_role("button", name="🎯 Luyện tập")).to_be_visible()
        await snap(page, "ha-giang-practice-offer")

