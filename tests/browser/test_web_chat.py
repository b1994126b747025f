"""A citizen on a phone-sized screen plays a whole attempt in the web chat, by tapping and typing."""
from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, Page, expect

PHONE = {"width": 390, "height": 844}


async def open_chat(browser: Browser, base_url: str) -> Page:
    context = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                        locale="vi-VN")
    page = await context.new_page()
    await page.goto(base_url + "/")
    return page


async def tap(page: Page, label: str) -> None:
    """Tap the newest button with this label, as a person looks at the bottom of the chat."""
    await page.get_by_role("button", name=label).last.click()


async def type_line(page: Page, text: str) -> None:
    await page.locator("#input").fill(text)
    await page.locator("#input").press("Enter")


async def register(page: Page) -> None:
    await expect(page.get_by_text("Nghị định 13/2023", exact=False)).to_be_visible()
    await tap(page, "✅ Tôi đồng ý")
    await tap(page, "Đồng ý liên hệ khi đoạt giải")
    await tap(page, "Không, cảm ơn")
    await expect(page.get_by_text("Bước 1/4", exact=False)).to_be_visible()
    await type_line(page, "Nguyễn Văn An")
    await expect(page.get_by_text("Bước 2/4", exact=False)).to_be_visible()
    await type_line(page, "1990")
    await expect(page.locator("#contact-hint")).to_contain_text("Gửi số điện thoại")
    await expect(page.locator("#input")).to_have_attribute("type", "tel")
    await type_line(page, "0912345678")
    await tap(page, "Huyện An Bình")
    await tap(page, "Xã Đông Sơn")
    await tap(page, "✅ Xác nhận")
    await expect(page.get_by_text("Đăng ký thành công", exact=False)).to_be_visible()
    await expect(page.locator("#contact-hint")).to_be_hidden()


async def test_a_citizen_plays_a_whole_attempt_by_tapping(browser: Browser, base_url: str, artifacts: Path) -> None:
    page = await open_chat(browser, base_url)
    await expect(page.locator("#title")).to_have_text("Cuộc thi thử nghiệm")
    await register(page)

    await tap(page, "📝 Thi ngay")
    await tap(page, "Vòng chính")
    question = page.locator(".msg.question")
    for k in range(1, 11):
        await expect(page.locator("#position")).to_have_text(f"Câu {k}/10")
        await expect(question).to_have_count(1)  # each question replaces the last one
        await expect(question).to_contain_text("Câu hỏi thử nghiệm số")
        await expect(page.locator("#countdown")).to_have_text(re.compile(r"⏱ Còn 09:[0-5]\d"))
        text = await question.inner_text()
        if k == 3:
            await page.screenshot(path=str(artifacts / "question.png"))
            await expect(question.locator(".part").first).to_be_in_viewport()
            await expect(question.get_by_text("Câu hỏi thử nghiệm số", exact=False)).to_be_in_viewport()
        right = re.search(r"^([A-F])\. Đúng", text, re.MULTILINE)
        assert right, text
        await question.get_by_role("button", name=right.group(1), exact=True).click()

    await expect(page.get_by_text("Câu hỏi dự đoán", exact=False)).to_be_visible()
    await expect(page.locator("#progress")).to_be_hidden()
    await type_line(page, "150")
    await expect(page.get_by_text("Kết quả: 10/10 câu đúng", exact=False)).to_be_visible()
    await expect(page.get_by_text("Xếp hạng hiện tại: 1/1", exact=False)).to_be_in_viewport()
    await page.screenshot(path=str(artifacts / "result.png"))


async def test_the_language_switch_turns_the_chat_into_english(browser: Browser, base_url: str,
                                                               artifacts: Path) -> None:
    page = await open_chat(browser, base_url)
    await expect(page.get_by_text("Nghị định 13/2023", exact=False)).to_be_visible()
    await page.get_by_role("button", name="EN", exact=True).click()
    await expect(page.get_by_text("Language set to English.")).to_be_visible()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.locator("#send")).to_have_text("Send")
    await expect(page.get_by_role("button", name="EN", exact=True)).to_have_attribute("aria-pressed", "true")
    await page.screenshot(path=str(artifacts / "english.png"))


async def test_text_with_markup_is_shown_as_text(browser: Browser, base_url: str) -> None:
    page = await open_chat(browser, base_url)
    await expect(page.get_by_text("Nghị định 13/2023", exact=False)).to_be_visible()
    await type_line(page, "<img src=x onerror=alert(1)>")
    await expect(page.locator(".msg.user")).to_have_text("<img src=x onerror=alert(1)>")
    assert await page.locator(".log img").count() == 0
