"""A citizen begins an attempt in the Telegram chat and finishes it in the Mini App, as Telegram opens the page:
initData in the address's fragment, no Telegram script, nothing from another site, and no Bot API message
per answer. The chat then sees the attempt the page finished."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path
from urllib.parse import quote

from playwright.async_api import Browser, Request, expect

from bot.compose import build
from mini_app.signing import init_data
from mini_app.telegram_side import TelegramSide, settings_for
from telegram.conftest import TOKEN
from telegram.journey import register
from telegram.people import right_letter

from .conftest import serving

PHONE = {"width": 390, "height": 844}
USER = 1001


def launch_fragment(user_id: int) -> str:
    """What Telegram appends to a Mini App's address when it opens it (no telegram-web-app.js needed)."""
    signed = init_data(TOKEN, user_id=user_id, auth_date=int(time.time()), language_code="vi")
    theme = quote(json.dumps({"bg_color": "#ffffff", "text_color": "#000000"}), safe="")
    return f"#tgWebAppData={quote(signed, safe='')}&tgWebAppVersion=7.10&tgWebAppPlatform=android" \
           f"&tgWebAppThemeParams={theme}"


async def test_a_citizen_finishes_in_the_mini_app_the_attempt_begun_in_the_chat(
        browser: Browser, tmp_path: Path, artifacts: Path) -> None:
    application = await build(settings_for(tmp_path), migrate=True)
    telegram = TelegramSide(application)
    citizen = telegram.citizen(USER)
    await register(citizen)
    await citizen.send("/thi")
    await citizen.tap("Vòng chính")
    await citizen.tap(lambda text: text == right_letter(citizen.screen.last.text))
    assert citizen.screen.last.text.startswith("Câu 2/10")
    sent_by_the_chat = telegram.messages_sent()

    async with serving(application) as base_url:
        context = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                            locale="vi-VN")
        page = await context.new_page()
        requested: list[str] = []

        def note(request: Request) -> None:
            requested.append(request.url)
        page.on("request", note)
        await page.goto(f"{base_url}/telegram/app{launch_fragment(USER)}")

        question = page.locator(".msg.question")
        await expect(page.locator("#position")).to_have_text("Câu 2/10")  # where the chat left it
        countdown = page.locator("#countdown")
        await expect(countdown).to_have_text(re.compile(r"⏱ Còn 09:[0-5]\d"))
        shown = await countdown.inner_text()
        await expect(countdown).not_to_have_text(shown)  # it ticks on the page, not through Telegram
        await page.screenshot(path=str(artifacts / "mini_app_question.png"))
        for k in range(2, 11):
            await expect(page.locator("#position")).to_have_text(f"Câu {k}/10")
            await expect(question).to_have_count(1)
            letter = right_letter(await question.inner_text())
            await question.get_by_role("button", name=letter, exact=True).click()

        await expect(page.get_by_text("Câu hỏi dự đoán", exact=False)).to_be_visible()
        await page.locator("#input").fill("150")
        await page.locator("#input").press("Enter")
        await expect(page.get_by_text("Kết quả: 10/10 câu đúng", exact=False)).to_be_visible()
        await page.screenshot(path=str(artifacts / "mini_app_result.png"))
        assert telegram.messages_sent() == sent_by_the_chat  # nine answers, no message through the Bot API
        assert requested and all(url.startswith(base_url) for url in requested), requested
        await context.close()

        await citizen.send("/ketqua")
        assert "10/10" in citizen.screen.messages()[-1].text
