"""A citizen's personal data as the law asks (Law 91/2025/QH15, Decree 13/2023/NĐ-CP), through the whole
engine: consent per purpose, a guardian before a minor's attempt, numbers proven by a code, a registration
carried on in a new browser, a number taken back by its owner, consent withdrawn, erasure and the quota."""
from __future__ import annotations

import re

import pytest

from conftest import Clock
from quiz.conversation.actions import Data, DataItem
from quiz.identity import VerifiedRule

from .conftest import FIXTURE_PACK, World
from .people import Person, agree, register

PHONE = "0912345678"


class Texts:
    """A pretend SMS gateway: the codes it was asked to send, by number."""

    def __init__(self) -> None:
        self.sent: dict[str, list[str]] = {}

    async def send_code(self, *, phone: str, code: str, minutes: int) -> None:
        self.sent.setdefault(phone, []).append(code)

    def last(self, phone: str) -> str:
        return self.sent[phone][-1]


@pytest.fixture
def texts() -> Texts:
    return Texts()


@pytest.fixture
def sms_world(clock: Clock, texts: Texts) -> World:
    """The fixture contest with an SMS gateway: the web chat proves typed numbers by a code."""
    return World(FIXTURE_PACK, clock, verifier=texts)


async def up_to_the_phone(person: Person, *, born: int = 1990, news: bool = False) -> None:
    await person.start()
    await agree(person, news=news)
    await person.say("Trần Thị Bình")
    await person.say(str(born))


async def finish_registering(person: Person) -> None:
    await person.tap("Huyện An Bình")
    await person.tap("Xã Đông Sơn")
    await person.tap("Xác nhận")
    assert "Đăng ký thành công" in person.text, person.text


async def registered_on_the_web(world: World, texts: Texts, browser: str) -> Person:
    """A citizen registered in a browser, their typed number proven by the code sent to it."""
    person = world.person(browser, channel="web")
    await up_to_the_phone(person)
    await person.say(PHONE)
    await person.say(texts.last(PHONE))
    await finish_registering(person)
    return person


async def test_the_notice_names_the_controller_and_asks_each_purpose_with_nothing_chosen(world: World) -> None:
    an = world.person()
    await an.start()
    assert "Bên kiểm soát dữ liệu: Ban Tổ chức thử nghiệm" in an.text and "Bên xử lý" not in an.text
    assert "rút lại từng sự đồng ý" in an.text and "chưa đủ 16 tuổi" in an.text and "mã băm" in an.text
    asked = []
    for tap in ("Tôi đồng ý", "Đồng ý liên hệ khi đoạt giải"):
        await an.tap(tap)
        asked.append(an.labels())
    assert asked == [["Đồng ý liên hệ khi đoạt giải", "Không"], ["Có, gửi cho tôi", "Không, cảm ơn"]]
    en = world.person("john")
    await en.say("/ngonngu")
    await en.tap("English")
    await en.start()
    assert "Controller (who decides why and how your data is processed" in en.text and "Processor" not in en.text
    assert "withdraw each consent" in en.text


async def test_a_fourteen_year_old_needs_a_guardian_who_agrees_on_the_childs_screen(world: World,
                                                                                    clock: Clock) -> None:
    em = world.person("em")
    await up_to_the_phone(em, born=clock().year - 14)
    assert "chưa đủ 16 tuổi" in em.text and "Họ và tên của cha, mẹ hoặc người giám hộ" in em.text
    await em.say("Trần Thị Bình")
    assert "tên của chính bạn" in em.text  # the child cannot stand in for the guardian
    await em.say("Trần Văn Cường")
    await em.say("0977 000 111")
    assert "Dành cho Trần Văn Cường" in em.text and "Trần Thị Bình tham gia" in em.text
    await em.tap("Tôi là cha/mẹ/người giám hộ và đồng ý")
    assert "Bước 3/4" in em.text
    await em.say(PHONE)
    await finish_registering(em)
    person = await em.participant()
    assert person is not None and (await world.uses.people.guardian(person.id)).confirmed_by == "declared"  # type: ignore[union-attr]
    await em.tap("Thi ngay")
    await em.tap("Vòng chính")
    assert "Câu 1/10" in em.text


