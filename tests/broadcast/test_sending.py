"""A broadcast reaches the citizens who opted in to news, each once, through the paced Telegram sender.
Who they are is tested on the fakes (tests/services/test_broadcasts.py)."""
from __future__ import annotations

from datetime import timedelta

from bot.broadcasts.runner import Broadcaster
from bot.broadcasts.zalo import ZaloOutlet
from bot.compose import App
from publishing import ADMIN
from telegram.fake_api import FakeTelegram

from .conftest import at, citizen, messaged, set_account


async def test_only_citizens_whose_latest_news_consent_is_granted_receive_it(
        app: App, broadcaster: Broadcaster, fake: FakeTelegram) -> None:
    await citizen(app, "101")  # yes
    await citizen(app, "102", news=False)  # said no
    await citizen(app, "103", news=None)  # never answered
    changed_mind = await citizen(app, "104")
    await app.people.consent(account_id=changed_mind.id, purpose="news", granted=False, now=at(app))
    came_back = await citizen(app, "105", news=False)
    await app.people.consent(account_id=came_back.id, purpose="news", granted=True, now=at(app))

    b = await app.broadcasts.create(kind="tip", text_vi="Cài đặt ứng dụng VNeID để làm thủ tục trực tuyến.",
                                    by=ADMIN, now=at(app))
    done = await broadcaster.run(b.id)

    assert messaged(fake) == {101: 1, 105: 1}
    assert done is not None and done.status == "done"
    assert (done.total, done.sent, done.failed, done.skipped) == (2, 2, 0, 0)
    text = fake.delivered("sendMessage")[0].params["text"]
    assert "Cài đặt ứng dụng VNeID" in text and text.startswith("💡") and "Ngừng nhận tin" in text


async def test_zalo_users_outside_the_48_hour_window_are_skipped_and_counted(
        app: App, broadcaster: Broadcaster, fake: FakeTelegram) -> None:
    recent = await citizen(app, "zalo-1", channel="zalo")
    old = await citizen(app, "zalo-2", channel="zalo")
    never = await citizen(app, "zalo-3", channel="zalo")
    await set_account(app, recent.id, last_seen_at=at(app) - timedelta(hours=47))
    await set_account(app, old.id, last_seen_at=at(app) - timedelta(hours=49))
    await citizen(app, "web-1", channel="web")
    await citizen(app, "401")
    zalo_sent: list[tuple[str, str]] = []

    async def send(user_id: str, text: str) -> None:
        zalo_sent.append((user_id, text))

    broadcaster.connect("zalo", ZaloOutlet(send=send))  # the Zalo channel's own can_message decides the window
    b = await app.broadcasts.create(kind="tip", text_vi="Nộp hồ sơ trực tuyến trên Cổng Dịch vụ công.",
                                    by=ADMIN, now=at(app))
    done = await broadcaster.run(b.id)

    assert [u for u, _ in zalo_sent] == ["zalo-1"] and messaged(fake) == {401: 1}
    assert done is not None and (done.total, done.sent, done.failed, done.skipped) == (5, 2, 0, 3)
    assert await app.broadcasts.reasons(b.id) == {"zalo_window": 2, "cannot_push": 1}
    assert never.id not in {recent.id, old.id}


async def test_without_the_zalo_channel_its_users_are_skipped_with_that_reason(
        app: App, broadcaster: Broadcaster) -> None:
    await citizen(app, "zalo-9", channel="zalo")
    b = await app.broadcasts.create(kind="tip", text_vi="Mẹo.", by=ADMIN, now=at(app))
    await broadcaster.run(b.id)
    assert await app.broadcasts.reasons(b.id) == {"zalo_off": 1}


async def test_english_speakers_get_the_english_text_when_there_is_one(
        app: App, broadcaster: Broadcaster, fake: FakeTelegram) -> None:
    await citizen(app, "501", locale="en")
    await citizen(app, "502", locale="vi")
    b = await app.broadcasts.create(kind="announcement", text_vi="Kết quả tuần 1 đã có.",
                                    text_en="Week 1 results are out.", by=ADMIN, now=at(app))
    await broadcaster.run(b.id)
    texts = {int(c.params["chat_id"]): c.params["text"] for c in fake.delivered("sendMessage")}
    assert "Week 1 results are out." in texts[501] and texts[501].startswith("📢 From the organisers")
    assert "Kết quả tuần 1 đã có." in texts[502] and "Ban Tổ chức" in texts[502]


async def test_a_citizen_who_blocked_the_bot_counts_as_failed_and_the_rest_still_get_it(
        app: App, broadcaster: Broadcaster, fake: FakeTelegram) -> None:
    for user in ("601", "602", "603"):
        await citizen(app, user)
    fake.fail("sendMessage", 403, {"ok": False, "error_code": 403,
                                   "description": "Forbidden: bot was blocked by the user"})
    b = await app.broadcasts.create(kind="tip", text_vi="Mẹo.", by=ADMIN, now=at(app))
    done = await broadcaster.run(b.id)
    assert done is not None and (done.total, done.sent, done.failed) == (3, 2, 1)
    assert await app.broadcasts.reasons(b.id) == {"blocked": 1}


async def test_sending_keeps_to_telegrams_30_messages_a_second(
        app: App, broadcaster: Broadcaster, fake: FakeTelegram) -> None:
    for n in range(75):
        await citizen(app, str(1000 + n))
    b = await app.broadcasts.create(kind="tip", text_vi="Mẹo.", by=ADMIN, now=at(app))
    await broadcaster.run(b.id)
    times = sorted(c.at for c in fake.delivered("sendMessage"))
    assert len(times) == 75
    busiest = max(sum(1 for x in times if start <= x < start + 0.999) for start in times)  # float spacing
    assert busiest <= 30
    assert times[-1] - times[0] >= 74 / 30 - 0.01


async def test_a_cancelled_broadcast_stops_and_is_not_resumed(app: App, broadcaster: Broadcaster,
                                                              fake: FakeTelegram) -> None:
    for n in range(12):
        await citizen(app, str(700 + n))
    b = await app.broadcasts.create(kind="tip", text_vi="Mẹo.", by=ADMIN, now=at(app))
    assert await app.broadcasts.cancel(b.id, by=ADMIN, now=at(app))
    done = await broadcaster.run(b.id)
    assert done is not None and done.status == "cancelled" and messaged(fake) == {}
    assert await broadcaster.resume() == []
