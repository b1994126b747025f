"""The Hà Giang pack says plainly where the contest stands: over since 14/07/2024, practice open,
and practice called practice; the leaderboard of a closed week says it is closed."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from conftest import Clock

from .conftest import World
from .people import Person, agree

AFTER = datetime(2025, 5, 1, 3, tzinfo=UTC)


async def registered(world: World) -> Person:
    an = world.person()
    await an.start()
    await agree(an)
    await an.say("Nguyễn Văn An")
    await an.say("1990")
    await an.say("0912345678")
    await an.say("X. Tân Tiến")
    await an.tap("Tân Tiến")
    await an.tap("Xác nhận")
    return an


async def test_a_newcomer_learns_the_contest_is_over_and_practice_is_open(
        ha_giang: Callable[[Clock], World]) -> None:
    an = ha_giang(Clock(AFTER)).person()
    await an.start()
    assert "Cuộc thi đã kết thúc ngày 14/07/2024." in an.text
    assert "Phần luyện tập vẫn mở" in an.text


async def test_thi_ngay_offers_practice_as_practice_instead_of_starting_it(ha_giang: Callable[[Clock], World]) -> None:
    world = ha_giang(Clock(AFTER))
    an = await registered(world)
    await an.tap("Thi ngay")
    assert an.text.startswith("Cuộc thi đã kết thúc ngày 14/07/2024.")
    assert "không tính điểm, không xếp hạng" in an.text and an.labels() == ["🎯 Luyện tập", "⬅️ Menu"]
    assert not an.answer_keys()  # nothing started yet
    await an.tap("Luyện tập")
    assert an.text.startswith("Câu 1/20")
    await an.start()
    assert "Bạn đang làm dở bài «Luyện tập»" in an.text


async def test_the_leaderboard_of_a_closed_week_says_it_is_closed(ha_giang: Callable[[Clock], World]) -> None:
    an = ha_giang(Clock(AFTER)).person()
    await an.start()
    await an.say("bxh")
    assert an.text.startswith("🏆 Bảng xếp hạng – Tuần thi thứ tư")
    assert "Vòng này đã kết thúc lúc 23:59 14/07/2024; đây là kết quả cuối cùng." in an.text


async def test_before_the_first_week_and_between_weeks_the_next_opening_is_given(
        ha_giang: Callable[[Clock], World]) -> None:
    before = ha_giang(Clock(datetime(2024, 6, 10, 3, tzinfo=UTC))).person()
    await before.start()
    assert "Cuộc thi chưa bắt đầu: Tuần thi thứ nhất mở lúc 08:00 18/06/2024." in before.text
    between = ha_giang(Clock(datetime(2024, 6, 23, 16, 59, 30, tzinfo=UTC))).person()  # 23:59:30 local
    await between.start()
    assert "Tuần thi thứ nhất đã kết thúc. Tuần thi thứ hai mở lúc 00:00 24/06/2024." in between.text


async def test_while_a_week_runs_the_welcome_says_until_when(ha_giang: Callable[[Clock], World]) -> None:
    world = ha_giang(Clock(datetime(2024, 6, 25, 3, tzinfo=UTC)))
    an = await registered(world)
    await an.start()
    assert "Đang diễn ra: Tuần thi thứ hai, đến 23:59 30/06/2024." in an.text
    await an.tap("Thi ngay")
    assert an.labels() == ["Tuần thi thứ hai", "Luyện tập", "⬅️ Menu"]
