"""The web chat's JSON API, used the way the page uses it."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from bot.compose import App
from bot.web.identity import COOKIE

Chat = Any  # tests/web/conftest.py: WebChat


async def test_a_citizen_consents_registers_plays_a_whole_attempt_and_sees_the_score(chat: Chat) -> None:
    shown = await chat.start()
    assert shown["locale"] == "vi"
    assert shown["title"] == "Cuộc thi thử nghiệm"
    assert "Nghị định 13/2023" in chat.text()

    await chat.tap("Tôi đồng ý")
    await chat.tap("Đồng ý liên hệ khi đoạt giải")
    await chat.tap("Không, cảm ơn")
    assert "Bước 1/4" in chat.text()
    await chat.type("Nguyễn Văn An")
    await chat.type("1990")
    assert "Bước 3/4" in chat.text()
    assert chat.last()["request_contact"] is True
    await chat.type("0912345678")
    assert [b["label"] for row in chat.last()["buttons"] for b in row][:2] == ["Huyện An Bình", "Huyện Bắc Hà"]
    await chat.tap("Huyện An Bình")
    await chat.tap("Xã Đông Sơn")
    assert "0912345678" in chat.text()
    shown = await chat.tap("Xác nhận")
    assert "Đăng ký thành công" in chat.text()
    assert shown["toast"] == "Đã ghi nhận"

    await chat.tap("Thi ngay")
    await chat.tap("Vòng chính")
    for k in range(1, 11):
        question = chat.last()
        assert question["progress"]["position"] == k
        assert question["progress"]["total"] == 10
        assert datetime.fromisoformat(question["progress"]["deadline"]) > datetime.fromisoformat(chat.shown["now"])
        assert question["replace"] is (k > 1)
        shown = await chat.tap(chat.right_letter())
        assert shown["toast"] == "Đã ghi nhận"

    assert "Câu hỏi dự đoán" in chat.text()
    await chat.type("120")
    assert "Kết quả: 10/10 câu đúng" in chat.text()
    assert "Xếp hạng hiện tại: 1/1" in chat.text()
    assert all(reply["progress"] is None for reply in chat.shown["replies"])


async def test_a_question_shows_its_options_and_answer_buttons(registered: Chat) -> None:
    await registered.tap("Thi ngay")
    await registered.tap("Luyện tập")
    question = registered.last()
    assert re.search(r"^A\. ", question["parts"][0], re.MULTILINE)
    labels = [[b["label"] for b in row] for row in question["buttons"]]
    assert labels[0] == ["A", "B", "C"] and labels[1] == ["D"]
    assert labels[-1] == ["📤 Nộp bài"]


async def test_after_the_deadline_handing_in_shows_the_result_the_server_kept(registered: Chat,
                                                                             application: App) -> None:
    await registered.tap("Thi ngay")
    await registered.tap("Luyện tập")
    await registered.tap(registered.right_letter())
    deadline = datetime.fromisoformat(registered.last()["progress"]["deadline"])
    application.dispatcher.clock = lambda: deadline + timedelta(seconds=5)

    await registered.tap("Nộp bài")
    assert "1/3 câu đúng" in registered.text()


async def test_the_language_switch_answers_in_english_from_then_on(registered: Chat) -> None:
    shown = await registered.press("l:en")
    assert shown["locale"] == "en"
    assert shown["title"] == "Test contest"
    assert "Language set to English." in registered.text()
    await registered.press("m:rules")
    assert registered.shown["locale"] == "en"


async def test_an_english_browser_is_greeted_in_english(browser: Any) -> None:
    chat = browser(language="en-GB,en;q=0.9,vi;q=0.5")
    await chat.start()
    assert chat.shown["locale"] == "en"
    assert "Welcome to Test contest" in chat.text()


async def test_a_free_text_question_gets_an_answer_not_an_error(registered: Chat) -> None:
    shown = await registered.type("thoi gian thi?")
    assert shown["replies"] and registered.text()


async def test_the_cookie_is_signed_http_only_and_kept(client: Any, chat: Chat) -> None:
    response = await client.post("/api/chat/start", json={})
    morsel = response.cookies[COOKIE]
    assert morsel["httponly"] and morsel["samesite"] == "Lax"
    assert "." in morsel.value

    await chat.start()
    first = chat.cookie
    await chat.tap("Tôi đồng ý")
    assert chat.cookie == first  # no new identity while the cookie is genuine


async def test_a_forged_cookie_gets_a_new_identity_not_someone_elses_state(chat: Chat, browser: Any) -> None:
    await chat.start()
    await chat.tap("Tôi đồng ý")
    await chat.tap("Đồng ý liên hệ khi đoạt giải")
    await chat.tap("Không, cảm ơn")
    await chat.type("Nguyễn Văn An")
    assert "Bước 2/4" in chat.text()
    browser_id = chat.cookie.split(".")[0]

    for forged in (browser_id, f"{browser_id}.bad-signature", f"{browser_id}.{chat.cookie.split('.')[1][::-1]}"):
        intruder = browser(cookie=forged)
        await intruder.start()
        assert intruder.cookie != forged
        assert intruder.cookie.split(".")[0] != browser_id
        assert "Nghị định 13/2023" in intruder.text()  # a stranger's first screen, not An's registration

    await chat.type("1990")
    assert "Bước 3/4" in chat.text()  # An's own state is untouched


async def test_bad_json_is_a_400_with_a_clear_message(client: Any) -> None:
    response = await client.post("/api/chat/send", data=b"{bad", headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert "not valid JSON" in (await response.json())["error"]


async def test_a_body_that_is_not_an_object_or_names_no_event_is_a_400(client: Any) -> None:
    for body in ([1, 2], "hi", {}, {"text": "a", "action": "m"}, {"text": 5}, {"action": "m play"},
                 {"action": "x" * 65}, {"action": "m:nowhere"}, {"action": "a:²:0:0"}, {"text": "x" * 1001}):
        response = await client.post("/api/chat/send", json=body)
        assert response.status == 400, body
        assert (await response.json())["error"]


async def test_an_oversized_body_is_a_413_even_when_chunked(client: Any) -> None:
    big = b'{"text": "' + b"x" * 5000 + b'"}'
    response = await client.post("/api/chat/send", data=big, headers={"Content-Type": "application/json"})
    assert response.status == 413

    async def chunks() -> Any:
        for _ in range(10):
            yield b"x" * 1000

    response = await client.post("/api/chat/send", data=chunks(), headers={"Content-Type": "application/json"})
    assert response.status == 413
    assert "4096 bytes" in (await response.json())["error"]


async def test_a_body_that_is_not_json_typed_or_not_utf8_is_refused(client: Any) -> None:
    response = await client.post("/api/chat/send", data=b'{"text": "hi"}', headers={"Content-Type": "text/plain"})
    assert response.status == 415
    response = await client.post("/api/chat/send", data=b'{"text": "\xff"}',
                                 headers={"Content-Type": "application/json"})
    assert response.status == 400


async def test_the_page_and_health_check_are_served(client: Any) -> None:
    page = await client.get("/")
    assert page.status == 200
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    html = await page.text()
    assert '<html lang="vi">' in html
    for asset in ("/static/chat/chat.js", "/static/chat/chat.css"):
        assert asset in html
        served = await client.get(asset)
        assert served.status == 200
        assert "http://" not in await served.text() and "https://" not in await served.text()
    health = await client.get("/healthz")
    assert await health.json() == {"status": "ok", "contest": "thu-nghiem"}
