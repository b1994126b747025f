"""The daily report through a recording bot: the message, the chart, and figures that match the database."""
from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import matplotlib.image
from sqlalchemy import distinct, func, select

from bot.channels.telegram.sender import Sender
from bot.compose import App
from bot.reports.text import CAPTION_LIMIT, split_for_photo
from bot.service import daily_reports
from bot.storage import tables as t
from quiz.units import UnitStats, top_and_bottom
from rounds.people import play, register

from .conftest import ORGANISERS, PhotoTelegram, sent


async def two_days_of_play(app: App, clock) -> None:  # type: ignore[no-untyped-def]
    """Yesterday two people took part in An Bình; today one more there and two in Bắc Hà, one of them twice."""
    clock.now = datetime(2024, 6, 19, 2, 0, tzinfo=UTC)  # 09:00 on the 19th in Hà Giang
    a = await register(app, clock(), user="a", phone="0911111111", unit="T-A-1", name="Lò Thị Ánh")
    b = await register(app, clock(), user="b", phone="0922222222", unit="T-A-2", name="Vàng Văn Đức")
    await play(app, clock, a, right=10)
    await play(app, clock, b, right=6)
    clock.now = datetime(2024, 6, 20, 1, 0, tzinfo=UTC)  # 08:00 on the 20th
    c = await register(app, clock(), user="c", phone="0933333333", unit="T-B-1", name="Hoàng Thị Mỹ")
    d = await register(app, clock(), user="d", phone="0944444444", unit="T-B-1", name="Sùng Mí Pháo")
    await play(app, clock, a, right=9)
    await play(app, clock, c, right=10)
    await play(app, clock, c, right=3)
    await play(app, clock, d, right=2, round_code="luyen")  # practice counts for nobody's figures
    clock.now = datetime(2024, 6, 20, 4, 0, tzinfo=UTC)  # 11:00, report time


async def test_the_report_goes_out_as_a_chart_with_the_figures_of_the_database(
        app: App, clock, tg_sender: Sender, telegram: PhotoTelegram, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await two_days_of_play(app, clock)
    reports = daily_reports(app)

    await reports.send(tg_sender, ORGANISERS, await reports.build(now=clock()))

    [photo] = sent(telegram, "sendPhoto")
    assert photo["chat_id"] == ORGANISERS
    caption = photo["caption"]
    async with app.engine.connect() as conn:
        people = (await conn.execute(select(func.count()).select_from(t.participants))).scalar_one()
        ranked = (await conn.execute(select(func.count()).select_from(t.attempts)
                                     .where(t.attempts.c.practice.is_(False)))).scalar_one()
        today = (await conn.execute(select(func.count(distinct(t.attempts.c.participant_id)))
                                    .where(t.attempts.c.practice.is_(False),
                                           t.attempts.c.day == datetime(2024, 6, 20).date()))).scalar_one()
    assert (people, ranked, today) == (4, 5, 2)
    assert "Báo cáo ngày 20/06/2024 — Cuộc thi thử nghiệm" in caption
    assert f"Người dự thi đã đăng ký: {people} (mới hôm nay 2, hôm qua 2)" in caption
    assert f"Lượt thi: {ranked} (hôm nay 3, hôm qua 2)" in caption
    assert f"Người vào thi: hôm nay {today}, hôm qua 2" in caption
    assert "Người trả lời đúng tất cả các câu: 2" in caption  # a (yesterday) and c (today)
    # participation to date against population: Bắc Hà 2/400, An Bình 2/600
    assert re.search(r"1\. Huyện Bắc Hà: 0,50% \(2 người\)\n2\. Huyện An Bình: 0,33% \(2 người\)", caption)

    png = telegram.photos[0]
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    image = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert image.shape[0] > 200 and image.shape[1] > 600
    (tmp_path / "report.png").write_bytes(png)


async def test_a_report_longer_than_a_caption_continues_in_a_message(
        app: App, clock, tg_sender: Sender, telegram: PhotoTelegram) -> None:  # type: ignore[no-untyped-def]
    reports = daily_reports(app)
    built = await reports.build(now=clock())
    long = type(built)(built.figures, built.text + "\n" + "\n".join(f"dòng {i}: " + "x" * 60 for i in range(40)),
                       built.chart)

    await reports.send(tg_sender, ORGANISERS, long)

    [photo] = sent(telegram, "sendPhoto")
    [rest] = sent(telegram, "sendMessage")
    assert len(photo["caption"]) <= CAPTION_LIMIT
    assert photo["caption"] + "\n" + rest["text"] == long.text


def test_caption_and_messages_split_on_whole_lines() -> None:
    text = "\n".join(f"{i:03d} " + "ă" * 96 for i in range(60))  # 60 lines of 100 characters
    caption, messages = split_for_photo(text)
    assert len(caption) <= 1024 and caption.count("\n") == 9
    assert all(len(m) <= 4096 for m in messages)
    assert "\n".join([caption, *messages]) == text


def unit(name: str, participants: int, population: int | None) -> UnitStats:
    return UnitStats(name, name, 1, population, participants, 0, 0)


def test_top_and_bottom_by_rate_when_every_population_is_known_else_by_participants() -> None:
    units = [unit(f"U{i:02d}", i, 100) for i in range(1, 13)]
    by_rate, top, bottom = top_and_bottom(units, depth=1, n=5)
    assert by_rate and [u.name for u in top] == ["U12", "U11", "U10", "U09", "U08"]
    assert [u.name for u in bottom] == ["U05", "U04", "U03", "U02", "U01"]
    by_rate, top, bottom = top_and_bottom([unit("A", 5, None), unit("B", 9, 10), unit("C", 1, 1)], depth=1, n=5)
    assert not by_rate and [u.name for u in top] == ["B", "A", "C"] and bottom == []
