"""The web chat end to end, with an SMS gateway on 127.0.0.1, on SQLite and PostgreSQL: a number proven by
a code, a registration carried on in a new browser, someone else's typed number taken back by its owner,
erasure that gives no new attempt, and a 14-year-old who needs a guardian's code first."""
from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient, TestServer

from bot.compose import App, build
from bot.config import Settings
from bot.service import web_app_for
from publishing import ADMIN
from sms.fake_gateway import FakeGateway

from .conftest import PACK, WebChat

PHONE = "0912345678"


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[FakeGateway, str]]:
    fake = FakeGateway()
    base = await fake.serve(fake.app())
    yield fake, base
    await fake.stop()


@pytest.fixture
async def served(db_url: str, clock: Any, gateway: tuple[FakeGateway, str]) -> AsyncIterator[
        tuple[App, TestClient[Any, Any]]]:
    settings = Settings(database_url=db_url, contest_pack=PACK, redis_url=None, web_secret="test",
                        sms_gateway_url=f"{gateway[1]}/api/send", sms_gateway_key=FakeGateway.KEY)
    app = await build(settings, migrate=True, clock=clock, rng=random.Random(7))
    try:
        async with TestClient(TestServer(web_app_for(app)), cookie_jar=DummyCookieJar()) as client:
            yield app, client
    finally:
        await app.close()


async def consent(chat: WebChat, *, born: int = 1990) -> None:
    await chat.start()
    await chat.tap("Tôi đồng ý")
    await chat.tap("Đồng ý liên hệ khi đoạt giải")
    await chat.tap("Không, cảm ơn")
    await chat.type("Trần Thị Bình")
    await chat.type(str(born))


async def finish(chat: WebChat) -> None:
    await chat.tap("Huyện An Bình")
    await chat.tap("Xã Đông Sơn")
    await chat.tap("Xác nhận")
    assert "Đăng ký thành công" in chat.text(), chat.text()


async def test_a_number_proven_by_code_recovers_the_registration_in_a_new_browser(
        served: tuple[App, TestClient[Any, Any]], gateway: tuple[FakeGateway, str], clock: Any) -> None:
    app, client = served
    fake = gateway[0]
    first = WebChat(client)
    await consent(first)
    await first.type("0912 345 678")
    assert "Đã gửi mã 6 chữ số tới số 0912345678" in first.text()
    await first.type(fake.code_to(PHONE))
    await finish(first)
    held = await app.people.holder(PHONE)
    assert held is not None and held.phone_verified_by == "code"

    clock.advance(minutes=1)
    second = WebChat(client)  # cookies lost: another phone, an in-app browser
    await second.start()
    await second.tap("Tôi đã đăng ký ở trình duyệt khác")
    await second.type(PHONE)
    await second.type(fake.code_to(PHONE))
    assert "Chào mừng Trần Thị Bình trở lại" in second.text()
    await second.tap("Dữ liệu của tôi")
    assert "Số báo danh" in second.text() and "✓ đã xác minh" in second.text()
    left = str((await WebChat(client, cookie=first.cookie).start())["history"])  # the browser left behind
    assert "Trần Thị Bình" not in left and PHONE not in left  # a shared computer shows nothing of them


async def test_the_owner_takes_the_number_back_and_erasure_gives_no_new_attempt(
        served: tuple[App, TestClient[Any, Any]], gateway: tuple[FakeGateway, str], clock: Any) -> None:
    app, client = served
    fake = gateway[0]
    now = clock()
    account = await app.people.account(channel="telegram", external_id="999", locale="vi", now=now)
    squatter = await app.people.register(account_id=account.id, full_name="Kẻ Chiếm Số", birth_year=1990,
                                         phone=PHONE, unit_code="T-A-1", referral=None, now=now)  # typed on Telegram
    owner = WebChat(client)
    await consent(owner)
    await owner.type(PHONE)
    await owner.type(fake.code_to(PHONE))
    await finish(owner)
    assert (await app.people.participant(squatter.id)).phone is None  # type: ignore[union-attr]
    assert [r.kind for r in await app.integrity.reviews("chinh")] == []  # the squatter never played "chinh"

    for _ in range(2):  # the owner uses both attempts of "chinh"
        await owner.tap("Thi ngay")
        await owner.tap("Vòng chính")
        await owner.tap("Nộp bài")
        await owner.tap("📤 Nộp bài")
        await owner.tap("Bỏ qua")
        await owner.type("menu")
    await owner.tap("Dữ liệu của tôi")
    await owner.tap("Xoá dữ liệu của tôi")
    await owner.tap("Xoá vĩnh viễn")

    clock.advance(minutes=1)
    await consent(owner)  # the same browser, registering anew with the same number
    await owner.type(PHONE)
    await owner.type(fake.code_to(PHONE))
    await finish(owner)
    await owner.tap("Thi ngay")
    await owner.tap("Vòng chính")
    assert "Câu 1/10" not in owner.text() and "2 lượt" in owner.text(), owner.text()


async def test_a_fourteen_year_old_cannot_start_before_the_guardian_types_the_code_sent_to_them(
        served: tuple[App, TestClient[Any, Any]], gateway: tuple[FakeGateway, str], clock: Any) -> None:
    app, client = served
    fake = gateway[0]
    child = WebChat(client)
    await consent(child, born=clock().year - 14)
    assert "cha, mẹ hoặc người giám hộ" in child.text()
    await child.type("Trần Văn Cường")
    await child.type("0977000111")
    assert "của người giám hộ" in child.text()
    await child.type(fake.code_to("0977000111"))
    await child.type(PHONE)
    await child.type(fake.code_to(PHONE))
    await finish(child)
    person = await app.people.holder(PHONE)
    assert person is not None and (await app.people.guardian(person.id)).confirmed_by == "code"  # type: ignore[union-attr]
    await child.tap("Thi ngay")
    await child.tap("Vòng chính")
    assert "Câu 1/10" in child.text()


async def test_the_end_of_the_data_period_clears_what_browsers_kept(
        served: tuple[App, TestClient[Any, Any]], gateway: tuple[FakeGateway, str], clock: Any) -> None:
    app, client = served
    start = clock()
    await app.rounds.change("chinh", {"closes": "2024-07-20 23:59"}, by=ADMIN, now=clock())  # 30 days on
    chat = WebChat(client)
    await consent(chat)
    await chat.type(PHONE)
    await chat.type(gateway[0].code_to(PHONE))
    await finish(chat)
    clock.now = start + timedelta(days=31 + app.runtime.contest.data_kept_days)  # the data period is over
    assert (await app.uses.housekeeping.sweep(now=clock())).participants == 1  # the daily sweep
    kept = str((await WebChat(client, cookie=chat.cookie).start())["history"])
    assert "Trần Thị Bình" not in kept and PHONE not in kept