async def test_a_guardian_who_does_not_agree_leaves_the_child_unregistered(world: World, clock: Clock) -> None:
    em = world.person("em")
    await up_to_the_phone(em, born=clock().year - 12)
    await em.say("Trần Văn Cường")
    await em.say("0977000111")
    await em.tap("Tôi không đồng ý")
    assert "người giám hộ không đồng ý" in em.text and await em.participant() is None


async def test_a_minor_registered_without_a_guardian_is_asked_for_one_before_any_attempt(world: World,
                                                                                         clock: Clock) -> None:
    em = world.person("em")
    account = await world.uses.people.account(channel="console", external_id="em", locale="vi", now=clock())
    await world.uses.people.register(account_id=account.id, full_name="Trần Thị Bình", birth_year=clock().year - 13,
                                     phone=PHONE, unit_code="T-A-1", referral=None, now=clock())
    await em.start()
    await em.tap("Thi ngay")
    assert "cần sự đồng ý của cha, mẹ hoặc người giám hộ trước khi thi" in em.text
    await em.tap("Cha/mẹ/người giám hộ đồng ý")
    await em.say("Trần Văn Cường")
    await em.say("0977000111")
    await em.tap("Tôi là cha/mẹ/người giám hộ và đồng ý")
    assert "Bạn có thể vào thi ngay" in em.text
    await em.tap("Thi ngay")
    await em.tap("Vòng chính")
    assert "Câu 1/10" in em.text


async def test_with_a_gateway_the_guardian_confirms_with_the_code_sent_to_their_phone(
        sms_world: World, texts: Texts, clock: Clock) -> None:
    em = sms_world.person("em")
    await up_to_the_phone(em, born=clock().year - 14)
    await em.say("Trần Văn Cường")
    await em.say("0977000111")
    assert "Đã gửi mã 6 chữ số tới số 0977000111 của người giám hộ" in em.text
    await em.say("000000" if texts.last("0977000111") != "000000" else "111111")
    assert "Mã chưa đúng" in em.text
    await em.say(texts.last("0977000111"))
    assert "Bước 3/4" in em.text
    await em.say("0912 345 678")  # on the console a typed number is only typed: no code for it here
    await finish_registering(em)
    person = await em.participant()
    assert (await sms_world.uses.people.guardian(person.id)).confirmed_by == "code"  # type: ignore[union-attr]


async def test_the_web_chat_proves_a_typed_number_with_a_code(sms_world: World, texts: Texts) -> None:
    web = sms_world.person("browser-1", channel="web")
    await up_to_the_phone(web)
    await web.say("0912 345 678")
    assert "Đã gửi mã 6 chữ số tới số 0912345678" in web.text
    await web.say(" ".join(texts.last(PHONE)[:3]) + " " + texts.last(PHONE)[3:])  # typed as people do
    await finish_registering(web)
    assert (await web.participant()).phone_verified_by == "code"  # type: ignore[union-attr]


async def test_a_typed_squatter_loses_the_number_to_its_owner_and_is_told(sms_world: World, texts: Texts) -> None:
    squatter = sms_world.person("squatter")  # the console: a typed number
    await register(squatter, name="Kẻ Chiếm Số", phone=PHONE)
    owner = await registered_on_the_web(sms_world, texts, "owner")
    assert (await owner.participant()).phone == PHONE  # type: ignore[union-attr]
    await squatter.say("menu")
    assert "vừa được chủ số xác minh và đăng ký" in squatter.text
    assert (await squatter.participant()).phone is None  # type: ignore[union-attr]
    await squatter.say("menu")
    assert "chủ số" not in squatter.text  # told once


