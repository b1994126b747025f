"""Registering as people do it: coming back half-way, typing answers to buttons, a sticker at the phone
step, a unit found by how its name is usually written."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from conftest import Clock

from .conftest import World
from .people import agree


async def to_the_phone_step(world: World) -> None:
    an = world.person()
    await an.start()
    await agree(an)
    await an.say("Nguyễn Văn An")
    await an.say("1990")


async def test_opening_the_chat_half_way_carries_on_at_the_step_reached(world: World) -> None:
    await to_the_phone_step(world)
    an = world.person()
    await an.start()  # a reload
    assert an.text.startswith("Bạn đang đăng ký dở, mời tiếp tục từ bước này:") and "Bước 3/4" in an.text
    assert an.last.replies[-1].request_contact
    await an.say("+84 (0) 912 345 678")
    assert "Bước 4/4" in an.text


async def test_consent_can_be_typed_and_other_text_says_which_buttons_answer(world: World) -> None:
    an = world.person()
    await an.start()
    await an.say("cái này là gì vậy")
    assert an.text.startswith("Mời bạn bấm «✅ Tôi đồng ý» hoặc «Không đồng ý»")
    assert an.labels() == ["✅ Tôi đồng ý", "Không đồng ý"]
    await an.say("Đồng ý")
    assert "đoạt giải" in an.text and an.labels() == ["Đồng ý liên hệ khi đoạt giải", "Không"]  # nothing chosen
    await an.say("có")
    assert "nhận mẹo" in an.text
    await an.say("không")
    assert "Bước 1/4" in an.text


async def test_the_confirmation_can_be_typed_and_other_text_shows_it_again(world: World) -> None:
    await to_the_phone_step(world)
    an = world.person()
    await an.say("0912345678")
    await an.tap("Huyện An Bình")
    await an.tap("Xã Đông Sơn")
    await an.say("ờ")
    assert an.text.startswith("Mời bạn bấm «✅ Xác nhận»") and "Xã Đông Sơn" in an.text
    await an.say("xác nhận")
    assert "Đăng ký thành công" in an.text and "Số báo danh của bạn: " in an.text


async def test_a_sticker_at_the_phone_step_keeps_the_phone_question_and_its_button(world: World) -> None:
    await to_the_phone_step(world)
    an = world.person()
    await an.send_unsupported("sticker")
    assert an.text.startswith("Xin lỗi, tôi chỉ đọc được tin nhắn chữ và các nút bấm.") and "Bước 3/4" in an.text
    assert an.last.replies[-1].request_contact and not an.labels()


async def test_a_greeting_half_way_is_not_taken_for_a_name(world: World) -> None:
    an = world.person()
    await an.start()
    await agree(an)
    await an.say("Xin chào")
    assert "Bước 1/4" in an.text and "Bước 2/4" not in an.text


async def test_every_unit_a_name_finds_can_be_picked_page_by_page(ha_giang: Callable[[Clock], World]) -> None:
    world = ha_giang(Clock(datetime(2025, 5, 1, 3, tzinfo=UTC)))
    an = world.person()
    await an.start()
    await agree(an)
    await an.say("Nguyễn Văn An")
    await an.say("1990")
    await an.say("0912345678")
    await an.say("Tan")
    assert an.text == "Tìm thấy 9 đơn vị (trang 1/2). Chọn đơn vị của bạn:" and len(an.labels()) == 9
    await an.tap("Tiếp")
    assert "trang 2/2" in an.text and "Huyện Hoàng Su Phì › Xã Tân Tiến" in an.labels()
    await an.tap("Xã Tân Tiến")
    assert "Đơn vị: Tỉnh Hà Giang › Huyện Hoàng Su Phì › Xã Tân Tiến" in an.text


async def test_a_unit_is_found_by_its_abbreviation_and_despite_a_slip(ha_giang: Callable[[Clock], World]) -> None:
    world = ha_giang(Clock(datetime(2025, 5, 1, 3, tzinfo=UTC)))
    an = world.person()
    await an.start()
    await agree(an)
    await an.say("Nguyễn Văn An")
    await an.say("1990")
    await an.say("0912345678")
    await an.say("TP Ha Giang")
    assert an.labels() == ["Thành phố Hà Giang"]
    await an.say("Dong Vann")
    assert an.labels() == ["Huyện Đồng Văn", "Huyện Đồng Văn › Thị trấn Đồng Văn"]


async def test_a_double_tap_on_confirm_that_another_worker_registered_first_says_registered(world: World) -> None:
    an = world.person()
    await an.start()
    await agree(an)
    await an.say("Nguyễn Văn An")
    await an.say("1990")
    await an.say("0912345678")
    await an.tap("Huyện An Bình")
    await an.tap("Xã Đông Sơn")
    confirm = an.button("Xác nhận")
    # the first tap, handled by another worker: this account is registered, this worker's state still asks
    account = await world.uses.people.account(channel="console", external_id="an", locale="vi", now=world.clock())
    await world.uses.people.register(account_id=account.id, full_name="Nguyễn Văn An", birth_year=1990,
                                     phone="0912345678", unit_code="T-A-1", referral=None, now=world.clock())
    await an.press(confirm)
    assert "Đăng ký thành công" in an.text and "đã được đăng ký" not in an.text
