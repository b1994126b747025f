"""/admin/broadcast: an admin writes a tip, sees it as citizens will and whom it reaches, sends it, watches it."""
from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from admin.conftest import Visitor
from bot.broadcasts.runner import Broadcaster
from bot.broadcasts.zalo import ZaloOutlet
from bot.compose import App
from publishing import ADMIN
from telegram.fake_api import FakeTelegram

from .conftest import at, citizen, messaged, set_account

TIP = "Cài ứng dụng VNeID và kích hoạt tài khoản định danh mức 2 để nộp hồ sơ trực tuyến."


def draft_of(v: Visitor) -> str:
    found = re.search(r'name="draft" value="([^"]+)"', v.text)
    assert found, v.text[-2000:]
    return found.group(1)


async def until_finished(app: App, broadcast_id: int) -> None:
    async with asyncio.timeout(10):
        while app.broadcaster.running(broadcast_id):
            await asyncio.sleep(0.01)


async def test_an_admin_previews_sends_and_follows_a_tip(app: App, broadcaster: Broadcaster, fake: FakeTelegram,
                                                         admin_: Visitor) -> None:
    for user in ("801", "802"):
        await citizen(app, user)
    await citizen(app, "803", news=False)
    late = await citizen(app, "zalo-8", channel="zalo")
    await set_account(app, late.id, last_seen_at=at(app) - timedelta(days=4))
    sent_on_zalo: list[str] = []

    async def zalo_send(user_id: str, text: str) -> None:
        sent_on_zalo.append(user_id)

    broadcaster.connect("zalo", ZaloOutlet(send=zalo_send))
    await admin_.get("/admin/broadcast")
    await admin_.post("/admin/broadcast/preview", {"kind": "tip", "text_vi": TIP, "text_en": ""})

    assert "💡 Mẹo dịch vụ số" in admin_.text and TIP in admin_.text, "the message as citizens will read it"
    assert re.search(r"<td>Telegram</td><td class=\"num\">2</td>", admin_.text)
    assert re.search(r"<td>Zalo: người dùng nhắn OA lần cuối quá 48 giờ[^<]*</td><td class=\"num\">1</td>",
                     admin_.text)
    assert await app.broadcasts.recent() == [], "a preview sends nothing"

    response = await admin_.post("/admin/broadcast/send", {"draft": draft_of(admin_)})
    assert response.url.path == "/admin/broadcast/1"
    await until_finished(app, 1)
    response = await admin_.get("/admin/broadcast/1")

    assert messaged(fake) == {801: 1, 802: 1} and sent_on_zalo == []
    assert "Đã gửi xong" in admin_.text and "Refresh" not in response.headers
    cards = dict(re.findall(r'<h2>([^<]+)</h2><p class="figure">([^<]+)</p>', admin_.text))
    assert cards == {"Người nhận": "3", "Đã gửi": "2", "Không gửi được": "0", "Bỏ qua": "1"}
    assert re.search(r"quá 48 giờ[^<]*</td><td class=\"num\">1</td>", admin_.text), "Zalo users outside the window"


async def test_the_progress_page_refreshes_itself_while_sending(app: App, admin_: Visitor) -> None:
    await citizen(app, "901")
    b = await app.broadcasts.create(kind="announcement", text_vi="Vòng 2 mở lúc 8 giờ.", by=ADMIN, now=app.clock())
    response = await admin_.get(f"/admin/broadcast/{b.id}")
    assert response.headers["Refresh"] == "3"
    assert "Chờ gửi" in admin_.text and "Chưa có kênh nào để gửi" in admin_.text, "no Telegram in this service"


async def test_sending_the_same_form_twice_starts_one_broadcast(app: App, broadcaster: Broadcaster,
                                                                fake: FakeTelegram, admin_: Visitor) -> None:
    await citizen(app, "1001")
    await admin_.get("/admin/broadcast")
    await admin_.post("/admin/broadcast/preview", {"kind": "tip", "text_vi": TIP})
    draft = draft_of(admin_)
    first = await admin_.post("/admin/broadcast/send", {"draft": draft})
    second = await admin_.post("/admin/broadcast/send", {"draft": draft})
    await until_finished(app, 1)
    assert first.url.path == second.url.path == "/admin/broadcast/1"
    assert len(await app.broadcasts.recent()) == 1 and messaged(fake) == {1001: 1}


async def test_an_admin_can_stop_a_broadcast(app: App, admin_: Visitor) -> None:
    b = await app.broadcasts.create(kind="tip", text_vi="Mẹo.", by=ADMIN, now=app.clock())
    await admin_.get(f"/admin/broadcast/{b.id}")
    await admin_.post(f"/admin/broadcast/{b.id}/cancel")
    assert "Đã dừng" in admin_.text
    stopped = await app.broadcasts.get(b.id)
    assert stopped is not None and stopped.status == "cancelled"


async def test_an_empty_text_is_sent_back_to_be_fixed(app: App, admin_: Visitor) -> None:
    await admin_.get("/admin/broadcast")
    response = await admin_.post("/admin/broadcast/preview", {"kind": "tip", "text_vi": "   "})
    assert response.status == 400 and "hãy viết nội dung tiếng Việt" in admin_.text


async def test_organisers_cannot_broadcast(app: App, organiser_: Visitor) -> None:
    await organiser_.get("/admin/")
    assert "/admin/broadcast" not in organiser_.text
    response = await organiser_.get("/admin/broadcast")
    assert response.status == 403
    response = await organiser_.post("/admin/broadcast/preview", {"kind": "tip", "text_vi": TIP})
    assert response.status == 403
    response = await organiser_.post("/admin/broadcast/send", {"draft": "x"})
    assert response.status == 403 and await app.broadcasts.recent() == []


async def test_sending_without_the_csrf_token_is_refused(app: App, broadcaster: Broadcaster, fake: FakeTelegram,
                                                         admin_: Visitor) -> None:
    await citizen(app, "1101")
    await admin_.get("/admin/broadcast")
    await admin_.post("/admin/broadcast/preview", {"kind": "tip", "text_vi": TIP})
    response = await admin_.post("/admin/broadcast/send", {"draft": draft_of(admin_)}, csrf=False)
    assert response.status == 403 and "thiếu mã xác thực CSRF" in admin_.text
    assert await app.broadcasts.recent() == [] and messaged(fake) == {}