async def test_a_registration_carries_on_in_a_new_browser_by_phone_and_code(sms_world: World, texts: Texts,
                                                                            clock: Clock) -> None:
    first = await registered_on_the_web(sms_world, texts, "browser-1")
    mine = await first.participant()

    clock.advance(minutes=1)  # one text a minute to a number
    second = sms_world.person("browser-2", channel="web")  # another phone, cookies lost, an in-app browser
    await second.start()
    await second.tap("Tôi đã đăng ký ở trình duyệt khác")
    await second.say("0912 345 678")
    assert "Đã gửi mã 6 chữ số tới số 0912345678" in second.text
    await second.say(texts.last(PHONE))
    assert "Chào mừng Trần Thị Bình trở lại" in second.text
    assert (await second.participant()) == mine and await first.participant() is None


async def test_registering_again_with_a_proven_number_is_the_same_registration(sms_world: World, texts: Texts,
                                                                               clock: Clock) -> None:
    first = await registered_on_the_web(sms_world, texts, "browser-1")
    mine = await first.participant()
    clock.advance(minutes=1)
    again = sms_world.person("browser-2", channel="web")  # registering anew, with the proven number
    await up_to_the_phone(again)
    await again.say(PHONE)
    await again.say(texts.last(PHONE))
    assert "trở lại" in again.text and (await again.participant()) == mine  # carried on, not a second person


async def test_a_number_typed_on_telegram_is_proven_later_and_its_result_then_ranks(clock: Clock) -> None:
    world = World(FIXTURE_PACK, clock, verified_phones=VerifiedRule.TO_RANK)  # only proven numbers rank
    an = world.person("1001", channel="telegram")
    await register(an, phone="0912 345 678")  # typed, not shared
    assert "cuộc thi chỉ xếp hạng người dự thi có số đã xác minh" in an.text  # said at once, with where
    assert "«🔐 Dữ liệu của tôi» → «📱 Xác minh số điện thoại»" in an.text
    await an.tap("Thi ngay")
    await an.tap("Vòng chính")
    for _ in range(10):
        await an.press(an.right_key())
    await an.tap("Bỏ qua")
    assert "Xếp hạng hiện tại" not in an.text and "chỉ xếp hạng người dự thi có số điện thoại đã xác minh" in an.text
    await an.tap("Bảng xếp hạng")
    assert "Chưa có ai hoàn thành lượt thi trong vòng này." in an.text

    await an.say("/dulieu")
    assert "tự nhập, chưa xác minh" in an.text
    await an.tap("📱 Xác minh số điện thoại")
    assert "Để xác minh số 0912345678" in an.text and an.last.replies[-1].request_contact
    await an.say("0912345678")  # typing the number proves nothing
    assert "Số gõ tay không xác minh được" in an.text and an.last.replies[-1].request_contact
    await an.share("0987654321", own=False)  # someone else's card
    await an.share("+84 98 765 4321")  # their own account, another number: offered, not taken
    assert "Số vừa chia sẻ là 0987654321, khác số bạn đã nhập khi đăng ký (0912345678)" in an.text
    assert an.last.closes_contact and not an.last.replies[-1].request_contact  # the share button goes
    assert (await an.participant()).phone_verified_by is None  # type: ignore[union-attr]
    await an.send_unsupported("sticker")  # still asked, nothing else changed
    assert "Số vừa chia sẻ là 0987654321" in an.text and "✓ Dùng số 0987654321" in an.labels()
    await an.share("+84 912 345 678")  # the number they registered after all
    assert "✓ Số điện thoại 0912345678 đã được xác minh" in an.text and not an.last.replies[-1].request_contact
    assert (await an.participant()).phone_verified_by == "telegram"  # type: ignore[union-attr]
    await an.say("/dulieu")
    assert "✓ đã xác minh" in an.text and "📱 Xác minh số điện thoại" not in an.labels()
    await world.uses.standings.upkeep(now=clock())  # the scheduler's tick: the board is built again
    await an.tap("⬅️ Menu")
    await an.tap("Bảng xếp hạng")
    assert "Bạn đang xếp thứ 1 với 10/10 câu đúng." in an.text  # the attempt handed in before now ranks


