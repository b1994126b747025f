"""Tried as a citizen would, on the Hà Giang pack's web chat: questions typed without diacritics about
scams, OTP, passwords, eligibility, attempts, prizes and deadlines each get their answer directly."""
from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.compose import App, build
from bot.config import Settings

from .conftest import WebChat

HA_GIANG = Path(__file__).resolve().parents[2] / "content" / "ha-giang"


@pytest.fixture
async def application(tmp_path: Path) -> AsyncIterator[App]:
    app = await build(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/db.sqlite", contest_pack=HA_GIANG,
                               web_secret="test"), migrate=True)
    try:
        yield app
    finally:
        await app.close()


@pytest.fixture
async def citizen(chat: WebChat) -> WebChat:
    await chat.start()
    await chat.tap("Tôi đồng ý")
    await chat.tap("Đồng ý liên hệ khi đoạt giải")
    await chat.tap("Không, cảm ơn")
    await chat.type("Lò Thị Mai")
    await chat.type("1995")
    await chat.type("0912345678")
    await chat.type("Minh Khai")
    await chat.tap("Phường Minh Khai")
    await chat.tap("Xác nhận")
    return chat


@pytest.mark.parametrize(("typed", "answer"), [
    ("co nguoi goi dien xin ma otp thi lam sao", "Không bao giờ đưa mã OTP cho bất kỳ ai"),
    ("lam sao biet tin nhan lua dao", "lừa đảo"),
    ("quen mk vneid", "Quên mật khẩu"),
    ("ai dc tham gia thi", "Mọi công dân đang sinh sống, làm việc hoặc học tập"),
    ("toi co the thi bao nhieu lan", "2 lượt"),
    ("giai nhat dc bao nhieu tien", "2.000.000 đồng"),
    ("han chot thi la ngay nao", "14/7/2024"),
    ("dung wifi cong cong co an toan ko", "Wi-Fi công cộng"),
])
async def test_a_question_typed_as_citizens_type_it_gets_its_answer_directly(citizen: WebChat, typed: str,
                                                                           answer: str) -> None:
    await citizen.type(typed)
    assert answer in citizen.text(), citizen.text()
    assert "Ý bạn là" not in citizen.text()
