"""The SMS gateway adapter against a pretend gateway on 127.0.0.1: what a brandname provider receives."""
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.sms import HttpSmsGateway
from quiz.ports import VerifierUnavailable

from .fake_gateway import FakeGateway


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[FakeGateway, str]]:
    fake = FakeGateway()
    base = await fake.serve(fake.app())
    yield fake, base
    await fake.stop()


async def test_a_code_goes_out_as_the_registered_template_from_the_brandname(
        gateway: tuple[FakeGateway, str]) -> None:
    fake, base = gateway
    sms = HttpSmsGateway(url=f"{base}/api/send", key=FakeGateway.KEY, sender="HAGIANG",
                         template="Ma xac minh: {code}, hieu luc {minutes} phut.")
    try:
        await sms.send_code(phone="0912345678", code="042917", minutes=10)
    finally:
        await sms.close()
    (text,) = fake.texts
    assert (text["to"], text["from"]) == ("84912345678", "HAGIANG")
    assert text["text"] == "Ma xac minh: 042917, hieu luc 10 phut."


async def test_a_refusal_a_wrong_key_or_no_gateway_at_all_is_unavailable(gateway: tuple[FakeGateway, str]) -> None:
    fake, base = gateway
    fake.failing = True
    for url, key in ((f"{base}/api/send", FakeGateway.KEY), (f"{base}/api/send", "sai"),
                     ("http://127.0.0.1:9/api/send", FakeGateway.KEY)):
        sms = HttpSmsGateway(url=url, key=key, sender="HAGIANG", template="{code}")
        try:
            with pytest.raises(VerifierUnavailable):
                await sms.send_code(phone="0912345678", code="042917", minutes=10)
        finally:
            await sms.close()
    assert fake.texts == []