async def test_a_mistyped_number_is_replaced_by_the_one_telegram_shares_and_the_result_then_ranks(
        clock: Clock) -> None:
    world = World(FIXTURE_PACK, clock, verified_phones=VerifiedRule.TO_RANK)
    an = world.person("1001", channel="telegram")
    await register(an, phone="0912345678")  # a slip of the finger: their number is 0987654321
    await an.tap("Thi ngay")
    await an.tap("Vòng chính")
    for _ in range(10):
        await an.press(an.right_key())
    await an.tap("Bỏ qua")
    assert "Xếp hạng hiện tại" not in an.text  # a typed number does not rank here
    await an.tap("Bảng xếp hạng")
    assert "Chưa có ai hoàn thành lượt thi trong vòng này." in an.text

    await an.say("/dulieu")
    await an.tap("📱 Xác minh số điện thoại")
    await an.share("+84 987 654 321")  # Telegram vouches for this one
    assert "Nếu 0987654321 là số của bạn, đăng ký có thể dùng số này thay cho 0912345678" in an.text
    assert an.last.closes_contact and not an.last.replies[-1].request_contact  # a button to confirm instead
    assert (await an.participant()).phone == "0912345678"  # type: ignore[union-attr]  # asked first
    await an.tap("✓ Dùng số 0987654321")
    assert "✓ Đăng ký của bạn giờ dùng số 0987654321 (thay cho 0912345678), đã xác minh" in an.text
    person = await an.participant()
    assert person is not None and (person.phone, person.phone_verified_by) == ("0987654321", "telegram")
    await an.say("/dulieu")
    assert "0987654321" in an.text and "0912345678" not in an.text and "✓ đã xác minh" in an.text
    await world.uses.standings.upkeep(now=clock())  # the scheduler's tick: the board is built again
    await an.tap("⬅️ Menu")
    await an.tap("Bảng xếp hạng")
    assert "Bạn đang xếp thứ 1 với 10/10 câu đúng." in an.text  # the attempt handed in before now ranks
    await an.press(Data(DataItem.PROVE_REPLACE))  # the old confirm button again: nothing more happens
    assert (await an.participant()).phone == "0987654321"  # type: ignore[union-attr]


async def test_a_shared_number_another_registration_holds_is_claimed_as_at_registration(clock: Clock) -> None:
    world = World(FIXTURE_PACK, clock, verified_phones=VerifiedRule.TO_WIN)
    owner = world.person("2001", channel="telegram")
    await register(owner, name="Trần Thị Bình", phone="0911111111", shared=True)  # proven on another registration
    typist = world.person("2002", channel="telegram")
    await register(typist, name="Lê Văn Cường", phone="0922222222")  # typed someone's number, not proven
    an = world.person("1001", channel="telegram")
    await register(an, phone="0912345678")

    await an.say("/dulieu")
    await an.tap("📱 Xác minh số điện thoại")
    await an.share("0911111111")  # proven by someone else: not offered
    assert "Số 0911111111 đã được xác minh ở một đăng ký khác" in an.text and an.last.replies[-1].request_contact
    assert "✓ Dùng số 0911111111" not in an.labels()

    await an.share("0922222222")  # only typed by another: offered, as a proven number wins it at registration
    await an.tap("✓ Dùng số 0922222222")
    assert "giờ dùng số 0922222222" in an.text
    assert (await typist.participant()).phone is None  # type: ignore[union-attr]
    await typist.say("/dulieu")
    assert "vừa được chủ số xác minh và đăng ký" in typist.text  # told at their next message

    late = world.person("1002", channel="telegram")  # confirmed too late: someone proved it in between
    await register(late, name="Phạm Văn Dũng", phone="0933333333")
    await late.say("/dulieu")
    await late.tap("📱 Xác minh số điện thoại")
    await late.share("0944444444")
    proven = world.person("2003", channel="telegram")
    await register(proven, name="Hoàng Thị Em", phone="0944444444", shared=True)
    await late.tap("✓ Dùng số 0944444444")
    assert "Số 0944444444 đã được xác minh ở một đăng ký khác" in late.text
    assert (await late.participant()).phone == "0933333333"  # type: ignore[union-attr]  # nothing changed


