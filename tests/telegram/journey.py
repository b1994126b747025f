"""The citizen's journey in steps both the handler tests and the end-to-end test walk through."""
from __future__ import annotations

import re

from .people import Citizen, right_letter


async def register(c: Citizen, *, name: str = "Nguyễn Văn An", phone: str = "0912345678") -> None:
    """Consent, name, birth year, own phone shared by the contact button, unit, confirmation."""
    await c.send("/start")
    assert "Nghị định 13/2023" in c.screen.last.text
    await c.tap("Tôi đồng ý")
    await c.tap("Đồng ý liên hệ khi đoạt giải")
    await c.tap("Không, cảm ơn")
    assert "họ và tên" in c.screen.last.text
    await c.send(name)
    await c.send("1990")
    ask = c.screen.last
    assert "Số điện thoại" in ask.text
    assert ask.markup is not None and ask.markup["keyboard"][0][0]["request_contact"] is True
    await c.share_contact(phone)
    assert "đơn vị" in c.screen.last.text
    await c.tap("Huyện An Bình")
    await c.tap("Xã Đông Sơn")
    assert "Xã Đông Sơn" in c.screen.last.text
    await c.tap("Xác nhận")
    assert "Đăng ký thành công" in c.screen.messages()[-1].text


async def start_attempt(c: Citizen, round_title: str = "Vòng chính") -> int:
    """Open the round; returns the message id of the question (edited in place from then on)."""
    await c.tap("Thi ngay")
    await c.tap(lambda text: text == round_title)
    question = c.screen.last
    assert question.text.startswith("Câu 1/"), question.text
    return question.message_id


async def answer_all(c: Citizen, question_id: int, *, prediction: str | None = "7") -> str:
    """Answer every question right on the one question message; give the prediction; return the result text."""
    while (shown := c.screen.last).message_id == question_id and re.match(r"Câu \d+/\d+", shown.text):
        letter = right_letter(shown.text)
        await c.tap(lambda text, letter=letter: text == letter)
    if prediction is not None and "dự đoán" in c.screen.last.text:
        await c.send(prediction)
    return c.screen.messages()[-1].text
