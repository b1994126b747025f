"""The web chat's log never holds what a citizen typed, even when handling fails."""
from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.web.identity import COOKIE
from quiz.services.people import People

PHONE = "0912345678"


async def database_down(self: People, phone: str) -> object:
    raise RuntimeError(f"Key (phone)=({phone}) already exists")  # a database error quotes its input


async def test_a_failure_while_a_citizen_types_a_phone_number_is_a_500_and_logs_no_number(
        chat: Any, client: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    await chat.start()
    await chat.tap("Tôi đồng ý")
    await chat.tap("Đồng ý liên hệ khi đoạt giải")
    await chat.tap("Không, cảm ơn")
    await chat.type("Nguyễn Văn An")
    await chat.type("1990")
    monkeypatch.setattr(People, "holder", database_down)
    caplog.set_level(logging.DEBUG)

    response = await client.post("/api/chat/send", json={"text": PHONE},
                                 headers={"Cookie": f"{COOKIE}={chat.cookie}"})

    assert response.status == 500 and (await response.json())["error"]
    assert "RuntimeError" in caplog.text
    assert PHONE not in caplog.text and "Nguyễn Văn An" not in caplog.text