async def proving_in_a_linked_browser(world: World, telegram: Person) -> Person:
    """The Telegram registration linked to a browser, which asks to prove its number there (a code)."""
    await telegram.say("/dulieu")
    await telegram.tap("Liên kết tài khoản")
    code = re.search(r"Mã liên kết của bạn: (\S+)", telegram.text)
    assert code is not None
    web = world.person("browser-1", channel="web")
    await web.start()
    await web.say(f"/lienket {code[1]}")
    await web.tap("Liên kết")
    await web.say("/dulieu")
    await web.tap("📱 Xác minh số điện thoại")
    return web


async def test_a_telegram_registration_with_a_typed_number_is_proven_in_the_web_chat_by_a_code(
        sms_world: World, texts: Texts, clock: Clock) -> None:
    telegram = sms_world.person("1001", channel="telegram")
    await register(telegram, phone=PHONE)
    web = await proving_in_a_linked_browser(sms_world, telegram)
    assert "Đã gửi mã 6 chữ số tới số 0912345678" in web.text
    await web.say("000000" if texts.last(PHONE) != "000000" else "111111")
    assert (await web.participant()).phone_verified_by is None  # type: ignore[union-attr]
    await web.say(texts.last(PHONE))
    assert "✓ Số điện thoại 0912345678 đã được xác minh" in web.text
    assert (await telegram.participant()).phone_verified_by == "code"  # type: ignore[union-attr]


async def test_a_mistyped_number_is_replaced_in_the_web_chat_by_a_code_to_the_right_one(
        sms_world: World, texts: Texts, clock: Clock) -> None:
    owner = sms_world.person("2001", channel="telegram")
    await register(owner, name="Trần Thị Bình", phone="0911111111", shared=True)
    telegram = sms_world.person("1001", channel="telegram")
    await register(telegram, phone=PHONE)  # a slip of the finger: their number is 0987654321
    web = await proving_in_a_linked_browser(sms_world, telegram)
    assert "Đã gửi mã 6 chữ số tới số 0912345678" in web.text  # a number they cannot read texts on
    await web.tap("✏️ Số 0912345678 không phải của tôi")
    assert "Số đã nhập khi đăng ký là 0912345678. Nhập số điện thoại di động của bạn" in web.text
    await web.say("12345")
    assert "Số điện thoại di động Việt Nam gồm 10 số" in web.text
    await web.say(PHONE)  # the registered number after all: back to its code, no second text within the minute
    assert "Đã gửi mã 6 chữ số tới số 0912345678. Nhập mã đó vào đây" in web.text and len(texts.sent[PHONE]) == 1
    await web.tap("✏️ Số 0912345678 không phải của tôi")
    await web.say("0911111111")  # proven by another registration: no code goes there
    assert "Số 0911111111 đã được xác minh ở một đăng ký khác" in web.text and "0911111111" not in texts.sent
    await web.say("0987 654 321")
    assert "Đã gửi mã 6 chữ số tới số 0987654321. Nhập mã đó vào đây: đăng ký của bạn sẽ dùng số này" in web.text
    right = texts.last("0987654321")
    await web.say("000000" if right != "000000" else "111111")
    assert "Mã chưa đúng" in web.text and "0987654321" in web.text
    assert (await web.participant()).phone == PHONE  # type: ignore[union-attr]  # nothing changed yet
    await web.tap("Gửi lại mã")  # within the minute: refused, the code sent before still works
    assert "Mã vừa được gửi tới số này" in web.text and len(texts.sent["0987654321"]) == 1
    await web.say(right)
    assert "✓ Đăng ký của bạn giờ dùng số 0987654321 (thay cho 0912345678), đã xác minh" in web.text
    person = await telegram.participant()  # the same registration, on every channel
    assert person is not None and (person.phone, person.phone_verified_by) == ("0987654321", "code")
    assert PHONE not in texts.sent or len(texts.sent[PHONE]) == 1  # the first code only, to the typed number


