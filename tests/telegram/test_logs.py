"""The log never holds what a citizen typed: no phone number and no name, even when handling fails."""
from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from quiz.services.people import People

from .people import Citizen

NAME, PHONE, TYPED = "Trần Thị Bình", "0912345678", "0912 345 678"


async def database_down(self: People, phone: str) -> object:
    """Fails the way a database does: its message quotes the value it was given."""
    raise RuntimeError(f'duplicate key value violates unique constraint "participants_phone_key": '
                       f'Key (phone)=({phone}) already exists')


async def test_a_failure_while_a_citizen_types_a_phone_number_logs_neither_the_number_nor_the_name(
        citizen: Callable[..., Citizen], caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    c = citizen()
    await c.send("/start")
    await c.tap("Tôi đồng ý")
    await c.tap("Đồng ý liên hệ khi đoạt giải")
    await c.tap("Không, cảm ơn")
    await c.send(NAME)
    await c.send("1985")
    monkeypatch.setattr(People, "holder", database_down)
    caplog.set_level(logging.DEBUG)

    await c.send(TYPED)

    assert c.screen.last.text.startswith("Xin lỗi, hệ thống đang gặp sự cố")
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures and "RuntimeError" in caplog.text and "holder" in caplog.text, "the fault can be found"
    for said in (PHONE, TYPED, "345 678", NAME, "Bình"):
        assert said not in caplog.text
        assert not any(said in r.getMessage() for r in caplog.records)