async def test_no_proof_is_offered_where_the_number_cannot_be_proven(clock: Clock) -> None:
    world = World(FIXTURE_PACK, clock, verified_phones=VerifiedRule.TO_RANK)
    web = world.person("browser-1", channel="web")  # no SMS gateway: a typed number stays typed
    await register(web)
    assert "xác minh số ở khung chat của cuộc thi trên Telegram hoặc Zalo" in web.text  # where it can be
    await web.say("/dulieu")
    assert "tự nhập, chưa xác minh" in web.text and "📱 Xác minh số điện thoại" not in web.labels()
    await web.press(Data(DataItem.PROVE))  # an old or forged button
    assert "Xác minh số" not in web.text and (await web.participant()).phone_verified_by is None  # type: ignore[union-attr]

    await register(world.person("1001", channel="telegram"), phone="0987654321")
    mini_app = world.person("1001", channel="telegram", page=True)  # the same account in the Mini App's page
    await mini_app.say("/dulieu")
    assert "tự nhập, chưa xác minh" in mini_app.text and "📱 Xác minh số điện thoại" not in mini_app.labels()
    await mini_app.tap("⬅️ Menu")
    await mini_app.tap("Thi ngay")
    await mini_app.tap("Vòng chính")
    await mini_app.tap("Nộp bài")
    await mini_app.tap("📤 Nộp bài")
    await mini_app.tap("Bỏ qua")
    assert "ở khung chat của cuộc thi trên Telegram hoặc Zalo" in mini_app.text  # where it can be done


async def test_withdrawing_consent_is_explained_real_and_offers_erasure(world: World) -> None:
    an = world.person()
    await register(an)
    await an.press(an.button("Tôi đồng ý").__class__("contest", yes=False))  # the old "Không đồng ý" button
    assert "không thay đổi gì" in an.text and (await an.participant()) is not None
    await an.tap("Rút lại đồng ý tham gia")
    assert "không bắt đầu được lượt thi mới" in an.text
    await an.tap("Rút lại đồng ý")
    assert "không còn được xếp hạng" in an.text and any("Xoá dữ liệu của tôi" in label for label in an.labels())
    await an.say("menu")
    await an.tap("Thi ngay")
    assert "đã rút lại sự đồng ý tham gia" in an.text


async def test_my_data_shows_each_consent_the_number_and_the_rights(world: World) -> None:
    an = world.person()
    await register(an)
    await an.tap("Dữ liệu của tôi")
    assert re.search(r"Tham gia và được xếp hạng: có\n.*Được liên hệ khi đoạt giải: có\n.*Nhận mẹo và thông báo: không",
                     an.text)
    assert "tự nhập, chưa xác minh" in an.text and "Bên kiểm soát dữ liệu của bạn là Ban Tổ chức thử nghiệm" in an.text
    await an.tap("Không liên hệ khi đoạt giải")
    assert "sẽ không gọi hay nhắn tin cho bạn về giải thưởng" in an.text


async def test_erasing_and_registering_again_with_the_same_number_gives_no_new_attempt(world: World,
                                                                                       clock: Clock) -> None:
    an = world.person()
    await register(an)
    pid = (await an.participant()).id  # type: ignore[union-attr]
    for _ in range(2):  # "chinh" allows two attempts: both used
        attempt = await world.uses.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
        await world.uses.play.finish(attempt_id=attempt.id, participant_id=pid, now=clock())
    await an.say("menu")
    await an.tap("Dữ liệu của tôi")
    await an.tap("Xoá dữ liệu của tôi")
    assert "mã băm" in an.text and "tiếp tục số lượt đã dùng" in an.text
    await an.tap("Xoá vĩnh viễn")
    await register(an, name="Người Mới Toanh")
    assert (await an.participant()).id != pid  # type: ignore[union-attr]  # a new identity, not the old one
    await an.tap("Thi ngay")
    await an.tap("Vòng chính")
    assert "Câu 1/10" not in an.text and "2 lượt" in an.text, an.text  # the cap the number reached
